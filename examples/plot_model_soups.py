"""
=====================================================================
Model soups: averaging the weights of fine-tunes from one start
=====================================================================

A model soup (Wortsman et al., arXiv:2203.05482) averages the *weights* of
several models fine-tuned from one shared starting point with different
hyperparameters. The result is a single model, so it predicts as fast as one
ingredient, unlike an output ensemble. The greedy recipe adds ingredients in
order of validation accuracy and keeps each only if the soup does not get
worse on the validation set.

This example pre-fits a small MLP on digits, fine-tunes eight copies of it
with different weight decay and learning rate, and compares the ingredients,
the uniform and greedy soups on held-out test data. It then averages networks
trained from *independent* random initialisations: their hidden units are not
aligned, and the soup collapses.
"""

# %%
# Fine-tunes from one shared start
# --------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from skpapers.ensemble import ModelSoupClassifier, average_estimators

warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=0.2, stratify=y_train, random_state=0)

grid = {"alpha": [1e-4, 1e-3, 1e-2, 1e-1], "learning_rate_init": [1e-3, 3e-3], "max_iter": [60]}
soup = ModelSoupClassifier(
    MLPClassifier(hidden_layer_sizes=(64,), max_iter=30, random_state=0), param_grid=grid, random_state=0
).fit(X_fit, y_fit, X_val=X_val, y_val=y_val)
uniform = average_estimators(soup.ingredients_)

ingredient_test = [m.score(X_test, y_test) for m in soup.ingredients_]
print(f"ingredients: test accuracy {min(ingredient_test):.3f} - {max(ingredient_test):.3f}")
print(f"uniform soup: {uniform.score(X_test, y_test):.3f}")
print(f"greedy soup ({len(soup.selected_)} ingredients): {soup.score(X_test, y_test):.3f}")

# %%
# Independent initialisations do not mix
# --------------------------------------
independent = [
    MLPClassifier(hidden_layer_sizes=(64,), max_iter=90, random_state=seed).fit(X_fit, y_fit) for seed in (1, 2, 3)
]
independent_test = [m.score(X_test, y_test) for m in independent]
collapsed = average_estimators(independent).score(X_test, y_test)
print(f"independent networks: {min(independent_test):.3f} - {max(independent_test):.3f}; their soup {collapsed:.3f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.scatter(soup.ingredient_validation_scores_, ingredient_test, color="0.5", label="ingredients")
left.scatter([uniform.score(X_val, y_val)], [uniform.score(X_test, y_test)], marker="s", label="uniform soup")
left.scatter([soup.soup_score_], [soup.score(X_test, y_test)], marker="*", s=200, color="tab:red", label="greedy soup")
left.set_xlabel("validation accuracy")
left.set_ylabel("test accuracy")
left.set_title("Shared start: the soup is as good as the best")
left.legend(loc="lower right")
right.bar(["net 1", "net 2", "net 3", "their soup"], independent_test + [collapsed], color=["0.5"] * 3 + ["tab:red"])
right.set_ylim(0, 1)
right.set_title("Independent starts: the soup collapses")
fig.tight_layout()
plt.show()

# %%
# Speed: the soup predicts at the cost of one ingredient, while
# ``ensemble_predict_proba`` (output averaging) runs all eight.
np.testing.assert_allclose(soup.predict_proba(X_test), soup.soup_.predict_proba(X_test))

# %%
# A soup from an existing search: ``soup_from_search`` refits one ingredient
# per candidate of a fitted ``GridSearchCV`` from a shared start and cooks the
# greedy soup, to compare with the search's single best model.
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skpapers.ensemble import soup_from_search

search = GridSearchCV(LogisticRegression(max_iter=300), {"C": [0.01, 0.1, 1.0, 10.0]}, cv=3).fit(X_fit, y_fit)
search_soup = soup_from_search(search, X_fit, y_fit, X_val=X_val, y_val=y_val, random_state=0)
print(f"best single model {search.best_estimator_.score(X_test, y_test):.3f}, "
      f"soup of {len(search_soup.selected_)} {search_soup.score(X_test, y_test):.3f}")

# %%
# ``ModelSoupRegressor`` is the same recipe for regression, here a uniform
# soup of ridge fits over its default alpha grid on the diabetes data.
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

from skpapers.ensemble import ModelSoupRegressor

X_d, y_d = load_diabetes(return_X_y=True)
regressor_soup = ModelSoupRegressor(Ridge(), recipe="uniform", random_state=0).fit(X_d[:300], y_d[:300])
print(f"uniform ridge soup of {len(regressor_soup.selected_)}: test R^2 {regressor_soup.score(X_d[300:], y_d[300:]):.3f}")
