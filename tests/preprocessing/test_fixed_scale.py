"""FixedScaleNormalizer: per-sample mode against sklearn and closed forms, fixed mode as a linear map."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.preprocessing import FixedScaleNormalizer


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    return rng.normal(size=(50, 7)) * rng.lognormal(0.0, 0.5, size=(50, 1)) + 0.3


def _layer_norm(X, eps):
    """The LayerNorm formula of torch.nn.functional.layer_norm (no affine part), written out."""
    mu = X.mean(axis=1, keepdims=True)
    var = ((X - mu) ** 2).mean(axis=1, keepdims=True)  # biased variance, as LayerNorm uses
    return (X - mu) / np.sqrt(var + eps)


def test_per_sample_l2_equals_sklearn_normalizer_exactly(X):
    ours = FixedScaleNormalizer(norm="l2", scale="per_sample").fit_transform(X)
    np.testing.assert_array_equal(ours, Normalizer(norm="l2").fit_transform(X))
    # all-zero rows are left at zero, as Normalizer does
    X_zero = X.copy()
    X_zero[3] = 0.0
    ours = FixedScaleNormalizer(norm="l2", scale="per_sample").fit_transform(X_zero)
    np.testing.assert_array_equal(ours, Normalizer().fit_transform(X_zero))


@pytest.mark.parametrize("eps", [0.0, 1e-5, 0.3])
def test_per_sample_layer_and_rms_follow_their_formulas(X, eps):
    layer = FixedScaleNormalizer(norm="layer", scale="per_sample", eps=eps).fit_transform(X)
    np.testing.assert_allclose(layer, _layer_norm(X, eps), rtol=1e-12)
    rms = FixedScaleNormalizer(norm="rms", scale="per_sample", eps=eps).fit_transform(X)
    np.testing.assert_allclose(rms, X / np.sqrt((X**2).mean(axis=1, keepdims=True) + eps), rtol=1e-12)


@pytest.mark.parametrize("norm", ["layer", "rms", "l2"])
def test_fixed_scale_is_the_mean_row_statistic_and_a_linear_map(X, norm):
    per_sample = FixedScaleNormalizer(norm=norm, scale="per_sample").fit(X)
    fixed = FixedScaleNormalizer(norm=norm).fit(X)
    assert fixed.scale_ == pytest.approx(per_sample.row_scale(X).mean(), rel=1e-14)
    np.testing.assert_allclose(fixed.row_scale(X), fixed.scale_)
    X_new = np.random.default_rng(1).normal(size=(5, X.shape[1]))
    np.testing.assert_allclose(fixed.transform(X_new), X_new @ fixed.linear_map_, atol=1e-14)
    assert not hasattr(per_sample, "scale_") and not hasattr(per_sample, "linear_map_")


def test_layer_map_centres_rows(X):
    fixed = FixedScaleNormalizer(norm="layer").fit(X)
    np.testing.assert_allclose(fixed.transform(X).mean(axis=1), 0.0, atol=1e-14)
    d = X.shape[1]
    np.testing.assert_allclose(fixed.linear_map_, (np.eye(d) - 1.0 / d) / fixed.scale_)


def test_fixed_mode_equals_layer_norm_when_all_rows_share_a_norm(X):
    # rows rescaled to the same standard deviation: the fixed scale is exact
    centred = X - X.mean(axis=1, keepdims=True)
    X_same = centred / centred.std(axis=1, keepdims=True) * 2.0
    fixed = FixedScaleNormalizer(eps=0.0).fit_transform(X_same)
    np.testing.assert_allclose(fixed, _layer_norm(X_same, 0.0), atol=1e-12)


def test_constant_rows_blow_up_per_sample_only():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    X[0] = 5.0 + 1e-7 * rng.normal(size=4)  # nearly constant: only rounding noise remains
    per_sample = FixedScaleNormalizer(scale="per_sample").fit_transform(X)
    fixed = FixedScaleNormalizer().fit_transform(X)
    # per sample, noise of size 1e-7 is divided by sqrt(var + eps) ~ sqrt(eps) = 3e-3;
    # the fixed scale (about 1, from the other rows) leaves it at its size
    assert np.abs(per_sample[0]).max() > 1e-5
    assert np.abs(fixed[0]).max() < 1e-6
    # exactly constant rows with eps=0: left unscaled (centred to zero), no NaN
    X[1] = 2.0
    out = FixedScaleNormalizer(scale="per_sample", eps=0.0).fit_transform(X)
    np.testing.assert_array_equal(out[1], 0.0)
    assert np.isfinite(out).all()


def test_all_zero_training_data_gives_unit_scale():
    zeros = np.zeros((4, 3))
    for norm in ("rms", "l2"):
        normalizer = FixedScaleNormalizer(norm=norm, eps=0.0).fit(zeros)
        assert normalizer.scale_ == 1.0
        np.testing.assert_array_equal(normalizer.transform(zeros), 0.0)


def test_float32_preserved_and_input_not_modified(X):
    X32 = X.astype(np.float32)
    before = X32.copy()
    out = FixedScaleNormalizer().fit(X32).transform(X32)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(X32, before)
    np.testing.assert_allclose(out, FixedScaleNormalizer().fit_transform(X), rtol=1e-5, atol=1e-6)


def test_scale_fitted_on_training_rows_only(X):
    X_train, X_test = train_test_split(X, random_state=0)
    pipe = make_pipeline(FixedScaleNormalizer()).fit(X_train)
    expected = FixedScaleNormalizer(scale="per_sample").fit(X_train).row_scale(X_train).mean()
    assert pipe[0].scale_ == pytest.approx(expected)
    np.testing.assert_allclose(pipe.transform(X_test), X_test @ pipe[0].linear_map_)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"norm": "max"}, "norm"),
        ({"scale": "per_row"}, "scale"),
        ({"eps": -1.0}, "eps"),
        ({"eps": "small"}, "eps"),
    ],
)
def test_bad_parameters(X, params, match):
    with pytest.raises(InvalidParameterError, match=match):
        FixedScaleNormalizer(**params).fit(X)


def test_bad_input(X):
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FixedScaleNormalizer().fit(X_nan)
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        FixedScaleNormalizer(scale="per_sample").fit(X_inf)
    fitted = FixedScaleNormalizer().fit(X)
    with pytest.raises(ValueError, match="features"):
        fitted.transform(X[:, :3])
    with pytest.raises(ValueError, match="2D array"):
        FixedScaleNormalizer().fit(X[0])
    with pytest.raises(ValueError):
        FixedScaleNormalizer().fit(np.array([["a", "b"], ["c", "d"]]))


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, (6, 4), elements=st.floats(-100, 100)),
    st.floats(0.01, 100),
    st.permutations(range(6)),
)
def test_scale_equivariance_and_row_order(X, c, order):
    fixed = FixedScaleNormalizer(norm="rms", eps=0.0).fit(X)
    scaled = FixedScaleNormalizer(norm="rms", eps=0.0).fit(c * X)
    # scaling all rows by c scales the fixed divisor by c: the output is unchanged
    np.testing.assert_allclose(scaled.transform(c * X), fixed.transform(X), rtol=1e-9, atol=1e-12)
    permuted = FixedScaleNormalizer(norm="rms", eps=0.0).fit(X[list(order)])
    assert permuted.scale_ == pytest.approx(fixed.scale_, rel=1e-12)
