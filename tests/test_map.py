"""The five-colour map read on its own: marks beyond colour, score ranges, county names,
tooltips that answer over every area and areas that open their station's page."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

from fivecolor import load_data, load_params, score
from fivecolor.data import geography as geo
from fivecolor.views import embed, maps, theme
from fivecolor.views.text import BAND_LABELS, BANDS, text

ROOT = Path(__file__).resolve().parents[1]
CUTOFFS = (90, 85, 80, 75)


@pytest.fixture(scope="module")
def results():
    params = load_params(ROOT / "params" / "2020-05.yaml")
    data = load_data(params)
    return {"zh": score(data, params), "en": score(data, params.replace(language="en"))}


def test_borderline_stations_are_those_within_the_margin_of_a_cut_off(results):
    result = results["zh"]
    marks = maps.station_marks(result).set_index("station_id")
    scores = result.table().set_index("station_id")["score"]
    by_hand = (np.abs(scores.to_numpy()[:, None] - np.array(CUTOFFS)) <= 0.5).any(axis=1)
    expected = set(scores.index[by_hand])
    assert set(marks.index[marks["borderline"]]) == expected
    assert len(expected) == 13  # the sample month's figure, as the committee counted it
    wider_params = result.params.replace(
        bands=result.params.bands.model_copy(update={"borderline": 2.0})
    )
    wider = maps.station_marks(dataclasses.replace(result, params=wider_params))
    assert wider["borderline"].sum() > len(expected)


def test_marks_carry_the_grade_and_the_move(results):
    for language, letters in (("zh", "红橙蓝绿黄"), ("en", "ROBGY")):
        result = results[language]
        table = result.table().set_index("station_id")
        marks = maps.station_marks(result).set_index("station_id").loc[table.index]
        letter = dict(zip(BANDS, letters, strict=True))
        arrow = {"up": "▲", "down": "▼"}
        expected = [
            letter[b] + arrow.get(c, "")
            for b, c in zip(table["band"], table["change"], strict=True)
        ]
        assert marks["mark"].tolist() == expected
        assert set(table["change"]) >= {"up", "down"}  # the month has movers both ways


def test_distances_and_score_change_read_from_the_scores(results):
    result = results["zh"]
    marks = maps.station_marks(result).set_index("station_id")
    table = result.table().set_index("station_id")
    t, p = result.period_index, result.previous_index()
    ids = list(result.data.station_ids)
    meilin = ids.index("meilin")
    change = result.composite[t, meilin] - result.composite[p, meilin]
    assert marks.loc["meilin", "score_change"] == f"{change:+.2f}".replace("-", "\u2212")
    for station, row in table.iterrows():
        b = BANDS.index(row["band"])
        up = "" if b == 0 else f"{CUTOFFS[b - 1] - result.composite[t, ids.index(station)]:.2f}"
        assert marks.loc[station, "to_next"] == up


def test_legend_shows_each_colours_score_range(results):
    for language in ("zh", "en"):
        spec = maps.colour_map(results[language]).to_dict()
        (expr,) = {
            layer["encoding"]["color"]["legend"]["labelExpr"]
            for layer in spec["layer"]
            if "legend" in layer.get("encoding", {}).get("color", {})
            and layer["encoding"]["color"]["legend"]
        }
        entries = json.loads("[" + ",".join(re.findall(r'\? ("[^"]*")', expr)) + "]")
        ranges = ["≥ 90", "85–90", "80–85", "75–80", "< 75"]
        for band, entry, shown in zip(BANDS, entries, ranges, strict=True):
            assert BAND_LABELS[band][language] in entry and entry.endswith(shown)


def test_county_names_are_in_the_pages_language_and_cover_no_station(results):
    for language, column in (("zh", "name"), ("en", "name_en")):
        spec = maps.colour_map(results[language]).to_dict()
        names = {
            row["county_name"]
            for data in spec["datasets"].values()
            for row in data
            if "county_name" in row
        }
        assert names == set(geo.COUNTIES[column])
    labels = maps._county_labels(geo.county_boundaries(), maps._station_frame(results["zh"]), "zh")
    stations = maps._station_frame(results["zh"])[["lon", "lat"]].to_numpy()
    nearest = np.min(
        np.hypot(*(labels[["lon", "lat"]].to_numpy()[:, None, :] - stations[None]).T), axis=0
    )
    assert (nearest > 0.01).all()  # about a kilometre: the name sits away from every mark


@pytest.mark.slow
def test_every_area_answers_the_pointer_and_opens_its_station(results, tmp_path):
    """In Chromium: each area has a point where it is the topmost element (no layer steals the
    pointer), hovering there shows that station's tooltip, and a click opens its page."""
    from browser import CHROMIUM, CHROMIUM_ARGS, browser_missing_reason

    if browser_missing_reason():
        pytest.skip(browser_missing_reason())
    from playwright.sync_api import sync_playwright

    result = results["zh"]
    theme.setup("zh")
    page = tmp_path / "map.html"
    page.write_text(
        "<!doctype html><meta charset=utf-8><body>"
        + f"<style>{embed.component_css()}</style>"
        + embed.chart_library_html()
        + embed.chart_html(maps.colour_map(result))
        + "</body>",
        encoding="utf-8",
    )
    (tmp_path / "stations").mkdir()
    names = dict(zip(result.data.station_ids, result.data.stations["name"], strict=True))
    for station in names:
        (tmp_path / "stations" / f"{station}.html").write_text(f"<title>{station}</title>")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        view = browser.new_page(viewport={"width": 1000, "height": 800})
        view.goto(page.as_uri())
        view.wait_for_selector(".fc-chart svg.marks")
        points = view.evaluate(
            """() => {
              const areas = document.querySelector('.fc-chart svg.marks .mark-shape');
              return Array.from(areas.querySelectorAll('path')).map(path => {
                const r = path.getBoundingClientRect();
                for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
                  const x = r.left + r.width * i / 10, y = r.top + r.height * j / 10;
                  if (document.elementFromPoint(x, y) === path) return [x, y];
                }
                return null;
              });
            }"""
        )
        assert len(points) == len(names) and all(points)

        def hover(x: float, y: float) -> str:
            """The station whose tooltip shows with the pointer moved straight to (x, y)."""
            view.mouse.move(x, y)
            tip = view.locator("#vg-tooltip-element.visible")
            tip.wait_for(timeout=3000)
            shown = tip.inner_text()
            assert text("map.to_next", "zh") in shown
            return next(s for s, n in names.items() if n in shown)

        seen = {hover(x, y) for x, y in points[:: max(1, len(points) // 15)]}
        assert len(seen) >= 10
        x, y = points[-1]
        station = hover(x, y)
        view.mouse.click(x, y)
        view.wait_for_url(f"**/stations/{station}.html")
        browser.close()
