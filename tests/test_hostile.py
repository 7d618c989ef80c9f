"""Hostile content: names and labels holding HTML or JavaScript are shown as text, never run.

A month is built from a project whose station names, report title, an indicator label and
a department label carry script and markup; every page is opened in headless Chromium (network
blocked) and must draw its charts, run none of that script, create none of that markup, show
the names literally in the text and in the chart tooltips. Station ids that would name a file
outside the month folder, and counties that are not on the base map, are refused before any
page is built.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fivecolor.site.build import build_month

from browser import CHROMIUM, CHROMIUM_ARGS, _offline_router, browser_missing_reason
from conftest import CATALOGUE, STATIONS, Project

pytestmark = pytest.mark.slow

SCRIPT = "<script>window.__pwned=1</script>"
CLOSE_SCRIPT = "</script><script>window.__pwned=2</script>"
IMG = '"><img src=x onerror="window.__pwned=3">'
#: A page's script tag loading the maps' shapes from the site's assets.
SHARED_DATA_TAG = re.compile(r'<script src="(?:\.\./)*assets/data/fc-geo-[0-9a-f]{16}\.js">')
#: Breaks out of a single-quoted string (in HTML attributes, JS or Vega expressions) and of rich markup.
QUOTE = "O'Neil\\' + (window.__pwned=4) + '[/] {{7*7}}"
HOSTILE = {"NB01": SCRIPT, "NB02": CLOSE_SCRIPT, "NB03": IMG, "NB04": QUOTE}
LABEL = CLOSE_SCRIPT + IMG  # the safety_production indicator's label
DEPARTMENT = SCRIPT + "安全监察部"
TITLE = SCRIPT + "五色地图 [/]"
#: Names a spreadsheet would run as formulas, and one with a line separator (which ends a
#: line in JavaScript): neutralised in the tables, cleaned at validation.
SPREADSHEET = {
    "NB05": '=HYPERLINK("http://evil.example/x","click")',
    "NB06": "\t=cmd|' /C calc'!A0",
    "NB07": "余姚\u2028供电所",
}
#: A second indicator's label with a line separator: every page's charts must still draw.
SEPARATED_LABEL = "供电\u2028可靠率"


def _hostile_project(root: Path) -> tuple[Project, Path]:
    stations = STATIONS.copy()
    names = {**HOSTILE, **SPREADSHEET}
    stations["name"] = stations["station_id"].map(names).fillna(stations["name"])
    project = Project(root, stations=stations)
    second = list(CATALOGUE)[1]

    def change(doc: dict) -> None:
        doc["title"] = {"zh": TITLE, "en": TITLE}
        doc["indicators"] = {
            "safety_production": {"label": {"zh": LABEL, "en": LABEL}},
            second: {"label": {"zh": SEPARATED_LABEL, "en": SEPARATED_LABEL}},
        }
        doc["departments"] = {"safety_supervision": {"zh": DEPARTMENT, "en": DEPARTMENT}}

    return project, project.with_params(change, name="hostile.yaml")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    (root / "project").mkdir()
    project, params = _hostile_project(root / "project")
    month = build_month(params, reports_dir=root / "reports", workers=2, progress=False)
    return project, month


def _pages(month: Path) -> dict[str, Path]:
    return {
        "overview": month / "index.html",
        "station-script": month / "stations" / "NB01.html",
        "station-close-script": month / "stations" / "NB02.html",
        "station-img": month / "stations" / "NB03.html",
        "station-quote": month / "stations" / "NB04.html",
        "station-line-separator": month / "stations" / "NB07.html",
        "sensitivity": month / "sensitivity.html",
        "widget": month / "widget.html",
        "months": month.parent / "index.html",
    }


def test_the_hostile_month_is_published_with_every_page(hostile_site):
    _, month = hostile_site
    for name, page in _pages(month).items():
        assert page.is_file(), name


def test_names_reach_pages_only_escaped(hostile_site):
    """In the HTML source: outside scripts as entities, inside scripts as JSON with ``<`` as ``\\u003c``."""
    _, month = hostile_site
    for name, page in _pages(month).items():
        text = page.read_text(encoding="utf-8")
        for raw in (SCRIPT, CLOSE_SCRIPT, IMG):
            assert raw not in text, (name, raw)
        # the only script elements are the page's own: the chart bundle and one call per chart
        tags = re.findall(r"<script\b[^>]*>", text)
        # besides: the maps' shapes, stored once under the site's assets (checked below)
        tags = [tag for tag in tags if not SHARED_DATA_TAG.fullmatch(tag)]
        assert set(tags) <= {
            "<script>",
            '<script src="../assets/vega-bundle.js">',
            '<script src="../../assets/vega-bundle.js">',
            '<script src="assets/vega-bundle.js">',
            # the bar's list of published months, from the site's assets
            '<script src="../assets/months.js">',
            '<script src="../../assets/months.js">',
        }, name
        charts = len(re.findall(r'class="fc-chart(?: fc-chart-tall)?"', text))
        assert tags.count("<script>") == text.count("<script>(function () {") == charts, name
        assert "<img" not in text, name
    overview = (month / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in overview  # the title, as text
    assert (
        '"\\u003cscript>window.__pwned=1\\u003c/script>"' in overview
    )  # a chart's data, JSON in a script
    # the maps' shapes in the site's assets (shapes and station ids; names stay in the page's
    # spec above): JSON with no markup
    shapes = sorted((month.parent / "assets" / "data").glob("fc-geo-*.js"))
    stored = "".join(path.read_text(encoding="utf-8") for path in shapes)
    assert shapes and "<script" not in stored and "</script" not in stored and "<img" not in stored


def test_a_scores_table_keeps_the_names_verbatim(hostile_site):
    import pandas as pd

    _, month = hostile_site
    scores = pd.read_csv(month / "scores.csv", dtype={"station_id": str}, keep_default_na=False)
    assert dict(zip(scores["station_id"], scores["name"], strict=True)) | HOSTILE == dict(
        zip(scores["station_id"], scores["name"], strict=True)
    )


def test_the_published_tables_hold_no_formula_and_no_separator(hostile_site):
    """scores.xlsx has no formula cell, scores.csv and actions/*.csv no cell a spreadsheet runs;
    the names are there, with the OWASP prefix; no table holds U+2028."""
    import openpyxl
    import pandas as pd

    _, month = hostile_site
    sheet = openpyxl.load_workbook(month / "scores.xlsx").active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'" + SPREADSHEET["NB05"] in texts
    assert "'=cmd|' /C calc'!A0" in texts and "余姚 供电所" in texts
    assert [c.value for c in cells if c.data_type == "n" and c.value is not None]  # numbers stay
    for path in [month / "scores.csv", *sorted((month / "actions").glob("*.csv"))]:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        stacked = frame.stack()
        assert not stacked.str.match(r"^[=+@\t\r]").any(), path.name
        assert not stacked.str.contains("\u2028").any(), path.name


@pytest.mark.skipif(browser_missing_reason() is not None, reason=str(browser_missing_reason()))
def test_no_hostile_script_runs_and_names_show_as_text_in_chromium(hostile_site):
    from playwright.sync_api import sync_playwright

    _, month = hostile_site
    pages = _pages(month)
    seen_tooltips: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, path in pages.items():
                context = browser.new_context(viewport={"width": 1100, "height": 900})
                blocked: list[str] = []
                context.route("**/*", _offline_router(blocked))
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda exc, errs=errors: errs.append(str(exc)))
                page.on(
                    "console",
                    lambda msg, errs=errors: errs.append(msg.text) if msg.type == "error" else None,
                )
                page.goto(path.resolve().as_uri(), wait_until="load")
                page.wait_for_function(
                    "document.querySelectorAll('.fc-chart svg.marks').length >= "
                    "document.querySelectorAll('.fc-chart').length",
                    timeout=30_000,
                )
                assert page.evaluate("typeof window.__pwned") == "undefined", name
                assert page.locator('img[src="x"]').count() == 0, name
                assert page.locator(".fc-chart-error").count() == 0, name
                assert (errors, blocked) == ([], []), name
                text = page.evaluate("document.body.innerText")
                assert SCRIPT in text, name  # the title, or the station's name, as plain text
                if name == "overview":
                    assert CLOSE_SCRIPT in text and IMG in text and QUOTE in text
                if name == "station-quote":
                    assert QUOTE in text
                if name in ("overview", "widget"):
                    seen_tooltips += _map_tooltips(page)
                    assert page.evaluate("typeof window.__pwned") == "undefined", name
                context.close()
        finally:
            browser.close()
    for raw in HOSTILE.values():
        assert sum(raw in tip for tip in seen_tooltips) == 2, (
            raw
        )  # once on the overview, once on the widget


