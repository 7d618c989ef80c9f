"""The station card: colour, score, rank, distances to the cut-offs, plan, partner, help, projects."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from fivecolor import load_data, load_params, score
from fivecolor.analysis.action_files import action_tables
from fivecolor.data.projects import load_projects
from fivecolor.views.station_card import station_card_facts, station_card_html

ROOT = Path(__file__).resolve().parents[1]
CUTOFFS = {"red": 90.0, "orange": 85.0, "blue": 80.0, "green": 75.0}  # the sample's
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def month():
    params = load_params(ROOT / "params" / "2020-05.yaml")
    data = load_data(params)
    zh = score(data, params)
    en = score(data, params.replace(language="en"))
    projects = load_projects(params, data.station_ids)
    return {
        "zh": zh,
        "en": en,
        "tables": action_tables(zh, projects),
        "tables_en": action_tables(en, projects),
    }


def _card(month, station_id, lang="zh"):
    tables = month["tables" if lang == "zh" else "tables_en"]
    return station_card_facts(month[lang], station_id, tables, tables.get("projects"))


def test_meilin_is_green_and_knows_its_distance_to_blue_and_to_yellow(month):
    result = month["zh"]
    card = _card(month, "meilin")
    s = result.data.station_ids.get_loc("meilin")
    now = result.composite[result.period_index, s]
    assert card.band == "green" and card.score == pytest.approx(now)
    # the committee's figures: +3.74 to blue, 1.26 above falling back to yellow
    assert card.to_next == pytest.approx(CUTOFFS["blue"] - now, abs=1e-6)
    assert card.above_lower == pytest.approx(now - CUTOFFS["green"], abs=1e-6)
    assert f"{card.to_next:.2f}" == "3.74" and f"{card.above_lower:.2f}" == "1.26"
    rank = int(np.sum(result.composite[result.period_index] > now)) + 1
    assert card.rank == rank and card.stations == 60
    before = result.composite[result.previous_index(), s]
    assert card.score_change == pytest.approx(now - before) and card.change == "up"


def test_the_card_names_the_partner_departments_and_projects_from_the_action_tables(month):
    tables = month["tables"]
    card = _card(month, "meilin")
    pairs = tables["pairing"][tables["pairing"]["status"] == "paired"]
    mine = pairs[(pairs["mentor_id"] == "meilin") | (pairs["partner_id"] == "meilin")]
    others = set(mine["mentor_id"]) | set(mine["partner_id"]) - {"meilin"}
    assert {sid for sid, _, _ in card.partners} == others - {"meilin"}
    helped = tables["departments"][tables["departments"]["station_id"] == "meilin"]
    assert len(card.departments) == helped["department"].nunique()
    projects = tables["projects"][tables["projects"]["station_id"] == "meilin"]
    assert len(card.projects) == len(projects)
    assert all(title in text for title, text in zip(projects["title"], card.projects, strict=True))
    plan = tables["plan"]
    assert (
        len(card.targets)
        == plan[(plan["station_id"] == "meilin") & plan["indicator"].notna()].shape[0]
    )
    assert card.plan  # a green station has a plan to blue

    page = station_card_html(card, "zh", "月报 · 2020-05")
    for sid, name, _ in card.partners:
        assert f'<a href="{sid}.html">{name}</a>' in page
    assert re.search(r'<h1 class="fc-card-title"><span class="fc-chip fc-chip-green"', page)
    assert "距蓝色（中等）还差 3.74 分" in page and "距降为黄色（落后）还有 1.26 分" in page


def test_red_has_nothing_above_and_yellow_nothing_below(month):
    table = month["zh"].table()
    red = table[table["band"] == "red"]["station_id"].iloc[0]
    yellow = table[table["band"] == "yellow"]["station_id"].iloc[0]
    top, bottom = _card(month, red), _card(month, yellow)
    assert top.to_next is None and top.above_lower is not None and top.plan == ""
    assert bottom.above_lower is None and bottom.to_next is not None
    page = station_card_html(top, "zh", "")
    assert "还差" not in page and "距降为橙色" in page


def test_english_card_has_english_county_and_escapes_names(month):
    card = _card(month, "meilin", "en")
    assert card.county == "Ninghai"
    assert card.name == "Meilin station"
    hostile = dataclasses.replace(card, name=HOSTILE, county=HOSTILE)
    page = station_card_html(hostile, "en", "Report")
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert "points to Blue (medium)" in page


def test_the_station_index_groups_by_english_county_names_on_english_pages(month):
    from fivecolor.views.notebook import Month, station_links

    result = month["en"]
    index = station_links(Month(result.params, result.data, result)).data  # type: ignore[attr-defined]
    assert "<strong>Ninghai</strong>:" in index and "宁海县" not in index
    assert '<a href="stations/meilin.html" class="fc-band-green">Meilin station</a>' in index
