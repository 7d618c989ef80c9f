"""Weighting schemes checked against published examples and independent computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivecolor.scoring.weights import (
    RANDOM_INDEX,
    SCHEMES,
    AhpResult,
    ahp_weights,
    all_scheme_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    given_weights,
    pca_weights,
    random_index,
    varimax,
)


def _fractions(text: str) -> np.ndarray:
    """Parse a comparison matrix written as in the papers ("1/7" etc.)."""
    return np.array(
        [[float(eval(cell)) for cell in line.split()] for line in text.strip().splitlines()]
    )


# --------------------------------------------------------------------------------------------
# AHP: Saaty's published examples
# --------------------------------------------------------------------------------------------

# Saaty (1990), "How to make a decision: the analytic hierarchy process", EJOR 48, 9-26: the
# family buying a house, eight criteria (size, transportation, neighbourhood, age, yard,
# modern facilities, general condition, financing). Published: priorities .173 .054 .188 .018
# .031 .036 .167 .333, lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169.
HOUSE = _fractions(
    """
    1   5   3   7 6   6   1/3 1/4
    1/5 1   1/3 5 3   3   1/5 1/7
    1/3 3   1   6 3   4   6   1/5
    1/7 1/5 1/6 1 1/3 1/4 1/7 1/8
    1/6 1/3 1/3 3 1   1/2 1/5 1/6
    1/6 1/3 1/4 4 2   1   1/5 1/6
    3   5   1/6 7 5   5   1   1/2
    4   7   5   8 6   6   2   1
    """
)
HOUSE_PRIORITIES = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]

# Saaty & Khouja (1976), reprinted in Saaty (1990) EJOR 48: relative wealth of nations (US,
# USSR, China, France, UK, Japan, West Germany). Published: eigenvector .427 .230 .021 .052
# .052 .123 .094, lambda_max = 7.61, C.I. = 0.10, C.R. = 0.08 (actual GNP shares .413 .225 .043
# .069 .055 .104 .091).
WEALTH = _fractions(
    """
    1   4   9 6   6   5   5
    1/4 1   7 5   5   3   4
    1/9 1/7 1 1/5 1/5 1/7 1/5
    1/6 1/5 5 1   1   1/3 1/3
    1/6 1/5 5 1   1   1/3 1/3
    1/5 1/3 7 3   3   1   2
    1/5 1/4 5 3   3   1/2 1
    """
)
WEALTH_PRIORITIES = [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094]


def test_ahp_house_example_matches_saaty_1990():
    result = ahp_weights(HOUSE)
    np.testing.assert_allclose(result.weights, HOUSE_PRIORITIES, atol=6e-4)
    assert result.lambda_max == pytest.approx(9.669, abs=6e-4)
    assert result.ci == pytest.approx(0.238, abs=6e-4)
    assert result.cr == pytest.approx(0.169, abs=6e-4)


def test_ahp_wealth_of_nations_matches_saaty():
    result = ahp_weights(WEALTH)
    np.testing.assert_allclose(result.weights, WEALTH_PRIORITIES, atol=6e-4)
    assert result.lambda_max == pytest.approx(7.61, abs=6e-3)
    assert result.ci == pytest.approx(0.10, abs=6e-3)
    assert result.cr == pytest.approx(0.08, abs=6e-3)


def test_ahp_principal_eigenvector_solves_the_eigen_equation():
    result = ahp_weights(HOUSE)
    np.testing.assert_allclose(HOUSE @ result.weights, result.lambda_max * result.weights)
    # Saaty's column-normalised average is the classic hand approximation: close, not equal.
    approx = (HOUSE / HOUSE.sum(axis=0)).mean(axis=1)
    assert np.abs(approx - result.weights).max() < 0.03


def test_ahp_accepts_rounded_reciprocals_as_typed_in_parameters():
    typed = np.where(HOUSE < 1, np.round(HOUSE, 3), HOUSE)  # 0.333, 0.143, 0.167, 0.125 ...
    result = ahp_weights(typed)
    np.testing.assert_allclose(result.weights, HOUSE_PRIORITIES, atol=2e-3)


def test_ahp_consistent_matrix_gives_back_its_weights():
    w = np.array([0.4, 0.3, 0.15, 0.1, 0.05])
    result = ahp_weights(np.outer(w, 1 / w))
    np.testing.assert_allclose(result.weights, w, rtol=1e-12)
    assert result.lambda_max == pytest.approx(5.0, abs=1e-12)
    assert result.ci == pytest.approx(0.0, abs=1e-12)
    assert result.cr == pytest.approx(0.0, abs=1e-12)


def test_ahp_result_is_frozen_and_read_only():
    result = ahp_weights([[1, 2], [0.5, 1]])
    assert isinstance(result, AhpResult)
    with pytest.raises(AttributeError):
        result.cr = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        result.weights[0] = 1.0


def test_ahp_small_matrices_are_consistent_by_definition():
    one = ahp_weights([[1.0]])
    assert one.weights.tolist() == [1.0] and one.ci == 0.0 and one.cr == 0.0
    two = ahp_weights([[1, 4], [0.25, 1]])
    np.testing.assert_allclose(two.weights, [0.8, 0.2])
    assert two.cr == 0.0


def test_random_index_table_matches_saaty():
    assert [RANDOM_INDEX[n] for n in (1, 2, 3, 4, 5, 10)] == [0.0, 0.0, 0.58, 0.90, 1.12, 1.49]
    assert sorted(RANDOM_INDEX) == list(range(1, 16))
    assert random_index(15) == 1.59
    with pytest.raises(ValueError, match="1 to 15"):
        random_index(16)


def test_ahp_cr_uses_the_random_index_of_its_size():
    # A 3x3 matrix with a known inconsistency: a13 = 1 instead of a12 * a23 = 4.
    a = np.array([[1, 2, 1], [0.5, 1, 2], [1, 0.5, 1]])
    result = ahp_weights(a)
    lam = float(np.max(np.linalg.eigvals(a).real))
    assert result.lambda_max == pytest.approx(lam)
    assert result.ci == pytest.approx((lam - 3) / 2)
    assert result.cr == pytest.approx((lam - 3) / 2 / 0.58)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 2, 3], [0.5, 1, 2]], r"square"),
        ([[1, -2], [-0.5, 1]], r"a\[0, 1\] = -2 must be a positive"),
        ([[1, 2], [0.5, 2]], r"diagonal entry a\[1, 1\] = 2 must be 1"),
        (
            [[1, 3, 5], [1 / 3, 1, 2], [0.2, 0.25, 1]],
            r"not reciprocal at a\[1, 2\]: 2 and a\[2, 1\] = 0.25 \(expected about 0.5\)",
        ),
        ([[1, 3], [0.3, 1]], r"not reciprocal at a\[0, 1\]"),
        ([[1, np.nan], [1, 1]], r"a\[0, 1\] = nan must be a positive"),
    ],
)
def test_ahp_rejects_bad_matrices_naming_the_cell(matrix, message):
    with pytest.raises(ValueError, match=message) as info:
        ahp_weights(matrix)
    assert "\n" not in str(info.value)


def test_ahp_error_names_labels_when_given():
    with pytest.raises(ValueError, match=r"a\[0, 1\] \(safety vs outage\)"):
        ahp_weights([[1, 3], [0.5, 1]], labels=["safety", "outage"])


def test_ahp_rejects_more_than_fifteen_criteria():
    with pytest.raises(ValueError, match="not 16"):
        ahp_weights(np.ones((16, 16)))


# --------------------------------------------------------------------------------------------
# given and equal
# --------------------------------------------------------------------------------------------


def test_given_weights_normalise_and_validate():
    np.testing.assert_allclose(given_weights([15, 12, 10, 13]), [0.3, 0.24, 0.2, 0.26])
    np.testing.assert_allclose(given_weights([0, 2]), [0.0, 1.0])
    with pytest.raises(ValueError, match="position 1 is negative"):
        given_weights([1, -1, 3])
    with pytest.raises(ValueError, match="sum to zero"):
        given_weights([0, 0])
    with pytest.raises(ValueError, match="not finite"):
        given_weights([1, np.nan])


def test_equal_weights():
    np.testing.assert_array_equal(equal_weights(5), np.full(5, 0.2))
    with pytest.raises(ValueError):
        equal_weights(0)


# --------------------------------------------------------------------------------------------
# entropy
# --------------------------------------------------------------------------------------------


def _entropy_by_hand(rows: list[list[float]]) -> list[float]:
    """The textbook steps, one cell at a time: shares, entropy, divergence, weights."""
    m, n = len(rows), len(rows[0])
    divergence = []
    for j in range(n):
        total = sum(rows[i][j] for i in range(m))
        e = 0.0
        for i in range(m):
            p = rows[i][j] / total
            if p > 0:
                e -= p * math.log(p)
        divergence.append(1 - e / math.log(m))
    return [d / sum(divergence) for d in divergence]


def test_entropy_matches_a_hand_computation():
    rows = [[80.0, 55.0, 90.0], [60.0, 95.0, 88.0], [100.0, 0.0, 91.0], [70.0, 40.0, 85.0]]
    expected = _entropy_by_hand(rows)
    np.testing.assert_allclose(entropy_weights(np.array(rows)), expected, rtol=1e-12)
    # Sanity of the reference itself: the zero makes column 1 the most divergent.
    assert max(expected) == expected[1]


def test_entropy_constant_column_gets_zero_and_the_rest_is_unchanged():
    rows = [[80.0, 55.0, 75.0], [60.0, 95.0, 75.0], [100.0, 0.0, 75.0], [70.0, 40.0, 75.0]]
    w = entropy_weights(np.array(rows))
    assert w[2] == 0.0
    np.testing.assert_allclose(w[:2], _entropy_by_hand([r[:2] for r in rows]), rtol=1e-12)


def test_entropy_all_constant_or_all_zero_gives_equal_weights():
    np.testing.assert_allclose(entropy_weights(np.full((5, 3), 60.0)), np.full(3, 1 / 3))
    np.testing.assert_allclose(entropy_weights(np.zeros((5, 4))), np.full(4, 0.25))


def test_entropy_ignores_missing_cells_column_by_column():
    rows = [[80.0, 55.0], [60.0, 95.0], [100.0, np.nan], [70.0, 40.0]]
    x = np.array(rows)
    # Column 1 computed on its three observed cells (ln 3, not ln 4).
    col0 = [r[0] for r in rows]
    col1 = [55.0, 95.0, 40.0]

    def divergence(values):
        total = sum(values)
        return 1 + sum(v / total * math.log(v / total) for v in values) / math.log(len(values))

    d = [divergence(col0), divergence(col1)]
    np.testing.assert_allclose(entropy_weights(x), [d[0] / sum(d), d[1] / sum(d)], rtol=1e-12)


def test_entropy_rejects_negative_scores():
    with pytest.raises(ValueError, match="row 1, column 0"):
        entropy_weights(np.array([[1.0, 2.0], [-1.0, 3.0]]))


# --------------------------------------------------------------------------------------------
# CRITIC
# --------------------------------------------------------------------------------------------

CRITIC_X = np.array(
    [
        [82.0, 60.0, 91.0, 70.0],
        [75.0, 88.0, 85.0, 72.0],
        [90.0, 45.0, 99.0, 64.0],
        [60.0, 70.0, 80.0, 90.0],
        [85.0, 95.0, 87.0, 55.0],
        [70.0, 52.0, 93.0, 81.0],
    ]
)


def _critic_with_pandas(x: np.ndarray) -> np.ndarray:
    frame = pd.DataFrame(x)
    scaled = (frame - frame.min()) / (frame.max() - frame.min())
    information = scaled.std(ddof=1) * (1 - scaled.corr()).sum()
    return (information / information.sum()).to_numpy()


def test_critic_matches_pandas_computation():
    np.testing.assert_allclose(critic_weights(CRITIC_X), _critic_with_pandas(CRITIC_X), rtol=1e-12)


def test_critic_two_columns_weights_are_proportional_to_spread():
    # With two criteria both conflict sums equal 1 - r, so w1 / w2 = sigma1 / sigma2.
    x = np.array([[0.0, 10.0], [5.0, 0.0], [10.0, 40.0], [9.0, 100.0], [1.0, 20.0]])
    scaled = (x - x.min(axis=0)) / np.ptp(x, axis=0)
    sigma = scaled.std(axis=0, ddof=1)
    np.testing.assert_allclose(critic_weights(x), sigma / sigma.sum(), rtol=1e-12)


def test_critic_is_invariant_to_positive_rescaling_and_shift():
    rescaled = CRITIC_X * np.array([1.0, 0.01, 7.0, 1.0]) + np.array([0.0, 5.0, -3.0, 0.0])
    np.testing.assert_allclose(critic_weights(rescaled), critic_weights(CRITIC_X), rtol=1e-12)


def test_critic_constant_column_gets_zero_and_leaves_the_others_alone():
    with_constant = np.column_stack([CRITIC_X[:, :2], np.full(6, 80.0), CRITIC_X[:, 2:]])
    w = critic_weights(with_constant)
    assert w[2] == 0.0
    np.testing.assert_allclose(np.delete(w, 2), critic_weights(CRITIC_X), rtol=1e-12)
    np.testing.assert_allclose(critic_weights(np.full((4, 3), 5.0)), np.full(3, 1 / 3))


def test_critic_with_missing_cells_matches_pandas_pairwise():
    x = CRITIC_X.copy()
    x[1, 0] = np.nan
    x[4, 2] = np.nan
    np.testing.assert_allclose(critic_weights(x), _critic_with_pandas(x), rtol=1e-12)


# --------------------------------------------------------------------------------------------
# PCA
# --------------------------------------------------------------------------------------------


def _data_with_correlation(corr: np.ndarray, n: int = 40, seed: int = 1) -> np.ndarray:
    """Data whose sample correlation matrix is exactly ``corr``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, corr.shape[0]))
    z -= z.mean(axis=0)
    q, _ = np.linalg.qr(z)  # orthonormal, centred columns
    return 50 + 10 * q @ np.linalg.cholesky(corr).T


