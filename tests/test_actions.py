"""Actions: the path to the next colour, pairing, department help, projects and stages.

The path is checked by applying each suggested value to the data and re-scoring with
:func:`fivecolor.score` (the station must reach the colour named, and a slightly smaller step must
not), and against worked examples computed here from the published formulas. Pairing is
checked against brute force over every assignment of small instances.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.optimize

from fivecolor.analysis import action_files, actions, partners
from fivecolor.analysis.projects import project_progress
from fivecolor.data.dataset import load_data
from fivecolor.data.projects import load_projects
from fivecolor.errors import InputError
from fivecolor.params import load_params
from fivecolor.scoring.bands import BANDS
from fivecolor.scoring.pipeline import score
from fivecolor.site.outputs import write_actions

from conftest import REPO

SAMPLE_PARAMS = REPO / "params" / "2020-05.yaml"
SAMPLE_INDICATORS = REPO / "fivecolor" / "data" / "sample" / "indicators.csv"


@pytest.fixture(scope="module")
def sample():
    params = load_params(SAMPLE_PARAMS)
    data = load_data(params)
    return params, data, score(data, params)


def _variant(sample, **changes):
    params, data, _ = sample
    params = params.replace(**changes)
    return score(data, params)


def _rescored_bands(result, rows: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """Each row's station band after setting its one cell to ``values`` and re-scoring from scratch."""
    data, params = result.data, result.params
    t = result.period_index
    s = data.station_ids.get_indexer(rows["station_id"])
    i = pd.Index(data.indicators).get_indexer(rows["indicator"])
    bands = []
    for k in range(len(rows)):
        cube = data.values.copy()
        cube[t, s[k], i[k]] = values[k]
        bands.append(score(dataclasses.replace(data, values=cube), params).band[t, s[k]])
    return np.array(bands)


def _check_path(result, options: pd.DataFrame, nudge: float = 1e-6) -> None:
    """Applied, each option reaches its colour; ``nudge`` × spread less does not."""
    assert len(options) > 0
    code = {b: n for n, b in enumerate(BANDS)}
    reached = _rescored_bands(result, options, options["required"].to_numpy())
    np.testing.assert_array_equal(reached, options["band_to"].map(code).to_numpy())
    assert (options["band_to"].map(code) < options["band_from"].map(code)).all()
    sign = (
        options["indicator"]
        .map(
            {
                k: 1.0 if s.direction == "higher" else -1.0
                for k, s in result.params.indicators.items()
            }
        )
        .to_numpy()
    )
    short = options["required"].to_numpy() - sign * nudge * options["spread"].to_numpy()
    np.testing.assert_array_equal(
        _rescored_bands(result, options, short), options["band_from"].map(code).to_numpy()
    )


# -- path to the next colour -------------------------------------------------------------------
def test_next_colour_exact_reaches_the_band_and_no_less(sample):
    result = sample[2]
    options = actions.next_colour(result)
    assert set(options["method"]) == {"exact"}
    _check_path(result, options)
    # a station below red without a row has no single-indicator path: each indicator at its bound fails
    table = result.table()
    below_red = set(table.loc[table["band"] != "red", "station_id"])
    assert set(options["station_id"]) <= below_red
    stuck = sorted(below_red - set(options["station_id"]))
    assert 0 < len(stuck) < len(below_red) / 2
    everything = actions.next_colour(result, include_infeasible=True)
    tried = everything[everything.station_id.isin(stuck)]
    assert set(tried["station_id"]) == set(stuck) and not tried["feasible"].any()
    code = {b: n for n, b in enumerate(BANDS)}
    np.testing.assert_array_equal(
        _rescored_bands(result, tried, tried["bound"].to_numpy()),
        tried["band_from"].map(code).to_numpy(),
    )


