"""Tables of the sample month: localised headers, the right rows, hostile names escaped."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fivecolor import load_data, load_params, score
from fivecolor.views import one_station, overview

ROOT = Path(__file__).resolve().parents[1]
STATION = "chaiqiao"  # 柴桥供电所, 北仑区 (Beilun)
HOSTILE = "<script>alert(1)</script>"
GRADES = {
    "zh": ["红色（优秀）", "橙色（较好）", "蓝色（中等）", "绿色（稍差）", "黄色（落后）"],
    "en": [
        "Red (excellent)",
        "Orange (good)",
        "Blue (medium)",
        "Green (slightly poor)",
        "Yellow (lagging)",
    ],
}


@pytest.fixture(scope="module")
def results():
    params = load_params(ROOT / "params" / "2020-05.yaml")
    data = load_data(params)
    return {"zh": score(data, params), "en": score(data, params.replace(language="en"))}


def with_stations(result, **columns):
    """The same scored month with some station columns replaced (e.g. hostile names)."""
    stations = result.data.stations.assign(**columns)
    return dataclasses.replace(result, data=dataclasses.replace(result.data, stations=stations))


# --------------------------------------------------------------------------- league table
@pytest.mark.parametrize(
    ("lang", "headers"),
    [
        ("zh", ["排名", "供电所", "区县", "综合得分", "颜色等级", "等级变化", "上月等级"]),
        (
            "en",
            ["Rank", "Station", "County", "Score", "Colour grade", "Change", "Last month's grade"],
        ),
    ],
)
def test_league_table_has_sixty_rows_by_rank_with_localised_headers(results, lang, headers):
    result = results[lang]
    league = overview.league_table(result)
    assert list(league.columns) == headers and len(league) == 60
    assert league[headers[0]].tolist() == list(range(1, 61))
    t = result.period_index
    order = np.argsort(-result.composite[t], kind="stable")
    assert league[headers[3]].tolist() == pytest.approx(
        np.round(result.composite[t, order], 1).tolist()
    )
    # Grades follow the cut-offs 90/85/80/75 and are named in the language.
    exact = np.round(result.composite[t, order], 9)
    expected = np.select([exact >= c for c in (90, 85, 80, 75)], GRADES[lang][:4], GRADES[lang][4])
    assert league[headers[4]].tolist() == expected.tolist()


def test_league_table_names_stations_and_counties_in_the_language(results):
    zh = overview.league_table(results["zh"]).set_index("供电所")
    en = overview.league_table(results["en"]).set_index("Station")
    assert zh.loc["梅林供电所", "区县"] == "宁海县" and zh.loc["梅林供电所", "等级变化"] == "▲ 上升"
    assert (
        en.loc["Meilin station", "County"] == "Ninghai"
        and en.loc["Meilin station", "Change"] == "▲ up"
    )
    assert en.loc["Meilin station", "Last month's grade"] == "Yellow (lagging)"


def test_english_name_falls_back_to_the_chinese_one(results):
    result = with_stations(
        results["en"],
        name_en=results["en"]
        .data.stations["name_en"]
        .mask(results["en"].data.stations.index == STATION, ""),
    )
    league = overview.league_table(result)
    assert (
        "柴桥供电所" in league["Station"].tolist()
        and "Chaiqiao station" not in league["Station"].tolist()
    )


def test_county_without_an_english_name_keeps_its_own(results):
    """A county off the base map (the user's own boundaries) is listed under its own name."""
    stations = results["en"].data.stations
    result = with_stations(
        results["en"], county=stations["county"].mask(stations.index == STATION, "新区")
    )
    counties = overview.county_summary_table(result)["County"].tolist()
    assert "新区" in counties and "Ninghai" in counties


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_station_names_are_escaped_in_html(results, lang):
    result = with_stations(results[lang], name=HOSTILE, name_en=HOSTILE)
    frames = [
        overview.league_table(result),
        overview.movers_table(result),
        one_station.weak_table(result),
        one_station.station_facts(result, STATION),
        one_station.county_peers(result, STATION),
    ]
    for frame in frames:
        assert HOSTILE in frame.to_numpy().astype(str).ravel().tolist()  # the text itself is kept
        for html in (frame.to_html(), frame._repr_html_()):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
            assert "<script>" not in html


# --------------------------------------------------------------------------- month tables
def test_movers_table_lists_every_changed_grade_in_the_right_direction(results):
    result = results["en"]
    movers = overview.movers_table(result)
    t, p = result.period_index, result.previous_index()
    assert len(movers) == int((result.band[t] != result.band[p]).sum())
    rank_of = {label: i for i, label in enumerate(GRADES["en"])}
    went_up = movers["From"].map(rank_of) > movers["To"].map(rank_of)
    assert (went_up == (movers["Change"] == "up")).all()
    assert list(movers.columns) == [
        "Change", "Station", "County", "From", "To", "Score", "Past the cut-off (points)"
    ]  # fmt: skip
    # the committee's three narrow moves up: Jiangkou +0.08, Moushan +0.11, Xinqi +0.30
    past = movers.set_index("Station")["Past the cut-off (points)"]
    assert (
        past["Jiangkou station"] == "0.08 (borderline)"
        and past["Xinqi station"] == "0.30 (borderline)"
    )
    assert past["Meilin station"] == "1.26"  # 76.26 against the cut-off of 75
    assert "Meilin station" in movers.loc[movers["Change"] == "up", "Station"].tolist()


def test_weak_table_for_one_station_and_all(results):
    from fivecolor.analysis.month import weak_indicators

    result = results["zh"]
    everyone = one_station.weak_table(result)
    assert len(everyone) == len(weak_indicators(result))
    one = one_station.weak_table(result, STATION)
    assert list(one.columns) == ["指标", "标准化得分", "失分", "处于末档"]
    assert len(one) == int((everyone["供电所"] == "柴桥供电所").sum()) >= 3
    assert set(one["处于末档"]) <= {"是", "否"}
    assert (one["失分"].diff().dropna() <= 0).all()  # most costly first
    with pytest.raises(KeyError):
        one_station.weak_table(result, "nowhere")


def test_findings_table_localises_severity(results):
    result = results["zh"]
    assert list(overview.findings_table(result).columns) == [
        "级别",
        "月份",
        "供电所",
        "指标",
        "说明",
    ]
    findings = pd.DataFrame(
        [
            {
                "severity": "warning",
                "file": "x.csv",
                "row": "2",
                "column": "value",
                "period": "2020-05",
                "station_id": STATION,
                "indicator": "line_loss",
                "message": "value jumps",
            }
        ]
    )
    flagged = dataclasses.replace(result, data=dataclasses.replace(result.data, findings=findings))
    table = overview.findings_table(flagged)
    assert table.iloc[0].tolist() == ["警告", "2020-05", STATION, "line_loss", "value jumps"]


# --------------------------------------------------------------------------- one station
def test_station_facts_reads_as_label_and_value(results):
    result = results["en"]
    facts = one_station.station_facts(result, STATION).set_index("Item")["Value"]
    t = result.period_index
    s = result.data.station_ids.get_loc(STATION)
    assert facts["Station"] == "Chaiqiao station" and facts["County"] == "Beilun"
    assert facts["Staff"] == "69"
    assert facts["Score"] == f"{result.composite[t, s]:.1f}"
    assert facts["Rank"] == f"{int(result.rank[t, s])} / 60"
    assert facts["Colour grade"] == "Green (slightly poor)"
    assert list(facts.index) == [
        "Station",
        "County",
        "Staff",
        "Score",
        "Rank",
        "Colour grade",
        "Last month's grade",
        "Change",
    ]


def test_county_peers_are_the_other_stations_of_the_county_by_rank(results):
    result = results["zh"]
    peers = one_station.county_peers(result, STATION)
    stations = result.data.stations
    same = stations.index[(stations["county"] == "北仑区") & (stations.index != STATION)]
    assert sorted(peers["供电所"]) == sorted(stations.loc[same, "name"])
    assert peers["排名"].is_monotonic_increasing
    assert list(peers.columns) == ["供电所", "综合得分", "排名", "颜色等级"]


def test_station_changes_compares_both_months(results):
    result = results["en"]
    changes = one_station.station_changes(result, STATION)
    t, p = result.period_index, result.previous_index()
    s = result.data.station_ids.get_loc(STATION)
    assert len(changes) == 10 and changes["Indicator"].iloc[3] == "Line loss"
    assert changes["Raw, this month"].tolist() == pytest.approx(result.data.values[t, s])
    assert changes["Raw, last month"].tolist() == pytest.approx(result.data.values[p, s])
    assert changes["Normalised change"].tolist() == pytest.approx(
        np.round(result.normalised[t, s] - result.normalised[p, s], 1), abs=0.051
    )
    assert changes["Unit"].iloc[3] == "%"
