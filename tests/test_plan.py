"""The combined plan to the next colour (一所一策), pairs that last and the stage forecast.

Plans are checked three ways: the water-filling step against :func:`scipy.optimize.minimize` and
the greedy step against :func:`scipy.optimize.linprog`, the whole plan against brute force over
a fine grid of gains (with the composite written out here from the published formulas), and
every plan by applying its targets to the data and re-scoring from scratch with
:func:`fivecolor.score`: the station reaches the colour named, and the same plan with every gain
1 % smaller does not.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import scipy.optimize
import scipy.stats

from fivecolor.analysis import action_files, actions, forecast, partners, plan
from fivecolor.data.dataset import load_data
from fivecolor.params import load_params
from fivecolor.scoring.bands import BANDS
from fivecolor.scoring.normalise import IndicatorArrays
from fivecolor.scoring.pipeline import score

from conftest import REPO
from factories import indicator, make_dataset, make_params

SAMPLE_PARAMS = REPO / "params" / "2020-05.yaml"
CODE = {b: n for n, b in enumerate(BANDS)}


@pytest.fixture(scope="module")
def sample():
    params = load_params(SAMPLE_PARAMS)
    return score(load_data(params), params)


# -- the water-filling step ------------------------------------------------------------------
def test_water_fill_matches_a_general_solver():
    rng = np.random.default_rng(7)
    for _ in range(25):
        n = int(rng.integers(2, 6))
        a, sigma, u = rng.uniform(0.1, 2, n), rng.uniform(0.2, 3, n), rng.uniform(0.1, 4, n)
        deficit = rng.uniform(0.05, 0.95) * float(a @ u)
        gain, ok = plan.water_fill(a[None], sigma, u[None], np.array([deficit]))
        assert ok[0]
        ref = scipy.optimize.minimize(
            lambda g, sigma=sigma: np.sum((g / sigma) ** 2),
            u / 2,
            jac=lambda g, sigma=sigma: 2 * g / sigma**2,
            method="SLSQP",
            bounds=list(zip(np.zeros(n), u, strict=True)),
            constraints=[
                {
                    "type": "ineq",
                    "fun": lambda g, a=a, d=deficit: a @ g - d,
                    "jac": lambda g, a=a: a,
                }
            ],
            options={"ftol": 1e-12, "maxiter": 500},
        )
        assert ref.success
        assert a @ gain[0] == pytest.approx(deficit, rel=1e-12)
        assert np.sum((gain[0] / sigma) ** 2) == pytest.approx(ref.fun, rel=1e-6)
        np.testing.assert_allclose(gain[0], ref.x, atol=1e-5)


def test_water_fill_says_when_the_bounds_do_not_suffice():
    gain, ok = plan.water_fill(
        np.array([[1.0, 2.0], [1.0, 2.0]]),
        np.ones(2),
        np.array([[1.0, 1.0], [1.0, 1.0]]),
        np.array([3.0, 3.5]),  # Σ a u = 3: exactly enough, then not
    )
    assert ok.tolist() == [True, False]
    np.testing.assert_allclose(gain, [[1.0, 1.0], [1.0, 1.0]])


@pytest.mark.parametrize("seed", range(40))
def test_greedy_fill_matches_a_linear_programme(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 8))
    a, sigma, u = rng.uniform(0.0, 2, n), rng.uniform(0.2, 3, n), rng.uniform(0.0, 4, n)
    if seed % 4 == 0:
        sigma[1] = sigma[0] * a[0] / a[1]  # a tie in points per spread
    deficit = rng.uniform(0.05, 0.95) * float(a @ u)
    gain, ok = plan.greedy_fill(a[None], sigma, u[None], np.array([deficit]))
    assert ok[0]
    ref = scipy.optimize.linprog(
        1 / sigma, A_ub=-a[None], b_ub=[-deficit], bounds=list(zip(np.zeros(n), u, strict=True))
    )
    assert ref.status == 0
    assert a @ gain[0] == pytest.approx(deficit, rel=1e-12)
    assert np.all((gain[0] >= 0) & (gain[0] <= u))
    assert np.sum(gain[0] / sigma) == pytest.approx(ref.fun, rel=1e-9)
    # no tie in the random draws: the optimum is unique, and at most one gain is partial
    if seed % 4:
        np.testing.assert_allclose(gain[0], ref.x, atol=1e-7)
        assert np.sum((gain[0] > 1e-12) & (gain[0] < u - 1e-12)) <= 1


def test_greedy_fill_fills_the_best_ratio_first_and_says_when_short():
    gain, ok = plan.greedy_fill(
        np.array([[1.0, 2.0, 1.0], [1.0, 2.0, 1.0], [1.0, 2.0, 1.0]]),
        np.array([1.0, 1.0, 3.0]),  # points per spread: 1, 2, 3
        np.ones((3, 3)),
        np.array([2.0, 4.0, 4.5]),
    )
    assert ok.tolist() == [True, True, False]
    np.testing.assert_allclose(gain, [[0.0, 0.5, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])


# -- small companies -------------------------------------------------------------------------
EFFORTS = ["linear", "quadratic"]


def _effort(gains: np.ndarray, spread: np.ndarray, effort: str) -> np.ndarray:
    """A plan's effort written out: the sum of gains (or of their squares) in spreads."""
    spreads = gains / spread
    return np.sum(spreads if effort == "linear" else spreads**2, axis=-1)