def test_next_colour_worked_example_meilin(sample):
    """梅林 (green, 76.2599) to blue (80) on safety production: weight 15/100, goalposts [60, 100]."""
    result = sample[2]
    rows = pd.read_csv(SAMPLE_INDICATORS)
    cell = rows[(rows.period == "2020-05") & (rows.station_id == "meilin")].set_index("indicator")[
        "value"
    ]
    weights = {
        "safety_production": 15,
        "fault_outage": 12,
        "frequent_outage": 10,
        "line_loss": 12,
        "customer_satisfaction": 12,
        "getting_electricity": 10,
        "party_building": 8,
        "integrity_risk": 7,
        "financial_performance": 7,
        "team_performance": 7,
    }
    goal = {
        "safety_production": (60, 100),
        "fault_outage": (3.0, 0.2),
        "frequent_outage": (30, 0),
        "line_loss": (9, 3),
        "customer_satisfaction": (80, 100),
        "party_building": (70, 100),
        "integrity_risk": (6, 0),
        "financial_performance": (95, 100),
        "team_performance": (70, 100),
    }
    scores = {k: min(100, max(0, 100 * (cell[k] - w) / (b - w))) for k, (w, b) in goal.items()}
    scores["getting_electricity"] = (
        100 * (math.log(cell["getting_electricity"]) - math.log(12)) / (math.log(2) - math.log(12))
    )
    composite = sum(weights[k] * scores[k] for k in weights) / 100
    assert composite == pytest.approx(76.2599, abs=1e-4)
    needed = scores["safety_production"] + (80 - composite) / 0.15
    expected = 60 + needed / 100 * 40

    options = actions.next_colour(result)
    meilin = options[options.station_id == "meilin"]
    row = meilin[meilin.indicator == "safety_production"].iloc[0]
    assert (row.band_from, row.band_to, row.target_score) == ("green", "blue", 80.0)
    assert row.required == pytest.approx(expected, abs=1e-9)
    assert row.current == 89.7
    # connection days need a composite gain of 3.74 from a 10% weight: past the best goalpost, so no option
    assert "getting_electricity" not in set(meilin.indicator)


def test_next_colour_log_transform_inverse(sample):
    """Connection days (log goalposts [12, 2]): the required value is exp(ln 12 + n (ln 2 - ln 12) / 100)."""
    result = sample[2]
    options = actions.next_colour(result)
    rows = options[options.indicator == "getting_electricity"]
    assert len(rows) > 0
    n = rows["normalised_required"].to_numpy()
    expected = np.exp(np.log(12) + n / 100 * (np.log(2) - np.log(12)))
    np.testing.assert_allclose(rows["required"], expected, rtol=1e-12)
    # and the needed score follows from the slope 0.10 of the composite in this indicator
    gain = (rows["target_score"] - rows["score"]) / 0.10
    np.testing.assert_allclose(n, rows["normalised_current"] + gain, atol=1e-9)


def test_next_colour_effort_is_change_over_iqr_and_options_ranked(sample):
    result = sample[2]
    options = actions.next_colour(result)
    month = pd.read_csv(SAMPLE_INDICATORS).query("period == '2020-05'")
    iqr = month.groupby("indicator")["value"].quantile(0.75) - month.groupby("indicator")[
        "value"
    ].quantile(0.25)
    np.testing.assert_allclose(options["spread"], options["indicator"].map(iqr), rtol=1e-12)
    np.testing.assert_allclose(
        options["effort"], (options["required"] - options["current"]).abs() / options["spread"]
    )
    for _, group in options.groupby("station_id"):
        assert group["option"].tolist() == list(range(1, len(group) + 1))
        assert group["effort"].is_monotonic_increasing


def test_next_colour_respects_the_achievable_bound(sample):
    result = sample[2]
    everything = actions.next_colour(result, include_infeasible=True)
    feasible = everything[everything.feasible]
    sign = feasible["indicator"].map(
        {k: 1.0 if s.direction == "higher" else -1.0 for k, s in result.params.indicators.items()}
    )
    assert ((feasible["bound"] - feasible["required"]) * sign >= -1e-12).all()
    assert ((feasible["required"] - feasible["current"]) * sign > 0).all()
    infeasible = everything[~everything.feasible]
    assert (
        len(infeasible) > 0
        and infeasible["required"].isna().all()
        and (infeasible["band_to"] == "").all()
    )
    # the bound: the company's best value this month, never past the best goalpost
    month = (
        pd.read_csv(SAMPLE_INDICATORS).query("period == '2020-05'").groupby("indicator")["value"]
    )
    bound = everything.drop_duplicates("indicator").set_index("indicator")["bound"]
    assert bound["safety_production"] == min(month.max()["safety_production"], 100)
    assert bound["line_loss"] == max(month.min()["line_loss"], 3)
    assert bound["customer_satisfaction"] == month.max()["customer_satisfaction"]
    assert len(actions.next_colour(result)) == len(feasible)


