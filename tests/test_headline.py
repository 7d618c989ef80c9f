"""The overview's 本月要点: its facts and sentences against the month's figures, computed here
from the scored table alone (counts, colour changes, distances to the cut-offs, weights)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fivecolor import load_data, load_params, score
from fivecolor.analysis.action_files import action_tables
from fivecolor.scoring.bands import BANDS
from fivecolor.views.headline import (
    CLOSEST_SHOWN,
    MOVERS_NAMED,
    headline_facts,
    headline_html,
    headline_sentences,
)
from fivecolor.views.text import BAND_LABELS

ROOT = Path(__file__).resolve().parents[1]
CUTOFFS = (90.0, 85.0, 80.0, 75.0)  # the sample's, checked below
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def months():
    params = load_params(ROOT / "params" / "2020-05.yaml")
    data = load_data(params)
    first = load_params(ROOT / "params" / "2020-05.yaml", period="2018-06")
    zh = score(data, params)
    return {
        "zh": zh,
        "en": score(data, params.replace(language="en")),
        "first": score(load_data(first), first),
        "forecast": action_tables(zh)["forecast"],
    }


def _expected(result):
    """The month's figures from the scored table alone."""
    assert tuple(result.params.bands.cutoffs) == CUTOFFS and result.params.bands.borderline == 0.5
    now = result.table().set_index("station_id")
    before = result.table(result.periods[result.previous_index()]).set_index("station_id")
    counts = now["band"].value_counts().reindex(list(BANDS), fill_value=0)
    previous = before["band"].value_counts().reindex(list(BANDS), fill_value=0)
    order = {b: k for k, b in enumerate(BANDS)}
    step = before["band"].map(order) - now["band"].loc[before.index].map(order)
    up, down = step.index[step > 0], step.index[step < 0]
    # the cut-off a station's colour starts at, and the one of the colour above
    own = now["band"].map(dict(zip(BANDS, [*CUTOFFS, np.nan], strict=True)))
    above = now["band"].map(dict(zip(BANDS, [np.nan, *CUTOFFS], strict=True)))
    past = pd.concat([(now["score"] - own).loc[up], (above - now["score"]).loc[down]])
    distance = pd.concat([now["score"] - own, above - now["score"]], axis=1).min(axis=1)
    return {
        "counts": counts,
        "changes": counts - previous,
        "up": set(up),
        "down": set(down),
        "borderline_moves": set(past.index[past <= 0.5]),
        "near": distance[distance <= 0.5].sort_values(),
    }


def test_the_facts_match_the_months_figures(months):
    result = months["zh"]
    expected = _expected(result)
    facts = headline_facts(result, months["forecast"])
    assert dict(facts.counts) == expected["counts"].to_dict()
    assert dict(facts.changes or {}) == expected["changes"].to_dict()
    moved_up = {
        m.station_id for m in facts.movers if BANDS.index(m.band_to) < BANDS.index(m.band_from)
    }
    assert moved_up == expected["up"] and facts.moved_up == len(expected["up"])
    assert {m.station_id for m in facts.movers} - moved_up == expected["down"]
    assert {m.station_id for m in facts.movers if m.borderline} == expected["borderline_moves"]
    near = [n.station_id for n in facts.near_cutoff]
    assert set(near) == set(expected["near"].index)
    # the table's scores are rounded to 4 places
    assert [n.distance for n in facts.near_cutoff] == pytest.approx(
        sorted(expected["near"]), abs=1e-4
    )
    # the sample month as the committee read it: 9 up and 6 down, 8 of them (5 up, 3 down) by
    # 0.5 points or less, 13 stations within 0.5 of a cut-off, 11 more reds for the first stage
    assert (len(expected["up"]), len(expected["down"])) == (9, 6)
    assert len(expected["borderline_moves"]) == 8 and len(near) == 13
    assert facts.stage is not None
    assert (facts.stage.target_count, facts.stage.red_now, facts.stage.to_go) == (18, 7, 11)
    assert facts.stage.verdict in {"on track", "off track"}


