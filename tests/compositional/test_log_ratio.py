"""LogRatioTransformer against the closed forms of clr/alr, and its input handling."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import gmean
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.compositional import LogRatioTransformer


def _compositions(n_samples=50, n_parts=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.gamma(2.0, size=(n_samples, n_parts))
    return X / X.sum(axis=1, keepdims=True)


def test_clr_is_log_over_geometric_mean():
    X = _compositions()
    expected = np.log(X / gmean(X, axis=1)[:, None])
    np.testing.assert_allclose(LogRatioTransformer().fit_transform(X), expected, atol=1e-12)


@pytest.mark.parametrize("reference", [0, 2, -1, 4])
def test_alr_is_log_ratio_to_reference(reference):
    X = _compositions()
    r = reference % X.shape[1]
    expected = np.log(np.delete(X, r, axis=1) / X[:, [r]])
    transformer = LogRatioTransformer(kind="alr", reference=reference).fit(X)
    assert transformer.reference_ == r
    np.testing.assert_allclose(transformer.transform(X), expected, atol=1e-12)


@pytest.mark.parametrize("kind", ["clr", "alr"])
def test_scale_invariance_and_inverse_returns_closed_compositions(kind):
    X = _compositions()
    unclosed = X * np.random.default_rng(1).uniform(0.1, 100.0, size=(X.shape[0], 1))
    transformer = LogRatioTransformer(kind=kind).fit(X)
    Z = transformer.transform(X)
    np.testing.assert_allclose(transformer.transform(unclosed), Z, atol=1e-12)
    back = transformer.inverse_transform(Z)
    np.testing.assert_allclose(back, X, atol=1e-12)
    np.testing.assert_allclose(back.sum(axis=1), 1.0)


def test_inverse_transform_does_not_overflow_and_checks_width():
    transformer = LogRatioTransformer(kind="alr").fit(_compositions(n_parts=3))
    back = transformer.inverse_transform(np.array([[800.0, 0.0]]))
    np.testing.assert_allclose(back, [[1.0, 0.0, 0.0]], atol=1e-300)
    with pytest.raises(ValueError, match="alr coordinates of 3 parts have 2"):
        transformer.inverse_transform(np.zeros((2, 3)))


@settings(max_examples=30, deadline=None)
@given(
    X=arrays(np.float64, (6, 4), elements=st.floats(1e-3, 1e3)),
    permutation=st.permutations(range(4)),
)
def test_clr_is_permutation_equivariant(X, permutation):
    transformer = LogRatioTransformer()
    np.testing.assert_allclose(
        transformer.fit_transform(X[:, permutation]), transformer.fit_transform(X)[:, permutation], atol=1e-9
    )


def test_pandas_output_names_and_reference_by_name():
    X = pd.DataFrame(_compositions(n_parts=4), columns=["Si", "Al", "Fe", "Mg"])
    clr = LogRatioTransformer().set_output(transform="pandas").fit_transform(X)
    assert list(clr.columns) == ["Si", "Al", "Fe", "Mg"]
    alr = LogRatioTransformer(kind="alr", reference="Al").set_output(transform="pandas").fit(X)
    out = alr.transform(X)
    assert list(out.columns) == ["Si", "Fe", "Mg"]
    np.testing.assert_allclose(out["Fe"], np.log(X["Fe"] / X["Al"]))
    assert list(alr.get_feature_names_out()) == ["Si", "Fe", "Mg"]


def test_pipeline_with_a_scaler():
    X = _compositions()
    Z = make_pipeline(LogRatioTransformer(kind="alr"), StandardScaler()).fit_transform(X)
    assert Z.shape == (50, 4)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)


def test_input_is_not_modified():
    X = _compositions()
    X[0, 0] = 0.0
    copy = X.copy()
    LogRatioTransformer(pseudocount=0.5).fit_transform(X)
    np.testing.assert_array_equal(X, copy)


# --- bad input -------------------------------------------------------------------------------------------


def test_zeros_raise_unless_pseudocount():
    X = _compositions()
    X[3, 1] = 0.0
    with pytest.raises(ValueError, match="1 zero part.*pseudocount"):
        LogRatioTransformer().fit(X)
    Z = LogRatioTransformer(pseudocount=0.5).fit_transform(X)
    np.testing.assert_allclose(Z, LogRatioTransformer().fit_transform(X + 0.5))
    # fitted on zero-free data, a zero at transform time still raises
    fitted = LogRatioTransformer().fit(_compositions())
    with pytest.raises(ValueError, match="zero part"):
        fitted.transform(X)


def test_negative_parts_raise_even_with_pseudocount():
    X = _compositions()
    X[0, 0] = -0.1
    for transformer in (LogRatioTransformer(), LogRatioTransformer(pseudocount=1.0)):
        with pytest.raises(ValueError, match="Negative values in data passed to LogRatioTransformer"):
            transformer.fit(X)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_raise(bad):
    X = _compositions()
    X[2, 2] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        LogRatioTransformer().fit(X)


def test_single_part_raises():
    with pytest.raises(ValueError, match="at least 2 parts; got X with 1 feature"):
        LogRatioTransformer().fit(np.ones((5, 1)))


def test_bad_parameters():
    X = _compositions(n_parts=3)
    with pytest.raises(InvalidParameterError, match="kind"):
        LogRatioTransformer(kind="ilr").fit(X)
    with pytest.raises(InvalidParameterError, match="pseudocount"):
        LogRatioTransformer(pseudocount=0.0).fit(X)
    with pytest.raises(InvalidParameterError, match="reference"):
        LogRatioTransformer(kind="alr", reference=1.5).fit(X)
    with pytest.raises(ValueError, match="reference=3 is out of range for 3 parts"):
        LogRatioTransformer(kind="alr", reference=3).fit(X)
    with pytest.raises(ValueError, match="reference='Si'.*no feature names"):
        LogRatioTransformer(kind="alr", reference="Si").fit(X)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    with pytest.raises(ValueError, match="reference='Si' is not one of"):
        LogRatioTransformer(kind="alr", reference="Si").fit(frame)
    # clr ignores the reference
    LogRatioTransformer(kind="clr", reference="Si").fit(frame)


def test_wrong_number_of_parts_at_transform():
    transformer = LogRatioTransformer().fit(_compositions(n_parts=4))
    with pytest.raises(ValueError, match="4 features"):
        transformer.transform(_compositions(n_parts=5))