def test_next_colour_exact_and_numeric_agree(sample):
    result = sample[2]
    exact = actions.next_colour(result, solver="exact")
    numeric = actions.next_colour(result, solver="numeric")
    assert set(numeric["method"]) == {"numeric"}
    pd.testing.assert_frame_equal(
        exact[["station_id", "indicator", "band_to"]],
        numeric[["station_id", "indicator", "band_to"]],
    )
    np.testing.assert_allclose(exact["required"], numeric["required"], rtol=1e-8)


def test_next_colour_geometric_numeric(sample):
    result = _variant(sample, aggregation="geometric")
    with pytest.raises(ValueError, match="exact solver"):
        actions.next_colour(result, solver="exact")
    options = actions.next_colour(result)
    assert set(options["method"]) == {"numeric"}
    _check_path(result, options)
    # an independent root: the weighted geometric mean of goalposts scores, solved by brentq
    plain = [k for k, v in result.params.indicators.items() if v.transform == "none"]
    row = options[options.indicator.isin(plain)].iloc[0]
    t = result.period_index
    s = list(result.data.station_ids).index(row.station_id)
    i = result.data.indicators.index(row.indicator)
    spec = result.params.indicators[row.indicator]
    weights = np.array([v.weight for v in result.params.indicators.values()]) / 100
    others = np.delete(result.normalised[t, s], i)
    other_weights = np.delete(weights, i)
    worst, best = spec.goalposts

    def gap(x):
        n = 100 * (x - worst) / (best - worst)
        return (
            np.exp(np.sum(other_weights * np.log(others)) + weights[i] * np.log(n))
            - row.target_score
        )

    root = scipy.optimize.brentq(gap, row.current, row.bound, xtol=1e-13)
    assert row.required == pytest.approx(root, abs=1e-9)


@pytest.mark.parametrize("method", ["minmax", "rank"])
def test_next_colour_relative_normalisation_numeric(sample, method):
    result = _variant(sample, normalisation=method)
    options = actions.next_colour(result)
    assert set(options["method"]) == {"numeric"}
    _check_path(result, options)


def test_next_colour_quantile_bands_use_the_boundary_station(sample):
    params, _, _ = sample
    result = _variant(sample, bands=params.bands.model_copy(update={"method": "quantiles"}))
    options = actions.next_colour(result)
    assert set(options["method"]) == {"exact"}
    _check_path(result, options)
    # target = the composite of the last station inside the next band
    t = result.period_index
    last_in = pd.Series(result.composite[t]).groupby(result.band[t]).min()
    expected = options["band_to"].map({b: n for n, b in enumerate(BANDS)}).map(last_in)
    assert (options["target_score"] - expected).abs().max() <= 1.5e-9


def test_next_colour_skips_red_and_missing_cells(sample):
    result = sample[2]
    options = actions.next_colour(result)
    bands = result.table().set_index("station_id")["band"]
    assert (options["station_id"].map(bands) != "red").all()
    assert (options["band_from"] == options["station_id"].map(bands)).all()
    t = result.period_index
    s, i = np.nonzero(result.missing[t])
    holes = set(zip(result.data.station_ids[s], np.asarray(result.data.indicators)[i], strict=True))
    assert not holes & set(zip(options["station_id"], options["indicator"], strict=True))