def _company(
    aggregation="arithmetic",
    normalisation="goalposts",
    bands=None,
    groups=None,
    n=4,
    effort="linear",
):
    """Ten stations, ``n`` indicators with goalposts [0, 100] (one lower-is-better), fixed draws."""
    rng = np.random.default_rng(11)
    specs = {
        f"x{k}": indicator(
            weight=float(k + 1),
            direction="lower" if k == 1 else "higher",
            goalposts=(100, 0) if k == 1 else (0, 100),
            valid=(0, 100),
            group=None if groups is None else ("g1" if k < 2 else "g2"),
        )
        for k in range(n)
    }
    top = {
        "aggregation": aggregation,
        "normalisation": normalisation,
        "missing": "reweight",
        "actions": {"plan": {"effort": effort}},
    }
    if bands is not None:
        top["bands"] = bands
    if groups is not None:
        top["groups"] = groups
    params = make_params(specs, **top)
    values = rng.uniform(55, 98, (3, 10, n))
    values[..., 1] = 100 - values[..., 1]
    data = make_dataset(values, params)
    return params, data, score(data, params)


def _composite_formula(values, params):
    """The composite written out: goalposts [0, 100] (reversed for lower), weighted mean."""
    keys = params.indicator_keys
    w = np.array([params.indicators[k].weight for k in keys])
    w = w / w.sum()
    s = np.where([params.indicators[k].direction == "lower" for k in keys], 100 - values, values)
    s = np.clip(s, 0, 100)
    if params.aggregation.value == "geometric":
        return np.exp(np.sum(w * np.log(s), axis=-1))
    return np.sum(w * s, axis=-1)


@pytest.mark.parametrize("effort", EFFORTS)
@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric"])
@pytest.mark.parametrize("n", [3, 4])
def test_plan_equals_brute_force_over_a_grid(aggregation, n, effort):
    params, data, result = _company(aggregation=aggregation, n=n, effort=effort)
    stations, rows = plan.plans(result)
    month = result.filled[result.period_index]
    # the spread is the month's interquartile range (checked in test_actions)
    spread = actions._spread(result, IndicatorArrays.from_params(params))
    bound = plan.plan_bounds(result)
    lower = [params.indicators[k].direction == "lower" for k in params.indicator_keys]
    sign = np.where(lower, -1.0, 1.0)
    steps = 81 if n == 3 else 31
    checked = 0
    for row in stations[stations.status == "plan"].itertuples():
        s = data.station_ids.get_loc(row.station_id)
        room = np.clip((bound - month[s]) * sign, 0, None)
        axes = [np.linspace(0, r, steps) for r in room]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, n)
        comp = np.round(_composite_formula(month[s] + sign * grid, params), 9)
        cut = params.bands.cutoffs[CODE[row.band_to]]
        ok = comp >= cut
        brute = np.min(_effort(grid[ok], spread, effort))
        mine = rows[rows.station_id == row.station_id]
        gains = np.zeros(n)
        gains[[params.indicator_keys.index(k) for k in mine.indicator]] = mine.gain
        assert row.plan_effort == pytest.approx(_effort(gains, spread, effort), rel=1e-12)
        # the plan is no worse than any grid point, and the grid point just above it is no better
        assert row.plan_effort <= brute * (1 + 1e-9)
        cell = room / (steps - 1)
        above = np.minimum(np.ceil(gains / np.where(cell > 0, cell, 1)) * cell, room)
        assert brute <= _effort(above, spread, effort) + 1e-12
        checked += 1
    assert checked >= 3