def test_pca_block_correlation_matches_the_handbook_steps_analytically():
    # Block A: four indicators with r = 0.6 (eigenvalue 1 + 3 * 0.6 = 2.8); block B: two with
    # r = 0.5 (eigenvalue 1.5); the other eigenvalues are below 1. Each factor's scaled
    # squared loadings are equal within its block (1/4, 1/2), the shares 2.8/4.3 and 1.5/4.3.
    corr = np.eye(6)
    corr[:4, :4] = 0.6
    corr[4:, 4:] = 0.5
    np.fill_diagonal(corr, 1.0)
    expected = np.array([0.25 * 2.8] * 4 + [0.5 * 1.5] * 2) / 4.3
    np.testing.assert_allclose(pca_weights(_data_with_correlation(corr)), expected, atol=1e-9)


def test_pca_tied_eigenvalues_keep_both_factors():
    # Two identical, uncorrelated blocks: eigenvalues 1.8, 1.8 (tied) then 0.6s.
    corr = np.eye(4)
    corr[0, 1] = corr[1, 0] = corr[2, 3] = corr[3, 2] = 0.8
    np.testing.assert_allclose(pca_weights(_data_with_correlation(corr)), 0.25, atol=1e-9)


def test_pca_two_latent_factors_group_their_indicators():
    rng = np.random.default_rng(2020)
    n = 400
    factors = rng.standard_normal((n, 2))
    loadings = np.array([[0.9, 0], [0.85, 0], [0.8, 0], [0, 0.9], [0, 0.8], [0, 0.85]])
    noise = rng.standard_normal((n, 6)) * np.sqrt(1 - (loadings**2).sum(axis=1))
    x = 60 + 10 * (factors @ loadings.T + noise)
    w = pca_weights(x)
    assert w.sum() == pytest.approx(1.0)
    for group in (w[:3], w[3:]):
        assert group.max() / group.min() < 1.3
    # The two factors explain similar variance, so each group carries about half the weight.
    assert w[:3].sum() == pytest.approx(0.5, abs=0.08)
    # Invariant to the unit of each column, and deterministic.
    scaled = x * np.array([1, 100, 0.1, 3, 1, 0.5]) + 7
    np.testing.assert_allclose(pca_weights(scaled), w, atol=1e-10)
    np.testing.assert_array_equal(pca_weights(x), w)


