"""Normalisation methods against hand-computed examples, and their invariances."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fivecolor.scoring.normalise import IndicatorArrays, normalise


def arrays_for(direction="higher", goalposts=(0.0, 100.0), log=False):
    return IndicatorArrays(
        worst=np.array([goalposts[0]]),
        best=np.array([goalposts[1]]),
        sign=np.array([1.0 if direction == "higher" else -1.0]),
        log=np.array([log]),
    )


def column(*values):
    return np.array(values, dtype=float)[:, None]  # (stations, 1 indicator)


def test_goalposts_higher_is_linear_between_worst_and_best_and_capped():
    ind = arrays_for("higher", (60, 100))
    out = normalise(column(80, 60, 100, 110, 50), ind, "goalposts")[:, 0]
    assert out.tolist() == [50.0, 0.0, 100.0, 100.0, 0.0]


def test_goalposts_lower_is_better():
    ind = arrays_for("lower", (3.0, 0.2))
    out = normalise(column(1.6, 3.0, 0.2, 0.0, 5.0), ind, "goalposts")[:, 0]
    np.testing.assert_allclose(out, [50.0, 0.0, 100.0, 100.0, 0.0])


def test_log_transform_applies_to_values_and_goalposts_alike():
    ind = arrays_for("lower", (12, 2), log=True)
    out = normalise(column(math.sqrt(24), 6, 2, 12), ind, "goalposts")[:, 0]
    # sqrt(2*12) is the geometric midpoint; 6 is ln(12/6)/ln(12/2) of the way: 100 ln2/ln6.
    np.testing.assert_allclose(out, [50.0, 100 * math.log(2) / math.log(6), 100.0, 0.0])


def test_minmax_worked_example_both_directions():
    x = column(2, 4, 6, 10)
    np.testing.assert_allclose(normalise(x, arrays_for("higher"), "minmax")[:, 0], [0, 25, 50, 100])
    np.testing.assert_allclose(normalise(x, arrays_for("lower"), "minmax")[:, 0], [100, 75, 50, 0])


def test_zscore_worked_example():
    # mean 2, population sd sqrt(2/3); z = ±1.2247; score = 50 + 50/3 z
    z = 1 / math.sqrt(2 / 3)
    out = normalise(column(1, 2, 3), arrays_for(), "zscore")[:, 0]
    np.testing.assert_allclose(out, [50 - 50 / 3 * z, 50, 50 + 50 / 3 * z])


def test_zscore_is_capped_at_three_standard_deviations():
    x = column(*([0.0] * 99 + [1.0]))  # the outlier sits at z = sqrt(99) > 3
    out = normalise(x, arrays_for(), "zscore")[:, 0]
    assert out[-1] == 100.0 and 0 < out[0] < 50


def test_rank_worked_example_with_ties():
    out = normalise(column(10, 30, 20, 20), arrays_for(), "rank")[:, 0]
    np.testing.assert_allclose(out, [0, 100, 50, 50])


@pytest.mark.parametrize("method", ["minmax", "zscore", "rank"])
def test_relative_methods_score_a_column_without_spread_at_the_midpoint(method):
    out = normalise(column(7, 7, 7), arrays_for(), method)[:, 0]
    assert out.tolist() == [50.0, 50.0, 50.0]


@pytest.mark.parametrize("method", ["goalposts", "minmax", "zscore", "rank"])
def test_missing_cells_stay_missing_and_do_not_enter_the_statistics(method):
    with_gap = normalise(column(1, np.nan, 3, 5), arrays_for(), method)[:, 0]
    without = normalise(column(1, 3, 5), arrays_for(), method)[:, 0]
    assert np.isnan(with_gap[1])
    np.testing.assert_allclose(with_gap[[0, 2, 3]], without)


def test_relative_methods_work_per_month():
    cube = np.array([[[1.0], [2.0], [3.0]], [[10.0], [30.0], [20.0]]])  # (2 months, 3 stations, 1)
    out = normalise(cube, arrays_for(), "minmax")[..., 0]
    np.testing.assert_allclose(out, [[0, 50, 100], [0, 100, 50]])


finite = st.integers(50, 1_000_000).map(lambda v: v / 100)  # distinct values differ by >= 0.01


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(float, (7, 3), elements=finite),
    scale=st.floats(0.001, 1000),
    log=st.booleans(),
    method=st.sampled_from(["minmax", "zscore", "rank"]),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_changing_units_leaves_relative_scores_unchanged(x, scale, log, method, direction):
    ind = IndicatorArrays(
        worst=np.ones(3),
        best=np.full(3, 2.0),
        sign=np.full(3, 1.0 if direction == "higher" else -1.0),
        log=np.array([log, False, True]),
    )
    np.testing.assert_allclose(
        normalise(x * scale, ind, method), normalise(x, ind, method), atol=1e-6
    )