def _apply(result, rows: pd.DataFrame, column: str, shrink: float = 1.0) -> np.ndarray:
    """Each planned station's band after moving its cells by ``shrink`` × gain, re-scored from scratch."""
    data, params = result.data, result.params
    t = result.period_index
    out = {}
    for sid, mine in rows.groupby("station_id"):
        cube = data.values.copy()
        s = data.station_ids.get_loc(sid)
        i = pd.Index(data.indicators).get_indexer(mine["indicator"])
        current = mine["current"].to_numpy()
        cube[t, s, i] = current + shrink * (mine[column].to_numpy() - current)
        out[sid] = score(dataclasses.replace(data, values=cube), params).band[t, s]
    return pd.Series(out)


MODELS = {
    "arithmetic": {},
    "geometric": {"aggregation": "geometric"},
    "minmax": {"normalisation": "minmax"},
    "quantile bands": {"bands": {"method": "quantiles", "quantiles": [0.9, 0.7, 0.3, 0.1]}},
    "two levels": {
        "groups": {
            "g1": {"label": {"zh": "一", "en": "One"}, "weight": 2, "aggregation": "geometric"},
            "g2": {"label": {"zh": "二", "en": "Two"}, "weight": 1},
        }
    },
    # a station moves up only a point past the cut-off, judged against last month's colour
    "stable colours": {"bands": {"cutoffs": [90, 85, 80, 75], "hysteresis": {"margin": 1.0}}},
}


@pytest.mark.parametrize("effort", EFFORTS)
@pytest.mark.parametrize("model", list(MODELS))
def test_every_plan_reaches_its_colour_and_a_smaller_one_does_not(model, effort):
    result = _company(**MODELS[model], effort=effort)[2]
    stations, rows = plan.plans(result)
    feasible = stations[stations.status == "plan"]
    assert len(feasible) >= 3
    rows = rows[rows.station_id.isin(feasible.station_id)]
    expected = feasible.set_index("station_id")["band_to"].map(CODE)
    reached = _apply(result, rows, "plan_target")
    pd.testing.assert_series_equal(reached.sort_index(), expected.sort_index(), check_names=False)
    short = _apply(result, rows, "plan_target", shrink=0.99)
    before = feasible.set_index("station_id")["band_from"].map(CODE)
    pd.testing.assert_series_equal(short.sort_index(), before.sort_index(), check_names=False)


@pytest.mark.parametrize("effort", EFFORTS)
def test_goalposts_with_a_log_transform_reach_too(sample, effort):
    """The sample month: connection days are log-scaled, so the plan is found by re-linearising."""
    sample = _with_effort(sample, effort)
    stations, rows = plan.plans(sample)
    some = stations[stations.status == "plan"].station_id.iloc[::6]
    rows = rows[rows.station_id.isin(some)]
    mine = stations.set_index("station_id").loc[list(some)]
    pd.testing.assert_series_equal(
        _apply(sample, rows, "plan_target").sort_index(),
        mine["band_to"].map(CODE).sort_index(),
        check_names=False,
    )
    pd.testing.assert_series_equal(
        _apply(sample, rows, "plan_target", 0.99).sort_index(),
        mine["band_from"].map(CODE).sort_index(),
        check_names=False,
    )