def test_pca_constant_columns_and_degenerate_inputs():
    corr = np.eye(4)
    corr[0, 1] = corr[1, 0] = corr[2, 3] = corr[3, 2] = 0.8
    x = _data_with_correlation(corr)
    w = pca_weights(np.column_stack([x[:, :2], np.full(40, 70.0), x[:, 2:]]))
    assert w[2] == 0.0
    np.testing.assert_allclose(np.delete(w, 2), 0.25, atol=1e-9)
    np.testing.assert_allclose(pca_weights(np.column_stack([x[:, 0], np.ones(40)])), [1.0, 0.0])
    np.testing.assert_allclose(pca_weights(np.full((5, 3), 1.0)), np.full(3, 1 / 3))


def _varimax_criterion(loadings: np.ndarray) -> float:
    h = np.sqrt((loadings**2).sum(axis=1, keepdims=True))
    squared = (loadings / h) ** 2
    return float((squared**2).mean(axis=0).sum() - (squared.mean(axis=0) ** 2).sum())


def test_varimax_recovers_a_rotated_simple_structure():
    simple = np.array([[0.9, 0], [0.8, 0], [0.7, 0], [0, 0.9], [0, 0.6]])
    angle = np.deg2rad(35)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    rotated = varimax(simple @ rotation)
    # Up to the order of the factors (signs are fixed positive).
    if abs(rotated[0, 0]) < abs(rotated[0, 1]):
        rotated = rotated[:, ::-1]
    np.testing.assert_allclose(rotated, simple, atol=1e-8)


