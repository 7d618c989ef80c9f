"""The scoring pipeline end to end on small cubes: worked examples, properties, the scores table."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fivecolor.analysis.month import colour_summary, movers, points_lost, weak_indicators
from fivecolor.scoring.pipeline import score
from fivecolor.views.common import scores_file

from factories import indicator, make_dataset, make_params


def three_indicators(**top):
    return make_params(
        {
            "a": indicator(2),
            "b": indicator(1),
            "c": indicator(1, direction="lower", goalposts=(100, 0)),
        },
        **top,
    )


def test_goalposts_arithmetic_worked_example():
    params = three_indicators()
    # a: 90, b: 50, c (lower, [100, 0]): 20 → 80; weights 2:1:1 → (180 + 50 + 80) / 4 = 77.5
    result = score(make_dataset([[90, 50, 20]], params), params)
    assert result.composite[0, 0] == pytest.approx(77.5)
    assert result.band[0, 0] == 3  # green: 75 <= 77.5 < 80


def test_two_level_aggregation_worked_example():
    params = make_params(
        {
            "a": indicator(1, group="g1"),
            "b": indicator(1, group="g1"),
            "c": indicator(1, group="g2"),
            "d": indicator(3, group="g2"),
        },
        groups={
            "g1": {"label": {"zh": "一", "en": "one"}, "weight": 2},
            "g2": {"label": {"zh": "二", "en": "two"}, "weight": 1, "aggregation": "geometric"},
        },
    )
    result = score(make_dataset([[90, 70, 40, 80]], params), params)
    g1 = (90 + 70) / 2
    g2 = math.exp(0.25 * math.log(40) + 0.75 * math.log(80))
    assert result.group_scores[0, 0].tolist() == pytest.approx([g1, g2])
    assert result.composite[0, 0] == pytest.approx((2 * g1 + g2) / 3)
    # effective weights: group share times share within the group
    np.testing.assert_allclose(result.weights.effective, [1 / 3, 1 / 3, 1 / 12, 1 / 4])


def test_geometric_top_level_makes_a_zero_decisive():
    params = three_indicators(aggregation="geometric")
    result = score(make_dataset([[100, 100, 0], [100, 0, 0]], params), params)  # c: lower is better
    assert result.composite[0].tolist() == [100.0, 0.0]


def test_missing_policies():
    cube = np.array([[[80.0, 60.0, 50.0], [40.0, np.nan, 50.0], [60.0, 20.0, 50.0]]])
    reweight = three_indicators(missing="reweight")
    r = score(make_dataset(cube, reweight), reweight)
    assert r.composite[0, 1] == pytest.approx((2 * 40 + 50) / 3)
    assert r.missing[0, 1].tolist() == [False, True, False]
    imputed = three_indicators(missing="impute_median")
    r = score(make_dataset(cube, imputed), imputed)
    assert r.filled[0, 1, 1] == pytest.approx(40.0)  # median of 60 and 20
    assert r.composite[0, 1] == pytest.approx((2 * 40 + 40 + 50) / 4)
    assert r.table()["missing"].tolist().count("b") == 1


def test_equal_weights_scheme_ignores_the_given_weights():
    params = three_indicators(weights_scheme="equal")
    result = score(make_dataset([[90, 50, 20]], params), params)
    assert result.composite[0, 0] == pytest.approx((90 + 50 + 80) / 3)


def test_scores_table_has_previous_band_and_change():
    params = three_indicators()
    cube = np.array(
        [
            [
                [95, 95, 5],
                [70, 70, 30],
                [80, 80, 20],
                [80, 80, 20],
            ],  # 2020-04: red, yellow, blue, blue
            [
                [85, 85, 15],
                [76, 76, 24],
                [80, 80, 20],
                [95, 95, 5],
            ],  # 2020-05: orange, green, blue, red
        ],
        dtype=float,
    )
    table = scores_file(score(make_dataset(cube, params), params)).set_index("station_id")
    assert table.loc[["s00", "s01", "s02", "s03"], "band"].tolist() == [
        "orange",
        "green",
        "blue",
        "red",
    ]
    assert table.loc[["s00", "s01", "s02", "s03"], "prev_band"].tolist() == [
        "red",
        "yellow",
        "blue",
        "blue",
    ]
    assert table.loc[["s00", "s01", "s02", "s03"], "change"].tolist() == [
        "down",
        "up",
        "same",
        "up",
    ]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table.loc["s00", "band_label"] == "橙色（较好）"
    assert {"score_a", "score_b", "score_c"} <= set(table.columns)


def test_change_is_new_without_last_month():
    params = three_indicators()
    cube = np.array([[[90, 90, 10]], [[90, 90, 10]]], dtype=float)
    gap = make_dataset(cube, params, periods=("2020-02", "2020-05"))  # no April
    assert score(gap, params).table()["change"].tolist() == ["new"]


def test_colour_summary_and_movers():
    params = three_indicators()
    cube = np.array([[[95, 95, 5], [70, 70, 30]], [[95, 95, 5], [86, 86, 14]]], dtype=float)
    result = score(make_dataset(cube, params), params)
    summary = colour_summary(result).set_index("band")
    assert summary.loc["orange", "count"] == 1 and summary.loc["yellow", "change"] == -1
    moved = movers(result)
    assert moved["station_id"].tolist() == ["s01"] and moved["steps"].tolist() == [3]


def test_points_lost_equal_weight_times_shortfall_for_arithmetic():
    params = three_indicators()
    result = score(make_dataset([[90, 50, 20]], params), params)
    # weights 1/2, 1/4, 1/4; shortfalls 10, 50, 20
    np.testing.assert_allclose(points_lost(result)[0], [5.0, 12.5, 5.0])


def test_weak_indicators_name_the_costliest_and_the_bottom_band():
    params = three_indicators()
    cube = [[90, 50, 20], [95, 95, 5], [95, 95, 5]]
    weak = weak_indicators(score(make_dataset(cube, params), params), top=1)
    s00 = weak[weak["station_id"] == "s00"].set_index("indicator")
    assert s00.loc["b", "loss_rank"] == 1 and s00.loc["b", "points_lost"] == pytest.approx(12.5)
    assert bool(s00.loc["b", "bottom_band"])  # 50 is below the yellow cut-off 75 on its own
    assert "c" not in s00.index or not s00.loc["c", "bottom_band"]  # 80 is blue on c


# -- properties --------------------------------------------------------------------------
settings.register_profile(
    "scoring", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@settings(settings.get_profile("scoring"))
@given(
    seed=st.integers(0, 2**32 - 1),
    normalisation=st.sampled_from(["goalposts", "minmax", "zscore", "rank"]),
    aggregation=st.sampled_from(["arithmetic", "geometric"]),
    band_method=st.sampled_from(["cutoffs", "quantiles"]),
    station=st.integers(0, 7),
    which=st.integers(0, 2),
    step=st.floats(0.5, 60),
)
def test_improving_an_indicator_never_lowers_score_or_band(
    seed, normalisation, aggregation, band_method, station, which, step
):
    params = three_indicators(
        normalisation=normalisation, aggregation=aggregation, bands={"method": band_method}
    )
    rng = np.random.default_rng(seed)
    cube = np.round(rng.uniform(0, 100, size=(1, 8, 3)), 1)
    better = cube.copy()
    direction = 1.0 if which < 2 else -1.0  # indicator c is lower-is-better
    better[0, station, which] = np.clip(better[0, station, which] + direction * step, 0, 100)
    before = score(make_dataset(cube, params), params)
    after = score(make_dataset(better, params), params)
    assert after.composite[0, station] >= before.composite[0, station] - 1e-9
    assert after.band[0, station] <= before.band[0, station]  # code 0 is the best band


@settings(settings.get_profile("scoring"))
@given(seed=st.integers(0, 2**32 - 1))
def test_scoring_is_deterministic_and_does_not_mutate_its_inputs(seed):
    params = three_indicators(normalisation="rank")
    cube = np.random.default_rng(seed).uniform(0, 100, size=(2, 6, 3))
    data = make_dataset(cube, params)
    snapshot = data.values.copy()
    first, second = score(data, params).table(), score(data, params).table()
    pd.testing.assert_frame_equal(first, second)
    np.testing.assert_array_equal(data.values, snapshot)