@pytest.mark.parametrize("effort", EFFORTS)
def test_a_plan_out_of_reach_names_the_binding_bound(effort):
    params, data, result = _company()
    lower = np.array([params.indicators[k].direction == "lower" for k in params.indicator_keys])
    values = data.values.copy()
    # nobody this month does better than 70 (30 where lower is better): yellow is all one can reach
    values[-1] = np.where(lower, np.maximum(values[-1], 30.0), np.minimum(values[-1], 70.0))
    values[-1, 0] = [10.0, 90.0, 10.0, 10.0]
    data = dataclasses.replace(data, values=values)
    params = params.replace(
        actions={"plan": {"bound": "best", "history_months": 1, "effort": effort}}
    )
    result = score(data, params)
    stations, rows = plan.plans(result)
    row = stations.set_index("station_id").loc["s00"]
    assert (row.status, row.binding, row.band_to, row.band_from) == ("short", "best", "", "yellow")
    best = np.where(lower, values[-1].min(axis=0), values[-1].max(axis=0))
    assert row.shortfall == pytest.approx(75 - _composite_formula(best, params), abs=1e-9)
    mine = rows[rows.station_id == "s00"]
    assert len(mine) == 4
    np.testing.assert_allclose(mine["plan_target"], best)
    assert mine["at_bound"].all()


def _with_effort(result, effort: str):
    """The same scored month with another plan effort (the scores do not depend on it)."""
    actions = result.params.actions.model_dump(mode="python")
    actions["plan"]["effort"] = effort
    return dataclasses.replace(result, params=result.params.replace(actions=actions))


# -- the sample month ------------------------------------------------------------------------
@pytest.mark.parametrize("effort", EFFORTS)
def test_sample_month_every_station_below_red_gets_a_plan_or_a_bound(sample, effort):
    sample = _with_effort(sample, effort)
    stations, rows = plan.plans(sample)
    table = sample.table()
    assert set(stations.station_id) == set(table.loc[table.band != "red", "station_id"])
    assert len(stations) == 53
    assert set(stations.status) <= {"plan", "short"}
    assert (stations.loc[stations.status == "short", "binding"] != "").all()
    meilin = rows[rows.station_id == "meilin"]
    directions = sample.params.indicators
    sign = meilin["indicator"].map(lambda k: 1.0 if directions[k].direction == "higher" else -1.0)
    assert (((meilin["bound"] - meilin["plan_target"]) * sign) >= -1e-12).all()
    planned = rows[rows.station_id.isin(stations.loc[stations.status == "plan", "station_id"])]
    if effort == "quadratic":
        # 梅林 no longer pushes one indicator to the company's best: several smaller gains
        assert len(meilin) >= 3
        assert meilin.loc[meilin.indicator == "safety_production", "plan_target"].iloc[0] < 95
        assert stations["indicators"].median() >= 8
    else:
        # a linear programme's vertex: every planned gain at its bound but at most one
        assert planned.groupby("station_id")["at_bound"].agg(lambda b: (~b).sum()).max() <= 1
        assert stations["indicators"].median() <= 3
        assert 1 <= len(meilin) <= 3


def test_one_target_per_indicator_with_its_source(sample, tmp_path):
    from fivecolor.data.projects import load_projects

    tables = action_files.action_tables(
        sample, load_projects(sample.params, sample.data.station_ids)
    )
    table = tables["plan"]
    assert not table.duplicated(["station_id", "indicator"]).any()
    fault = table[(table.station_id == "meilin") & (table.indicator == "fault_outage")].iloc[0]
    # project 1.0, department help 0.9, plan about 0.90: the most demanding sets the one target
    assert fault.project_target == 1.0 and fault.department_target == pytest.approx(0.9)
    assert fault.target == pytest.approx(min(fault.plan_target, 0.9), abs=1e-4)
    assert fault.source == ("department" if fault.plan_target > 0.9 else "plan")
    # the linear plan takes line loss to its bound (P90 of 12 months, 3.48 %): the table says so
    loss = table[(table.station_id == "meilin") & (table.indicator == "line_loss")].iloc[0]
    assert loss.source == "plan" and loss.target == pytest.approx(loss.bound, abs=1e-6)
    assert loss.at_bound
    assert {"plan", "forecast"} <= set(tables)