def _map_tooltips(page) -> list[str]:
    """Point at every station's area on the page's first chart (the map); the tooltips' text.

    The pointer events are sent to each area itself (a real mouse at the area's centre may land
    on a station's mark drawn over it). vega-embed's tooltip handler must put the name in as
    text: the tooltip element then holds no ``img``, ``script`` or ``iframe``.
    """
    tips = []
    marks = page.locator(".fc-chart").first.locator("g.mark-shape.role-mark").first.locator("path")
    assert marks.count() == len(STATIONS)
    for i in range(marks.count()):
        marks.nth(i).dispatch_event("pointermove", {"bubbles": True})
        marks.nth(i).dispatch_event("mousemove", {"bubbles": True})
        tooltip = page.locator("#vg-tooltip-element")
        assert (
            tooltip.evaluate("el => el.querySelectorAll('img, script, iframe, object').length") == 0
        )
        tips.append(tooltip.inner_text())
    return tips


# -- refused before any page is built -------------------------------------------------------
@pytest.mark.parametrize(
    "station_id",
    [
        "../x",
        "a/b",
        ".hidden",
        "..",
        "NB01/../../etc",
        "x\\y",
        "-rf",
        "名字",
        "NB 01",
        "a" * 65,
        "NB\n01",
        "NB01\x00",
    ],
)
def test_station_ids_that_could_leave_the_month_folder_are_refused(
    project, expect_bad_input, station_id
):
    stations = project.stations.copy()
    stations.loc[0, "station_id"] = station_id
    message = expect_bad_input(
        project.with_stations(stations), "stations_v.csv", ("row 2", "column station_id")
    )
    assert "names files" in message


def test_a_refused_station_id_reaches_no_folder(project, tmp_path, run_cli):
    stations = project.stations.copy()
    stations.loc[0, "station_id"] = "../../escaped"
    reports = tmp_path / "site" / "reports"
    code, _, err = run_cli(
        "report", "--params", project.with_stations(stations), "--out", reports, "--workers", "1"
    )
    assert code == 2 and err.count("\n") == 1 and "'../../escaped'" in err
    assert not reports.exists() and not (tmp_path / "site" / "escaped.html").exists()


def test_a_county_not_on_the_base_map_is_bad_input_before_any_notebook(project, tmp_path, run_cli):
    stations = project.stations.copy()
    stations.loc[3, "county"] = IMG
    reports = tmp_path / "reports"
    code, out, err = run_cli(
        "report", "--params", project.with_stations(stations), "--out", reports, "--workers", "1"
    )
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "stations_v.csv" in err and "NB04" in err and "county" in err and "base map" in err
    assert not reports.exists()