def test_varimax_is_an_orthogonal_rotation_that_maximises_the_criterion():
    rng = np.random.default_rng(7)
    loadings = rng.uniform(-1, 1, size=(8, 3))
    rotated = varimax(loadings)
    np.testing.assert_allclose(rotated @ rotated.T, loadings @ loadings.T, atol=1e-10)
    best = _varimax_criterion(rotated)
    for _ in range(50):
        q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
        assert _varimax_criterion(loadings @ q) <= best + 1e-10


# --------------------------------------------------------------------------------------------
# registry and table
# --------------------------------------------------------------------------------------------


def test_registry_names_match_the_parameters():
    assert list(SCHEMES) == ["given", "equal", "entropy", "critic", "pca", "ahp"]


def test_ahp_scheme_needs_a_matrix_of_the_right_size():
    given_w = np.ones(4)
    with pytest.raises(ValueError, match="needs a pairwise-comparison matrix"):
        SCHEMES["ahp"](CRITIC_X, given_w, None)
    with pytest.raises(ValueError, match="3x3 for 4 indicators"):
        SCHEMES["ahp"](CRITIC_X, given_w, np.ones((3, 3)))
    with pytest.raises(ValueError, match="3 given weights for 4 indicators"):
        SCHEMES["given"](CRITIC_X, np.ones(3), None)