# -- pairs that last -------------------------------------------------------------------------
def _pair_company(months: np.ndarray):
    """Stations with one indicator each month; cut-offs put 95 red, 87 orange, 82 blue, 77 green."""
    params = make_params(
        {"a": indicator(), "b": indicator()},
        actions={"pairing_capacity": 1},
    )
    data = make_dataset(months, params)
    return score(data, params)


def test_a_pair_survives_a_month_in_which_both_keep_their_colours():
    # s0, s1 red; s2, s3 yellow. Month 1: s0 helps s2 (complementary), s1 helps s3.
    first = np.array([[99, 91], [91, 99], [60, 70], [70, 60]], dtype=float)
    # month 2: same colours, but now s1 would suit s2 better and s0 s3: a fresh assignment swaps
    second = np.array([[91, 99], [99, 91], [60, 70], [70, 60]], dtype=float)
    result = _pair_company(np.stack([first, second]))
    pairs = partners.pairing(result)
    assert sorted(zip(pairs.mentor_id, pairs.partner_id, strict=True)) == [
        ("s00", "s02"),
        ("s01", "s03"),
    ]
    assert pairs["months"].tolist() == [2, 2] and set(pairs["since"]) == {result.periods[0]}
    fresh = partners.pairing(
        result.__class__(
            **{
                **result.__dict__,
                "params": result.params.replace(
                    actions={"pairing_capacity": 1, "keep_pairs": False}
                ),
            }
        )
    )
    assert sorted(zip(fresh.mentor_id, fresh.partner_id, strict=True)) == [
        ("s00", "s03"),
        ("s01", "s02"),
    ]


def test_a_station_that_turns_red_leaves_its_pair_and_is_re_paired_optimally():
    first = np.array(
        [[99, 91], [91, 99], [60, 70], [70, 60], [62, 72]], dtype=float
    )  # s4 yellow, unpaired (capacity 1)
    second = first.copy()
    second[2] = [96, 96]  # s2 turns red: its pair ends, it becomes a mentor for s4
    result = _pair_company(np.stack([first, second]))
    pairs = partners.pairing(result)
    got = {
        (m, p): k for m, p, k in zip(pairs.mentor_id, pairs.partner_id, pairs.months, strict=True)
    }
    assert got[("s01", "s03")] == 2
    assert "s02" not in set(pairs.partner_id)
    # the new pairs: s4 goes to the free mentor the assignment prefers; brute force over s0, s2
    t = result.period_index
    norm = result.normalised[t]
    w = result.weights.effective

    def complement(m, p):
        lost = w * (100 - norm[p])
        return np.sum(lost / lost.sum() * np.clip(norm[m] - norm[p], 0, None))

    best = max([0, 2], key=lambda m: complement(m, 4))
    assert got[(f"s0{best}", "s04")] == 1


# -- the stage forecast ----------------------------------------------------------------------
def test_theil_sen_matches_scipy_rows_with_gaps_and_ties():
    rng = np.random.default_rng(3)
    y = np.round(rng.normal(70, 3, (30, 9)), 0)  # rounding makes ties
    y[rng.random(y.shape) < 0.15] = np.nan
    slope, low, high = forecast.theil_sen(y)
    for k in range(len(y)):
        x = np.flatnonzero(~np.isnan(y[k]))
        ref = scipy.stats.theilslopes(y[k, x], x)
        assert (slope[k], low[k], high[k]) == pytest.approx(
            (ref.slope, ref.low_slope, ref.high_slope), abs=1e-12
        )


def test_theil_sen_of_a_single_month_is_no_slope():
    """The data's first month has no earlier one: no pair of months, so no slope (NaN), as
    scipy's theilslopes needs two points too."""
    slope, low, high = forecast.theil_sen(np.array([[70.0], [np.nan], [80.0]]))
    assert np.isnan(slope).all() and np.isnan(low).all() and np.isnan(high).all()
    assert slope.shape == low.shape == high.shape == (3,)