def test_the_weakest_indicator_costs_the_most_points_on_average(months):
    result = months["zh"]
    t = result.period_index
    # arithmetic mean of goalpost scores: an indicator costs its weight share × (100 - score)
    weights = np.array([spec.weight for spec in result.params.indicators.values()], dtype=float)
    assert result.params.aggregation.value == "arithmetic"
    assert not np.isnan(result.normalised[t]).any()
    lost = (100 - result.normalised[t]) * weights / weights.sum()
    weakest = headline_facts(result).weakest
    assert weakest is not None
    assert weakest.indicator == list(result.params.indicators)[int(np.argmax(lost.mean(axis=0)))]
    assert weakest.mean_points_lost == pytest.approx(lost.mean(axis=0).max(), abs=1e-9)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sentences_state_the_months_figures(months, lang):
    result = months[lang]
    expected = _expected(result)
    facts = headline_facts(result, months["forecast"])
    counts, movers, near, stage, weakest = headline_sentences(facts, lang)
    names = result.data.stations["name_en" if lang == "en" else "name"]
    for band in BANDS:
        change = int(expected["changes"][band])
        sign = "±0" if change == 0 else f"{change:+d}".replace("-", "\u2212")
        assert f"{BAND_LABELS[band][lang]} {expected['counts'][band]}" in counts
        assert sign in counts.split(BAND_LABELS[band][lang], 1)[1][:12]
    assert str(len(expected["up"])) in movers and str(len(expected["down"])) in movers
    colour = dict(zip(BANDS, ["红", "橙", "蓝", "绿", "黄"] if lang == "zh" else
                      ["red", "orange", "blue", "green", "yellow"], strict=True))  # fmt: skip
    now = result.table().set_index("station_id")["band"]
    before = result.table(result.periods[result.previous_index()]).set_index("station_id")["band"]
    firm, borderline = movers.split("；" if lang == "zh" else "; ")
    for mover in facts.movers[:MOVERS_NAMED]:
        sid = mover.station_id
        move = f"{names[sid]} {colour[before[sid]]}→{colour[now[sid]]}"
        if sid in expected["borderline_moves"]:
            assert f"{move} {mover.past_cutoff:.2f}" in borderline
        else:
            assert move in firm
    n_borderline = len(expected["borderline_moves"])
    assert (f"共 {n_borderline} 个" if lang == "zh" else f"({n_borderline} in all") in borderline
    assert str(len(expected["near"])) in near and "0.5" in near
    for sid in expected["near"].index[:CLOSEST_SHOWN]:
        assert names[sid] in near and f"{expected['near'][sid]:.2f}" in near
    assert all(n in stage for n in ("18", "7", "11", "2020-12"))
    assert facts.weakest is not None and facts.weakest.label in weakest


def test_the_first_month_reads_without_a_previous_month(months):
    facts = headline_facts(months["first"])
    assert facts.previous is None and facts.changes is None and facts.movers == ()
    sentences = headline_sentences(facts, "zh")
    assert "没有上月可比" in sentences[0]
    assert not any("上升" in s or "±" in s for s in sentences)
    strip = headline_html(facts, "zh")
    assert "较上月" not in strip and "▲" not in strip
    english = headline_sentences(facts, "en")
    assert "no change to report" in english[0]


def test_names_are_escaped_in_the_strip(months):
    result = months["zh"]
    moved = headline_facts(result).movers[0].station_id
    stations = result.data.stations.copy()
    stations.loc[moved, "name"] = HOSTILE
    hostile = dataclasses.replace(result, data=dataclasses.replace(result.data, stations=stations))
    page = headline_html(headline_facts(hostile), "zh")
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert re.search(r'<li class="fc-kpi fc-kpi-red"><span class="fc-kpi-value">7</span>', page)
