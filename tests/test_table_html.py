"""Tables as pages show them: station names linked, grades with a chip, long tables folded."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from fivecolor import load_data, load_params, score
from fivecolor.analysis import actions
from fivecolor.views import action_tables, overview
from fivecolor.views.table_html import FOLD_ROWS, mark_columns, table_html

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def result():
    params = load_params(ROOT / "params" / "2020-05.yaml")
    return score(load_data(params), params)


def _rows(page: str) -> int:
    return len(re.findall(r"<tr>\s*<td>", page))


def test_every_station_in_the_league_links_to_its_page_with_its_chip(result):
    page = table_html(overview.league_table(result), "zh", fold=None)
    table = result.table()
    hrefs = re.findall(r'<a href="stations/([^"]+)\.html">([^<]+)</a>', page)
    names = result.data.stations["name"]
    assert [sid for sid, _ in hrefs] == table["station_id"].tolist()
    assert all(names[sid] == name for sid, name in hrefs)
    chips = re.findall(r'class="fc-chip fc-chip-(\w+)"', page)
    assert chips == table["band"].tolist()
    moved = table["change"].isin(["up", "down"]).sum()
    assert page.count("▲ ") + page.count("▼ ") == moved


def test_a_station_page_links_its_siblings(result):
    peers = overview.league_table(result).iloc[:3]
    page = table_html(peers, "en", pages="", fold=None)
    assert (
        re.findall(r'<a href="([^"/]+)\.html">', page) == result.table()["station_id"][:3].tolist()
    )


def test_names_and_ids_are_escaped(result):
    frame = mark_columns(
        pd.DataFrame({"站": [HOSTILE, "plain"], "值": [1.5, 2.0]}),
        links={"站": ['a"b<c', "ok"]},
        chips={"值": ["red", "blue"]},
    )
    page = table_html(frame, "zh")
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert 'href="stations/a&quot;b&lt;c.html"' in page and 'href="stations/ok.html"' in page


@pytest.mark.parametrize("dtype", [object, "str", "string", "category"])
def test_every_text_cell_and_header_is_escaped_whatever_its_dtype(dtype):
    frame = pd.DataFrame({HOSTILE: pd.Series([HOSTILE, None], dtype=dtype), "n": [1.5, None]})
    page = table_html(frame, "en")
    assert "<script>" not in page and page.count("&lt;script&gt;") == 2
    assert "<td>1.5</td>" in page


def test_marks_must_match_the_rows():
    with pytest.raises(ValueError, match="'站'"):
        mark_columns(pd.DataFrame({"站": ["a", "b"]}), links={"站": ["a"]})


@pytest.mark.parametrize(("lang", "summary"), [("zh", "全部 126 行"), ("en", "all 126 rows")])
def test_a_long_table_shows_its_first_rows_and_folds_the_rest(lang, summary):
    frame = pd.DataFrame({"n": range(126), "name": [f"s{k}" for k in range(126)]})
    page = table_html(frame, lang)
    shown, folded = page.split('<details class="fc-more">')
    assert _rows(shown) == FOLD_ROWS and _rows(folded) == 126 - FOLD_ROWS
    assert f"<summary>{summary}</summary>" in folded and folded.endswith("</details>")
    assert "<td>s9</td>" in shown and "<td>s10</td>" in folded
    assert "fc-more" not in table_html(frame.iloc[:FOLD_ROWS], lang)


def test_the_department_summary_counts_stations_per_department_and_colour(result):
    help_rows = actions.department_help(result)
    summary = action_tables.department_summary_table(result, help_rows)
    params = result.params
    assert len(summary) == help_rows["department"].nunique() <= len(params.departments)
    helped = help_rows.drop_duplicates(["department", "station_id"])
    for _, row in summary.iterrows():
        key = next(
            k for k, label in params.departments.items() if params.label(label) == row["责任部门"]
        )
        mine = helped[helped["department"] == key]
        assert row["帮扶供电所数"] == len(mine)
        assert row["黄色（落后）"] == (mine["band"] == "yellow").sum()
        assert row["帮扶指标项"] == (help_rows["department"] == key).sum()
        worst = help_rows[help_rows["department"] == key]["gap_points"].max()
        assert row["差距最大（供电所 · 指标 分）"].endswith(f"{worst:.1f}")


def test_hostile_names_in_the_department_table_are_escaped(result):
    help_rows = actions.department_help(result)
    sid = help_rows["station_id"].iloc[0]
    stations = result.data.stations.copy()
    stations.loc[sid, "name"] = HOSTILE
    hostile = dataclasses.replace(result, data=dataclasses.replace(result.data, stations=stations))
    page = table_html(action_tables.department_table(hostile, help_rows), "zh")
    assert HOSTILE not in page and f'<a href="stations/{sid}.html">&lt;script&gt;' in page