def _stage_company(rate: float):
    """Ten stations over 12 months at 70..88 now, each moving ``rate`` points a month."""
    params = make_params(
        {"a": indicator()},
        actions={"stages": [{"period": "2020-11", "red_share": 0.3}]},
    )
    now = np.linspace(70, 88, 10)
    months = now[None, :] + rate * (np.arange(12)[:, None] - 11)
    return score(make_dataset(months[..., None], params), params)


def test_forecast_verdict_on_steady_gains_and_on_a_flat_history():
    rising = forecast.stage_forecast(
        _stage_company(1.0), pd.DataFrame(columns=["station_id", "indicator", "target"])
    )
    flat = forecast.stage_forecast(
        _stage_company(0.0), pd.DataFrame(columns=["station_id", "indicator", "target"])
    )
    # six months at +1 a month: 84, 86 and 88 reach 90; 3 of 10 red is what the stage needs
    assert rising.loc[0, "forecast_red"] == 3 and rising.loc[0, "target_count"] == 3
    assert rising.loc[0, "new_red"] == "s07;s08;s09"
    assert rising.loc[0, "verdict"] == "on track"
    assert flat.loc[0, "forecast_red"] == 0 and flat.loc[0, "verdict"] == "off track"


def test_sample_forecast_stage_one_and_department_help(sample):
    fc = forecast.stage_forecast(sample, actions.department_help(sample))
    first = fc.iloc[0]
    assert (first.target_count, first.red_now) == (18, 7)
    assert first.red_with_department_help == 7 and not first.department_help_reaches
    assert first.forecast_red_low <= first.forecast_red <= first.forecast_red_high


# -- the page pieces -------------------------------------------------------------------------
#: 梅林's fault-outage row: target, its source, the other sources' targets. The linear plan
#: (0.7674) asks more than department help (0.9) and the project (1.0); the quadratic one
#: (about 0.90) less than department help.
MEILIN_FAULT = {
    "linear": ("0.76", "晋级方案", "书记项目 1；专业部门帮扶 0.9"),
    "quadratic": ("0.9", "专业部门帮扶", "书记项目 1"),
}


@pytest.mark.parametrize("effort", EFFORTS)
def test_station_plan_table_and_sentences_in_both_languages(sample, effort):
    from fivecolor.data.projects import load_projects
    from fivecolor.views import action_tables as views

    sample = _with_effort(sample, effort)
    tables = action_files.action_tables(
        sample, load_projects(sample.params, sample.data.station_ids)
    )
    zh = views.plan_table(sample, tables["plan"], "meilin")
    assert zh["指标"].is_unique and len(zh) == len(tables["plan"].query("station_id == 'meilin'"))
    fault = zh.set_index("指标").loc["故障停电指数"]
    assert (fault["目标值"], fault["目标来源"], fault["其他来源的目标"]) == MEILIN_FAULT[effort]
    sentence = views.plan_sentence(sample, tables["plan"], "meilin")
    assert sentence.startswith("从绿色（稍差）升入蓝色（中等）：综合得分需由 76.26 提高到 80.00")
    assert views.plan_sentence(sample, tables["plan"], "hengjie") == ""  # red: no plan
    english = sample.params.replace(language="en")
    en = score(sample.data, english)
    said = views.forecast_sentence(en, forecast.stage_forecast(en, actions.department_help(en)))
    assert said.startswith("Stage 1 (2020-12) needs 18 red stations and has 7")
    assert said.endswith("department help alone would not meet the stage.")


def test_short_plan_sentence_names_the_bound(sample):
    from fivecolor.views import action_tables as views

    frame = pd.DataFrame(
        {
            "station_id": ["meilin"],
            "status": ["short"],
            "binding": ["percentile"],
            "shortfall": [0.8],
        }
    )
    assert views.plan_sentence(sample, frame, "meilin") == (
        "即使各项指标都达到全公司 P90 水平，本所仍差 0.80 分才能升入上一等级；下表列出各指标可达的上限。"
    )