# -- pairing -----------------------------------------------------------------------------------
def _brute_force(cost: np.ndarray, capacity: int) -> tuple[int, int, float]:
    """(pairs, load penalty, total cost) of the best assignment, by trying every one.

    Partners go to mentor slots (each mentor ``capacity`` slots); the best pairs as many
    partners as possible, then loads mentors most evenly (least Σ load (load - 1) / 2), then
    costs least.
    """
    n_mentors, n_partners = cost.shape
    slots = [m for m in range(n_mentors) for _ in range(capacity)]
    best = None
    if n_partners <= len(slots):
        maps = (
            dict(enumerate(perm)) for perm in itertools.permutations(range(len(slots)), n_partners)
        )
    else:
        maps = (
            {partner: slot for slot, partner in enumerate(perm)}
            for perm in itertools.permutations(range(n_partners), len(slots))
        )
    for partner_to_slot in maps:
        load = np.bincount([slots[k] for k in partner_to_slot.values()], minlength=n_mentors)
        key = (
            -len(partner_to_slot),
            int(np.sum(load * (load - 1) // 2)),
            sum(cost[slots[k], p] for p, k in partner_to_slot.items()),
        )
        best = key if best is None or key < best else best
    return -best[0], best[1], best[2]


@pytest.mark.parametrize(
    "shape, capacity", [((3, 4), 2), ((2, 3), 2), ((2, 5), 2), ((4, 3), 1), ((1, 3), 3)]
)
def test_assignment_is_optimal_against_brute_force(shape, capacity):
    rng = np.random.default_rng(sum(shape) * 10 + capacity)
    for _ in range(15):
        cost = rng.normal(size=shape).round(3)
        mentor, partner = partners.assign_with_capacity(cost, capacity)
        load = np.bincount(mentor, minlength=shape[0])
        pairs, penalty, total = _brute_force(cost, capacity)
        assert len(partner) == len(set(partner)) == pairs
        assert load.max() <= capacity
        assert int(np.sum(load * (load - 1) // 2)) == penalty
        assert cost[mentor, partner].sum() == pytest.approx(total, abs=1e-9)


def test_assignment_takes_second_partners_only_when_needed():
    cost = np.array(
        [[0.0, 0.0, 0.0], [5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]
    )  # mentor 0 is cheapest for all
    mentor, _ = partners.assign_with_capacity(cost, 2)
    assert sorted(mentor) == [
        0,
        1,
        2,
    ]  # three mentors for three partners, however cheap mentor 0 is
    mentor, partner = partners.assign_with_capacity(cost[:1], 2)
    assert list(mentor) == [0, 0] and len(partner) == 2  # one mentor, two slots, three partners


def test_pairing_costs_prefer_near_and_complementary_mentors():
    weights = np.full(3, 1 / 3)
    partner = np.array([[40.0, 90.0, 90.0]])  # weak on the first indicator
    mentors = np.array(
        [
            [95.0, 80.0, 80.0],  # strong where the partner is weak
            [60.0, 100.0, 100.0],
        ]
    )  # strong where it is already strong
    cost, contributions = partners.pairing_costs(mentors, partner, weights, np.zeros((2, 1)), 30.0)
    # the partner's focus: its lost points 60, 10, 10 → 0.75, 0.125, 0.125
    assert contributions[0, 0] == pytest.approx([0.75 * 55, 0, 0])
    assert contributions[1, 0] == pytest.approx([0.75 * 20, 0.125 * 10, 0.125 * 10])
    assert cost[0, 0] < cost[1, 0]
    # 30 km weighs as much as 10 points: 41.25 against 17.5 points, so 90 km away the first loses
    far, _ = partners.pairing_costs(mentors, partner, weights, np.array([[90.0], [0.0]]), 30.0)
    assert far[0, 0] - cost[0, 0] == pytest.approx(30.0)
    assert far[0, 0] > far[1, 0]


def test_haversine_one_degree():
    assert partners.haversine_km(0, 0, 1, 0) == pytest.approx(
        2 * math.pi * 6371.0088 / 360, rel=1e-12
    )
    assert partners.haversine_km(30, 121, 30, 121) == 0
    # along a parallel at 60°N a degree of longitude is nearly half a degree at the equator
    assert partners.haversine_km(60, 0, 60, 1) == pytest.approx(
        2 * math.pi * 6371.0088 / 360 / 2, rel=1e-4
    )


def test_pairing_sample_month(sample):
    result = sample[2]
    pairs = partners.pairing(result)
    bands = result.table().set_index("station_id")["band"]
    assert set(zip(pairs["mentor_band"], pairs["partner_band"], strict=True)) == {
        ("red", "yellow"),
        ("orange", "green"),
    }
    assert (pairs["mentor_id"].map(bands) == pairs["mentor_band"]).all()
    assert (pairs["partner_id"].map(bands) == pairs["partner_band"]).all()
    assert pairs["partner_id"].is_unique
    # 7 red for 9 yellow: two reds take two; 16 orange for 9 green: nobody takes two
    load = pairs.groupby("mentor_id").size()
    assert load.max() <= result.params.actions.pairing_capacity
    assert (load == pairs.groupby("mentor_id")["mentor_load"].first()).all()
    assert (
        sorted(load[pairs.groupby("mentor_id")["mentor_band"].first() == "red"].tolist())
        == [1] * 5 + [2] * 2
    )
    assert (load[pairs.groupby("mentor_id")["mentor_band"].first() == "orange"] == 1).all()
    assert set(pairs["partner_id"]) == set(bands[bands.isin(["yellow", "green"])].index)
    assert partners.unpaired(result).empty
    assert (pairs["targets"] != "").all()
    # deterministic
    pd.testing.assert_frame_equal(pairs, partners.pairing(score(result.data, result.params)))


def test_pairing_targets_are_partner_weak_where_mentor_strong(sample):
    result = sample[2]
    pairs = partners.pairing(result)
    table = result.table().set_index("station_id")
    for row in pairs.itertuples():
        for key in row.targets.split(";"):
            assert (
                table.at[row.mentor_id, f"score_{key}"] > table.at[row.partner_id, f"score_{key}"]
            )


def test_pairing_capacity_one_reports_unpaired(sample):
    params = sample[0]
    result = _variant(sample, actions=params.actions.model_copy(update={"pairing_capacity": 1}))
    pairs, alone = partners.pairing(result), partners.unpaired(result)
    assert pairs.groupby("mentor_id").size().max() == 1
    yellow = alone[alone.partner_band == "yellow"]
    assert len(yellow) == 9 - 7 and (yellow["status"] == "unpaired: capacity exhausted").all()
    assert yellow["mentor_id"].isna().all()
    assert set(yellow["partner_id"]).isdisjoint(pairs["partner_id"])


def test_meilin_has_a_path_a_partner_and_department_help(sample):
    result = sample[2]
    assert result.table().set_index("station_id").at["meilin", "band"] == "green"
    path = actions.next_colour(result)
    mine = path[path.station_id == "meilin"]
    assert len(mine) >= 1 and set(mine["band_to"]) == {"blue"}
    pairs = partners.pairing(result)
    partner = pairs[pairs.partner_id == "meilin"]
    assert len(partner) == 1 and partner.iloc[0]["mentor_band"] == "orange"
    help_rows = actions.department_help(result)
    assert len(help_rows[help_rows.station_id == "meilin"]) >= 1


# -- department help ---------------------------------------------------------------------------
def test_department_help_sample(sample):
    result = sample[2]
    rows = actions.department_help(result)
    params = result.params
    owner = {k: s.department for k, s in params.indicators.items()}
    assert (rows["indicator"].map(owner) == rows["department"]).all()
    assert (
        rows["department_label"]
        == rows["department"].map({k: v.zh for k, v in params.departments.items()})
    ).all()
    # the bottom band on an indicator under cut-offs: normalised below 75, exactly those cells
    scores = result.table().set_index("station_id")
    expected = {
        (sid, k) for k in params.indicators for sid in scores.index[scores[f"score_{k}"] < 75]
    }
    assert set(zip(rows["station_id"], rows["indicator"], strict=True)) == expected
    assert (rows["level"] == 75).all()
    np.testing.assert_allclose(rows["gap_points"], 75 - rows["normalised"], atol=1e-9)

    # the target scores exactly the level: e.g. safety production 60 + 0.75 × 40 = 90
    def targets(key):
        return rows.loc[rows.indicator == key, "target"].to_numpy()

    np.testing.assert_allclose(targets("safety_production"), 90.0, rtol=1e-12)
    np.testing.assert_allclose(targets("line_loss"), 9 - 0.75 * 6, rtol=1e-12)
    np.testing.assert_allclose(
        targets("getting_electricity"),
        math.exp(math.log(12) + 0.75 * (math.log(2) - math.log(12))),
        rtol=1e-12,
    )


def test_department_help_threshold(sample):
    params = sample[0]
    result = _variant(
        sample, actions=params.actions.model_copy(update={"department_threshold": 60})
    )
    rows = actions.department_help(result)
    scores = result.table().set_index("station_id")
    expected = {
        (sid, k) for k in params.indicators for sid in scores.index[scores[f"score_{k}"] < 60]
    }
    assert set(zip(rows["station_id"], rows["indicator"], strict=True)) == expected
    assert (rows["gap_points"] > 0).all() and (rows["level"] == 60).all()


def test_department_help_relative_normalisation_target_in_range(sample):
    result = _variant(sample, normalisation="minmax")
    rows = actions.department_help(result)
    assert len(rows) > 0
    sign = rows["indicator"].map(
        {k: 1.0 if s.direction == "higher" else -1.0 for k, s in result.params.indicators.items()}
    )
    assert (rows["gap_units"] * sign >= 0).all()
    assert rows["target"].notna().all()


# -- projects ----------------------------------------------------------------------------------
def test_sample_projects(sample):
    params, _, result = sample
    projects = load_projects(params, result.data.station_ids)
    progress = project_progress(result, projects).set_index(["station_id", "indicator"])
    assert 6 <= len(progress) <= 12
    assert "meilin" in progress.index.get_level_values(0)
    assert {"met", "not met"} <= set(progress["status"])
    # lower is better: 1.12 outages against a target of 1.2 is met; 5 findings against 2 is not
    assert progress.loc[("changjie", "fault_outage"), "met"]
    assert not progress.loc[("dayan", "integrity_risk"), "met"]
    assert progress.loc[("chaiqiao", "team_performance"), "met"]  # higher is better, 93.2 ≥ 93
    # before = the mean of the three months before the start, read from the file
    rows = pd.read_csv(SAMPLE_INDICATORS)
    cell = rows[(rows.station_id == "meilin") & (rows.indicator == "frequent_outage")].set_index(
        "period"
    )["value"]
    assert progress.loc[("meilin", "frequent_outage"), "before"] == pytest.approx(
        cell[["2019-10", "2019-11", "2019-12"]].mean()
    )
    assert progress.loc[("meilin", "frequent_outage"), "latest"] == cell["2020-05"]
    assert progress.loc[("tuci", "party_building"), "status"] == "not started"
    assert progress["title"].str.contains("所").all()


def _without_projects(project) -> Path:
    """The small project's parameters with no projects table (default.yaml names the sample's)."""
    return project.with_params(
        lambda doc: doc["data"].update(projects=None), name="no_projects.yaml"
    )


def test_no_projects_file_gives_none(project):
    params = load_params(_without_projects(project))
    assert params.data.projects is None
    assert load_projects(params, load_data(params).station_ids) is None


BAD_PROJECTS = [
    (
        "station_id,indicator,start,target,title\nnowhere,line_loss,2020-01,5,x\n",
        "row 2",
        "column station_id",
        "nowhere",
    ),
    (
        "station_id,indicator,start,target,title\nmeilin,line_los,2020-01,5,x\n",
        "row 2",
        "column indicator",
        "line_los",
    ),
    (
        "station_id,indicator,start,target,title\nmeilin,line_loss,2020-01,5,x\nmeilin,line_loss,2020/02,5,x\n",
        "row 3",
        "column start",
        "2020/02",
    ),
    (
        "station_id,indicator,start,target,title\nmeilin,line_loss,2020-01,five,x\n",
        "row 2",
        "column target",
        "five",
    ),
    (
        "station_id,indicator,start,target,title\nmeilin,line_loss,2020-01,45,x\n",
        "row 2",
        "column target",
        "valid",
    ),
    (
        "station_id,indicator,start,title\nmeilin,line_loss,2020-01,x\n",
        "",
        "column target",
        "missing",
    ),
]


@pytest.mark.parametrize("text, row, column, word", BAD_PROJECTS)
def test_bad_projects_exit_2_and_write_nothing(tmp_path, run_cli, text, row, column, word):
    bad = tmp_path / "projects.csv"
    bad.write_text(text, encoding="utf-8")
    params_file = tmp_path / "p.yaml"
    params_file.write_text(
        f"extends: {SAMPLE_PARAMS}\ndata:\n  projects: {bad}\n", encoding="utf-8"
    )
    params = load_params(params_file)
    with pytest.raises(InputError) as caught:
        load_projects(params, load_data(params).station_ids)
    message = caught.value.message
    assert "projects.csv" in message and row in message and column in message and word in message
    out = tmp_path / "out"
    code, stdout, stderr = run_cli("actions", "--params", params_file, "--out", out)
    assert code == 2 and stdout == ""
    assert (
        stderr.count("\n") == 1
        and stderr.startswith("fivecolor: error: ")
        and "Traceback" not in stderr
    )
    assert not out.exists()


# -- toward all red ----------------------------------------------------------------------------
def test_stage_progress_sample(sample):
    result = sample[2]
    stages = actions.stage_progress(result)
    assert stages["period"].tolist() == ["2020-12", "2021-12", "2022-12"]
    assert stages["target_share"].tolist() == [0.3, 0.6, 1.0]
    assert stages["target_count"].tolist() == [18, 36, 60]
    assert (stages["red_count"] == 7).all() and stages["red_share"].iloc[0] == pytest.approx(7 / 60)
    assert stages["stations_to_go"].tolist() == [11, 29, 53]
    assert stages["gap_share"].tolist() == pytest.approx([0.3 - 7 / 60, 0.6 - 7 / 60, 1 - 7 / 60])
    assert stages["months_left"].tolist() == [7, 19, 31]
    assert not stages["met"].any()
    shares = actions.colour_shares(result).set_index("period")
    assert shares.loc["2020-05", list(BANDS)].tolist() == [7, 16, 19, 9, 9]
    assert (shares["scored"] == 60).all()
    np.testing.assert_allclose(shares["red_share"], shares["red"] / 60)


def test_stage_met_when_share_reached(sample):
    params = sample[0]
    stage = {"period": "2020-05", "red_share": 7 / 60}
    result = _variant(
        sample,
        actions=params.actions.model_copy(
            update={"stages": (type(params.actions.stages[0])(**stage),)}
        ),
    )
    stages = actions.stage_progress(result)
    assert stages["met"].tolist() == [True] and stages["stations_to_go"].tolist() == [0]
    assert stages["months_left"].tolist() == [0]


# -- files and command -------------------------------------------------------------------------
def test_cli_actions_writes_the_tables(tmp_path, run_cli, sample):
    out = tmp_path / "actions"
    code, _, stderr = run_cli("actions", "--params", SAMPLE_PARAMS, "--out", out)
    assert code == 0, stderr
    names = {
        "next_colour.csv",
        "plan.csv",
        "pairing.csv",
        "departments.csv",
        "stages.csv",
        "forecast.csv",
        "projects.csv",
    }
    assert {p.name for p in out.iterdir()} == names
    required = {
        "next_colour.csv": {
            "station_id",
            "indicator",
            "current",
            "required",
            "band_from",
            "band_to",
            "effort",
        },
        "pairing.csv": {
            "mentor_id",
            "partner_id",
            "mentor_band",
            "partner_band",
            "distance_km",
            "targets",
            "since",
            "months",
        },
        "plan.csv": {
            "station_id",
            "indicator",
            "current",
            "target",
            "unit",
            "gain",
            "effort",
            "source",
            "band_from",
            "band_to",
            "status",
            "binding",
        },
        "forecast.csv": {"stage", "target_count", "red_now", "forecast_red", "verdict"},
        "departments.csv": {
            "department",
            "department_label",
            "indicator",
            "station_id",
            "name",
            "normalised",
            "gap_points",
            "current",
            "target",
        },
    }
    for name, columns in required.items():
        frame = pd.read_csv(out / name, encoding="utf-8-sig")
        assert columns <= set(frame.columns), name
    # the rounded required values written still reach the colour named
    written = pd.read_csv(out / "next_colour.csv", encoding="utf-8-sig", dtype={"station_id": str})
    result = sample[2]
    code_of = {b: n for n, b in enumerate(BANDS)}
    reached = _rescored_bands(result, written, written["required"].to_numpy())
    np.testing.assert_array_equal(reached, written["band_to"].map(code_of).to_numpy())
    # every station's written targets (rounded outward), applied together, reach its colour or better
    plan = pd.read_csv(out / "plan.csv", encoding="utf-8-sig", dtype={"station_id": str})
    plan = plan[plan["status"] == "plan"]
    t = result.period_index
    cube = result.data.values.copy()
    s = result.data.station_ids.get_indexer(pd.Index(plan["station_id"]))
    i = pd.Index(result.data.indicators).get_indexer(pd.Index(plan["indicator"]))
    for sid in plan["station_id"].unique():  # one station at a time: the others as they are
        mine = (plan["station_id"] == sid).to_numpy()
        trial = cube.copy()
        trial[t, s[mine], i[mine]] = plan["target"].to_numpy()[mine]
        band = score(dataclasses.replace(result.data, values=trial), result.params).band[
            t, s[mine][0]
        ]
        assert band <= code_of[plan.loc[mine, "band_to"].iloc[0]], sid
    # same inputs, same bytes
    again = tmp_path / "again"
    assert run_cli("actions", "--params", SAMPLE_PARAMS, "--out", again)[0] == 0
    assert all((out / n).read_bytes() == (again / n).read_bytes() for n in names)


def test_cli_actions_other_month(tmp_path, run_cli):
    out = tmp_path / "april"
    code, _, stderr = run_cli(
        "actions", "--params", SAMPLE_PARAMS, "--period", "2020-04", "--out", out
    )
    assert code == 0, stderr
    stages = pd.read_csv(out / "stages.csv", encoding="utf-8-sig")
    assert (stages["latest_period"] == "2020-04").all()
    meilin = pd.read_csv(out / "next_colour.csv", encoding="utf-8-sig").query(
        "station_id == 'meilin'"
    )
    assert set(meilin["band_from"]) == {"yellow"}


def test_cli_actions_needs_out(run_cli):
    code, _, stderr = run_cli("actions", "--params", SAMPLE_PARAMS)
    assert code == 2 and "--out" in stderr and stderr.count("\n") == 1


def test_write_actions_without_projects(project, tmp_path):
    params = load_params(_without_projects(project))
    written = write_actions(score(load_data(params), params), tmp_path / "a")
    assert set(written) == {"next_colour", "plan", "pairing", "departments", "stages", "forecast"}
    assert all(p.is_file() for p in written.values())


def test_next_colour_with_groups_and_a_geometric_group(sample):
    """Two levels: exact while every level is arithmetic, numeric once a group is geometric."""
    params = sample[0]
    ops = {"safety_production", "fault_outage", "frequent_outage", "line_loss"}
    indicators = {
        k: {**v.model_dump(), "group": "operations" if k in ops else "service"}
        for k, v in params.indicators.items()
    }
    groups = {
        "operations": {"label": {"zh": "安全运行", "en": "Operations"}, "weight": 1},
        "service": {"label": {"zh": "服务管理", "en": "Service"}, "weight": 1},
    }
    result = _variant(sample, indicators=indicators, groups=groups)
    options = actions.next_colour(result)
    assert set(options["method"]) == {"exact"}
    _check_path(result, options)
    groups["service"]["aggregation"] = "geometric"
    result = _variant(sample, indicators=indicators, groups=groups)
    options = actions.next_colour(result)
    assert set(options["method"]) == {"numeric"}
    _check_path(result, options)


def test_pairing_cost_is_complementarity_less_distance(sample):
    pairs = partners.pairing(sample[2])
    scale = sample[0].actions.distance_km_scale
    np.testing.assert_allclose(
        pairs["cost"], -pairs["complementarity"] + 10 * pairs["distance_km"] / scale, atol=2e-3
    )
    assert (pairs["complementarity"] > 0).all()


def test_action_tables_when_no_station_has_a_one_indicator_path(project):
    # cut-offs no composite can reach: every station is yellow and no option exists
    path = project.with_params(lambda d: d.update(bands={"cutoffs": [100, 99.9, 99.8, 99.7]}))
    params = load_params(path)
    result = score(load_data(params), params)
    tables = action_files.action_tables(result)
    assert tables["next_colour"].empty
    assert set(tables) >= {"next_colour", "pairing", "departments", "stages"}
