"""direct_logit_attribution, ablation_effects and normalization_removal_gap.

Oracle: with a fixed scale the attributions equal the measured ablation effects
exactly; with a per-sample scale they follow the frozen-scale closed form and
differ from the ablation effects. Mean ablation of the folded linear model is
checked against the closed form of SHAP's LinearExplainer, w_j (x_j - E x_j).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler

from skpapers.inspection import ablation_effects, direct_logit_attribution, normalization_removal_gap
from skpapers.preprocessing import FixedScaleNormalizer

GROUPS = {"a": [0, 1, 2], "b": [3, 4], "c": [7, 8]}  # columns 5, 6, 9 form "rest"


def _data(n=300, d=10, n_classes=2, sd=0.5, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, d))
    X = z * rng.lognormal(0.0, sd, size=(n, 1)) + 0.5
    scores = z @ rng.normal(size=(d, n_classes))
    y = scores.argmax(axis=1)
    return X, y


@pytest.mark.parametrize("norm", ["layer", "rms", "l2"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_fixed_scale_attributions_equal_ablation_effects_exactly(norm, n_classes):
    X, y = _data(n_classes=n_classes)
    model = make_pipeline(FixedScaleNormalizer(norm=norm), LogisticRegression()).fit(X, y)
    dla = direct_logit_attribution(model, X, GROUPS)
    ablation = ablation_effects(model, X, GROUPS)
    n_outputs = 1 if n_classes == 2 else n_classes
    assert dla.contributions.shape == (len(X), 4, n_outputs)
    assert dla.group_names == ablation.group_names == ["a", "b", "c", "rest"]
    assert dla.exact
    np.testing.assert_allclose(dla.contributions, ablation.effects, rtol=0, atol=1e-12)
    decision = model.decision_function(X).reshape(len(X), -1)
    np.testing.assert_allclose(dla.contributions.sum(axis=1) + dla.intercept, decision, atol=1e-12)


@pytest.mark.parametrize("norm", ["layer", "rms"])
def test_per_sample_attributions_sum_but_differ_from_ablation(norm):
    X, y = _data()
    normalizer = FixedScaleNormalizer(norm=norm, scale="per_sample")
    model = make_pipeline(normalizer, LogisticRegression()).fit(X, y)
    dla = direct_logit_attribution(model, X, GROUPS)
    assert not dla.exact
    np.testing.assert_allclose(dla.contributions.sum(axis=1)[:, 0] + dla.intercept[0], model.decision_function(X))
    # the frozen-scale closed form: x_g . V_g / sigma(x), V centred for LayerNorm
    w = model[-1].coef_[0]
    v = w - w.mean() if norm == "layer" else w
    sigma = normalizer.row_scale(X)
    np.testing.assert_allclose(dla.contributions[:, 0, 0], X[:, :3] @ v[:3] / sigma, rtol=1e-12)
    gap = np.abs(dla.contributions - ablation_effects(model, X, GROUPS).effects).max()
    assert gap > 0.1


def test_layer_norm_needs_centred_weights():
    # A read-out sees only centred rows, so adding a constant to all its weights
    # leaves its logits unchanged; attributions must not depend on that constant.
    X, y = _data()
    model = make_pipeline(FixedScaleNormalizer(), LogisticRegression()).fit(X, y)
    reference = model.decision_function(X)
    model[-1].coef_ = model[-1].coef_ + 0.7
    np.testing.assert_allclose(model.decision_function(X), reference, atol=1e-12)
    w = model[-1].coef_[0]
    naive = X @ w / model[0].scale_ + model[-1].intercept_[0]
    assert np.abs(naive - model.decision_function(X)).max() > 1e-3
    dla = direct_logit_attribution(model, X, GROUPS)
    np.testing.assert_allclose(dla.contributions.sum(axis=1)[:, 0] + dla.intercept[0], model.decision_function(X))


def test_sklearn_normalizer_and_separate_normalizer_argument():
    X, y = _data()
    normalizer = Normalizer().fit(X)
    read_out = LogisticRegression().fit(normalizer.transform(X), y)
    pipe = make_pipeline(normalizer, read_out)
    from_pipe = direct_logit_attribution(pipe, X, GROUPS)
    separate = direct_logit_attribution(read_out, X, GROUPS, normalizer=normalizer)
    np.testing.assert_array_equal(from_pipe.contributions, separate.contributions)
    np.testing.assert_allclose(separate.contributions.sum(axis=1)[:, 0] + separate.intercept[0],
                               pipe.decision_function(X))
    # identical to FixedScaleNormalizer(norm="l2", scale="per_sample")
    ours = direct_logit_attribution(read_out, X, GROUPS,
                                    normalizer=FixedScaleNormalizer(norm="l2", scale="per_sample").fit(X))
    np.testing.assert_allclose(ours.contributions, separate.contributions, rtol=1e-14)


def test_plain_linear_models_multi_output_and_no_normalizer():
    X, _ = _data()
    Y = np.column_stack([X @ np.arange(10.0), X[:, 0] - X[:, 9]])
    ridge = Ridge(alpha=1.0).fit(X, Y)
    dla = direct_logit_attribution(ridge, X, [[0, 1], [9]])
    assert dla.contributions.shape == (len(X), 3, 2) and dla.group_names == ["group_0", "group_1", "rest"]
    np.testing.assert_allclose(dla.contributions.sum(axis=1) + dla.intercept, ridge.predict(X))
    np.testing.assert_allclose(dla.contributions, ablation_effects(ridge, X, [[0, 1], [9]]).effects, atol=1e-10)
    # 1-D coef_ and scalar intercept_
    linear = LinearRegression().fit(X, Y[:, 0])
    dla = direct_logit_attribution(linear, X, [[0, 1]])
    assert dla.contributions.shape == (len(X), 2, 1)
    np.testing.assert_allclose(dla.contributions[:, 0, 0], X[:, :2] @ linear.coef_[:2])


def test_mean_ablation_equals_linear_shap_closed_form():
    X, y = _data()
    model = make_pipeline(FixedScaleNormalizer(), LogisticRegression()).fit(X, y)
    # the folded model on raw x: decision = x @ w_eff + b
    w_eff = model[0].linear_map_ @ model[-1].coef_[0]
    mean = X.mean(axis=0)
    shap_values = w_eff * (X - mean)  # LinearExplainer with independent features
    effects = ablation_effects(model, X, GROUPS, baseline=mean).effects[:, :, 0]
    for k, columns in enumerate([[0, 1, 2], [3, 4], [7, 8], [5, 6, 9]]):
        np.testing.assert_allclose(effects[:, k], shap_values[:, columns].sum(axis=1), atol=1e-12)
    # and DLA minus its mean over the background gives the same numbers
    dla = direct_logit_attribution(model, X, GROUPS).contributions[:, :, 0]
    np.testing.assert_allclose(dla - dla.mean(axis=0), effects, atol=1e-12)


def test_feature_group_forms_and_dataframes():
    X, y = _data()
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(10)])
    model = make_pipeline(FixedScaleNormalizer(), LogisticRegression()).fit(frame, y)
    by_name = direct_logit_attribution(model, frame, {"a": ["f0", "f1", "f2"]})
    mask = np.zeros(10, dtype=bool)
    mask[:3] = True
    by_mask = direct_logit_attribution(model, X, {"a": mask})
    by_negative_index = direct_logit_attribution(model, X, {"a": [-10, -9, -8]})
    np.testing.assert_array_equal(by_name.contributions, by_mask.contributions)
    np.testing.assert_array_equal(by_name.contributions, by_negative_index.contributions)
    ablation = ablation_effects(model, frame, {"a": ["f0", "f1", "f2"]})
    np.testing.assert_allclose(ablation.effects, by_name.contributions, atol=1e-12)
    # the caller's frame is untouched
    np.testing.assert_array_equal(frame.to_numpy(), X)


def test_inputs_not_modified():
    X, y = _data()
    X_before = X.copy()
    model = make_pipeline(FixedScaleNormalizer(), LogisticRegression()).fit(X, y)
    direct_logit_attribution(model, X, GROUPS)
    ablation_effects(model, X, GROUPS, baseline=1.0)
    np.testing.assert_array_equal(X, X_before)


@pytest.fixture(scope="module")
def fitted():
    X, y = _data()
    return X, make_pipeline(FixedScaleNormalizer(), LogisticRegression()).fit(X, y)


@pytest.mark.parametrize(
    "groups, error, match",
    [
        ({"a": [0, 1], "b": [1, 2]}, ValueError, "overlap"),
        ({"a": [0, 0]}, ValueError, "overlap"),
        ({"a": [0, 10]}, ValueError, "out of range"),
        ({"a": []}, ValueError, "non-empty"),
        ({"a": [True, False]}, ValueError, "boolean mask"),
        ({"a": np.zeros(10, dtype=bool)}, ValueError, "selects no feature"),
        ({"a": ["f0"]}, ValueError, "no column names"),
        ({"a": [0.5]}, TypeError, "integer indices"),
        ({"rest": [0]}, ValueError, "reserved"),
        ({}, ValueError, "empty"),
        ("a", TypeError, "dict"),
    ],
)
def test_bad_feature_groups(fitted, groups, error, match):
    X, model = fitted
    with pytest.raises(error, match=match):
        direct_logit_attribution(model, X, groups)
    with pytest.raises(error, match=match):
        ablation_effects(model, X, groups)


def test_bad_estimators_and_inputs(fitted):
    X, model = fitted
    y = (X[:, 0] > 0.5).astype(int)
    with pytest.raises(ValueError, match="coef_ and intercept_"):
        direct_logit_attribution(RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y), X, GROUPS)
    with pytest.raises(NotFittedError):
        direct_logit_attribution(LogisticRegression(), X, GROUPS)
    with pytest.raises(NotFittedError):
        ablation_effects(LogisticRegression(), X, GROUPS)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        direct_logit_attribution(model, X_nan, GROUPS)
    with pytest.raises(ValueError, match="NaN"):
        ablation_effects(model, X_nan, GROUPS)
    with pytest.raises(ValueError, match="features"):
        direct_logit_attribution(model, X[:, :8], {"a": [0]})
    with pytest.raises(ValueError, match="features"):
        ablation_effects(model, X[:, :8], {"a": [0]})
    with pytest.raises(ValueError, match="not both"):
        direct_logit_attribution(model, X, GROUPS, normalizer=model[0])
    two_steps = make_pipeline(StandardScaler(), FixedScaleNormalizer(), LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="more than one"):
        direct_logit_attribution(two_steps, X, GROUPS)
    with pytest.raises(TypeError, match="normalizer"):
        direct_logit_attribution(model[-1], X, GROUPS, normalizer=StandardScaler().fit(X))
    with pytest.raises(ValueError, match="l2"):
        direct_logit_attribution(model[-1], X, GROUPS, normalizer=Normalizer(norm="l1").fit(X))
    with pytest.raises(ValueError, match="baseline"):
        ablation_effects(model, X, GROUPS, baseline=np.zeros(3))
    with pytest.raises(ValueError, match="baseline"):
        ablation_effects(model, X, GROUPS, baseline=np.nan)
    with pytest.raises(ValueError, match="response_method"):
        ablation_effects(model, X, GROUPS, response_method="predict_proba")
    with pytest.raises(ValueError, match="no decision_function"):
        ablation_effects(Ridge().fit(X, y), X, GROUPS, response_method="decision_function")


# ---------------------------------------------------------------------------
# normalization_removal_gap
# ---------------------------------------------------------------------------


def test_removal_gap_refits_with_a_fixed_scale_on_training_rows():
    X, y = _data(n=600, sd=0.5)
    # a tight tolerance, so that the warm-started refit and a fit from scratch reach the same optimum
    pipe = make_pipeline(FixedScaleNormalizer(scale="per_sample"), LogisticRegression(tol=1e-10))
    result = normalization_removal_gap(pipe, X[:300], y[:300], X[300:], y[300:], scoring="neg_log_loss")
    assert not hasattr(pipe[0], "n_features_in_")  # the given pipeline is not fitted
    assert result.removed == ["fixedscalenormalizer"]
    assert result.pipeline_before[0].scale == "per_sample"
    fixed = result.pipeline_after[0]
    assert fixed.scale == "fixed"
    expected_scale = FixedScaleNormalizer(scale="per_sample").fit(X[:300]).row_scale(X[:300]).mean()
    assert fixed.scale_ == pytest.approx(expected_scale)
    # the scores are those of the two fitted pipelines
    from sklearn.metrics import log_loss

    assert result.score_before == pytest.approx(-log_loss(y[300:], result.pipeline_before.predict_proba(X[300:])))
    assert result.score_after == pytest.approx(-log_loss(y[300:], result.pipeline_after.predict_proba(X[300:])))
    assert result.gap == pytest.approx(result.score_before - result.score_after)
    # the refit is the same model as fitting the fixed-scale pipeline from scratch
    scratch = make_pipeline(FixedScaleNormalizer(), LogisticRegression(tol=1e-10)).fit(X[:300], y[:300])
    np.testing.assert_allclose(result.pipeline_after.predict_proba(X[300:]), scratch.predict_proba(X[300:]),
                               atol=1e-6)


def test_removal_gap_is_zero_when_all_rows_share_a_norm():
    # Limit case: every row has the same standard deviation, so the fixed scale is
    # the per-sample scale and removal changes nothing.
    X, y = _data(n=600, sd=0.0)
    centred = X - X.mean(axis=1, keepdims=True)
    X = centred / centred.std(axis=1, keepdims=True)
    pipe = make_pipeline(FixedScaleNormalizer(scale="per_sample", eps=0.0), LogisticRegression())
    result = normalization_removal_gap(pipe, X[:300], y[:300], X[300:], y[300:])
    assert abs(result.gap) < 1e-6


def test_sequential_removal_of_two_normalizers():
    X, y = _data(n=400)
    pipe = make_pipeline(Normalizer(), FixedScaleNormalizer(norm="rms", scale="per_sample"),
                         LogisticRegression())
    result = normalization_removal_gap(pipe, X[:200], y[:200], X[200:], y[200:], scoring="accuracy")
    assert result.removed == ["normalizer", "fixedscalenormalizer"]
    assert len(result.scores) == 3
    steps = result.pipeline_after.steps
    assert all(isinstance(step, FixedScaleNormalizer) and step.scale == "fixed" for _, step in steps[:2])
    assert steps[0][1].norm == "l2" and steps[1][1].norm == "rms"
    assert isinstance(result.pipeline_before[0], Normalizer)


def test_removal_gap_bad_input():
    X, y = _data(n=100)
    with pytest.raises(TypeError, match="Pipeline"):
        normalization_removal_gap(LogisticRegression(), X, y, X, y)
    with pytest.raises(ValueError, match="no per-sample"):
        normalization_removal_gap(make_pipeline(FixedScaleNormalizer(), LogisticRegression()), X, y, X, y)
    with pytest.raises(ValueError, match="l2"):
        normalization_removal_gap(make_pipeline(Normalizer(norm="max"), LogisticRegression()), X, y, X, y)