def test_all_scheme_weights_table():
    given_w = np.array([4.0, 3.0, 2.0, 1.0])
    matrix = _fractions("1 2 3 4\n1/2 1 2 3\n1/3 1/2 1 2\n1/4 1/3 1/2 1")
    table = all_scheme_weights(CRITIC_X, given_w, matrix)
    assert table.index.name == "scheme"
    assert list(table.index) == list(SCHEMES)
    assert list(table.columns) == [0, 1, 2, 3, "consistency_ratio"]
    np.testing.assert_allclose(table.loc["given", [0, 1, 2, 3]], [0.4, 0.3, 0.2, 0.1])
    np.testing.assert_allclose(table.loc["critic", [0, 1, 2, 3]], critic_weights(CRITIC_X))
    np.testing.assert_allclose(table.loc["ahp", [0, 1, 2, 3]], ahp_weights(matrix).weights)
    assert table.loc["ahp", "consistency_ratio"] == pytest.approx(ahp_weights(matrix).cr)
    assert table.drop(index="ahp")["consistency_ratio"].isna().all()

    without_ahp = all_scheme_weights(CRITIC_X, given_w)
    assert "ahp" not in without_ahp.index and len(without_ahp) == 5


# --------------------------------------------------------------------------------------------
# contract shared by every scheme
# --------------------------------------------------------------------------------------------


@st.composite
def scheme_inputs(draw):
    """Score matrices with optional constant columns and missing cells, plus matching
    given weights, a mildly inconsistent AHP matrix and a column permutation."""
    seed = draw(st.integers(0, 2**32 - 1))
    stations = draw(st.integers(4, 30))
    indicators = draw(st.integers(2, 7))
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((stations, 2))
    mixing = rng.uniform(-1, 1, size=(2, indicators))
    x = np.clip(70 + 10 * (latent @ mixing + rng.standard_normal((stations, indicators))), 0, 100)
    if draw(st.booleans()):
        x[:, rng.integers(indicators)] = draw(st.sampled_from([0.0, 50.0, 100.0]))
    if draw(st.booleans()):
        x[rng.random(x.shape) < 0.1] = np.nan
    given_w = rng.uniform(0.5, 20, size=indicators)
    w = rng.uniform(0.1, 1, size=indicators)
    noise = np.triu(rng.normal(0, 0.2, size=(indicators, indicators)), k=1)
    matrix = np.outer(w, 1 / w) * np.exp(noise - noise.T)
    return x, given_w, matrix, rng.permutation(indicators)


@pytest.mark.parametrize("name", list(SCHEMES))
@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=scheme_inputs())
def test_every_scheme_is_a_permutation_equivariant_distribution(name, data):
    x, given_w, matrix, perm = data
    scheme = SCHEMES[name]
    before = (x.copy(), given_w.copy(), matrix.copy())
    w = scheme(x, given_w, matrix)
    assert w.shape == (x.shape[1],)
    assert np.all(np.isfinite(w)) and np.all(w >= 0)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    permuted = scheme(x[:, perm], given_w[perm], matrix[np.ix_(perm, perm)])
    np.testing.assert_allclose(permuted, w[perm], atol=1e-7)
    # Pure and deterministic: inputs untouched, same answer twice.
    for argument, copy in zip((x, given_w, matrix), before, strict=True):
        np.testing.assert_array_equal(argument, copy)
    np.testing.assert_array_equal(scheme(x, given_w, matrix), w)


def test_ahp_matrix_accepts_fractions_written_as_text(tmp_path):
    from fivecolor import load_params

    from conftest import REPO, write_yaml

    month = REPO / "params" / "2020-05.yaml"
    decimals = load_params(month, scheme=REPO / "params" / "schemes" / "ahp.yaml").ahp
    assert decimals is not None
    fractions = [[f"1/{round(1 / v)}" if v < 1 else v for v in row] for row in decimals.matrix]
    assert fractions[1][0] == "1/2" and fractions[8][0] == "1/6"
    path = write_yaml(
        {"extends": str(month), "ahp": {"order": list(decimals.order), "matrix": fractions}},
        tmp_path / "ahp-fractions.yaml",
    )
    typed = load_params(path).ahp
    assert typed is not None
    assert typed.matrix[1][0] == 0.5 and typed.matrix[6][1] == 1 / 3


def test_ahp_matrix_refuses_a_broken_fraction(expect_bad_input, project):
    from conftest import CATALOGUE

    def bad(doc):
        keys = list(CATALOGUE)
        matrix = [[1] * len(keys) for _ in keys]
        matrix[1][0] = "1/x"
        doc["weights_scheme"] = "ahp"
        doc["ahp"] = {"order": keys, "matrix": matrix}

    path = project.with_params(bad)
    message = expect_bad_input(path, path.name, ("ahp.matrix.1.0",))
    assert "fraction such as 1/3" in message
