"""The sample month as the committee reads it, in headless Chromium with the network blocked:
the home page's window at 400×300 (and at ``reports/latest/``), A4 paper, a phone, and no
scripts at all. Screenshots go to ``tests/artifacts/``.

The sample month (60 stations) is built once for the session (``sample_site`` in conftest), as
``fivecolor report`` builds it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

try:
    from tests.browser import (
        ARTIFACTS_DIR,
        CHROMIUM,
        CHROMIUM_ARGS,
        _offline_router,
        browser_missing_reason,
    )
except ImportError:  # tests/ itself on sys.path (pytest's rootless import mode)
    from browser import (
        ARTIFACTS_DIR,
        CHROMIUM,
        CHROMIUM_ARGS,
        _offline_router,
        browser_missing_reason,
    )

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(browser_missing_reason() is not None, reason=str(browser_missing_reason())),
]

ROOT = Path(__file__).resolve().parents[1]
#: A4 less the stylesheet's margins (``@page { margin: 12mm 10mm }``), in CSS pixels (96 per inch).
MM = 96 / 25.4
PRINT_WIDTH = (210 - 2 * 10) * MM
PRINT_HEIGHT = (297 - 2 * 12) * MM
PHONE = {"width": 390, "height": 844}
WINDOW = {"width": 400, "height": 300}
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
# Until the overview folds its long tables itself (<details class="fc-more">, first rows shown),
# the test folds them the same way: what is checked is how such a page prints.
_FOLD_LONG_TABLES = """() => {
  if (document.querySelector('details.fc-more')) return 0;
  let folded = 0;
  document.querySelectorAll('.fc-table-scroll').forEach(box => {
    if (box.querySelectorAll('tbody tr').length <= 12) return;
    const more = document.createElement('details');
    more.className = 'fc-more';
    more.innerHTML = '<summary>…</summary>';
    box.replaceWith(more);
    more.appendChild(box);
    folded += 1;
  });
  return folded;
}"""
_DRAWN = (
    "Array.from(document.querySelectorAll('.fc-chart'))"
    ".every(el => el.querySelector('svg.marks, canvas.marks'))"
)


@pytest.fixture(scope="module")
def site(sample_site):
    return sample_site


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, path: Path, viewport: dict, scripts: bool = True, blocked=None):
    """A page opened from ``file://`` with every other request aborted (and listed in ``blocked``)."""
    context = browser.new_context(viewport=viewport, java_script_enabled=scripts)
    context.route("**/*", _offline_router([] if blocked is None else blocked))
    page = context.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    if scripts:
        page.wait_for_function(_DRAWN, timeout=30_000)
    return page


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF: its ``/Type /Page`` objects (Chromium writes them uncompressed)."""
    return len(_PAGE_OBJECT.findall(pdf))


def shot(page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"paper-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def test_the_page_counter_counts_pages(browser, tmp_path):
    """The counter against a PDF whose page count is known: three forced page breaks."""
    path = tmp_path / "three.html"
    path.write_text(
        "<!DOCTYPE html><html><body>"
        + "".join(f'<p style="break-after: page">{k}</p>' for k in range(3))
        + "</body></html>",
        encoding="utf-8",
    )
    page = open_page(browser, path, PHONE)
    assert pdf_page_count(page.pdf(format="A4")) == 3
    page.context.close()


@pytest.mark.parametrize("where", ["month", "latest"])
def test_the_window_fits_400_by_300_with_its_link_in_view(site, browser, where):
    reports, month = site
    path = month / "widget.html" if where == "month" else reports / "latest" / "widget.html"
    blocked: list[str] = []
    page = open_page(browser, path, WINDOW, blocked=blocked)
    size = page.evaluate(
        "({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight})"
    )
    link = page.locator("a.fc-widget-link").bounding_box()
    shot(page, f"widget-{where}", full_page=False)
    assert size["w"] <= 400 and size["h"] <= 300, size
    assert link is not None
    assert link["x"] >= 0 and link["y"] >= 0
    assert link["x"] + link["width"] <= 400 and link["y"] + link["height"] <= 300
    # the month's report, as the month's own window links it
    href = page.evaluate("document.querySelector('a.fc-widget-link').href")
    assert href == (month / "index.html").resolve().as_uri()
    assert page.locator(".fc-chart svg.marks").count() == 1
    assert blocked == []
    page.context.close()


def printed(browser, path: Path, artifact: str) -> tuple[list[str], float, int]:
    """A page printed to A4 as Chromium does: the elements wider than the paper, where its first
    chart ends (CSS px from the top) and how many sheets the PDF has."""
    page = open_page(browser, path, {"width": round(PRINT_WIDTH), "height": 1100})
    page.evaluate(_FOLD_LONG_TABLES)
    page.emulate_media(media="print")
    wider = page.evaluate(
        """(width) => Array.from(document.querySelectorAll('body *'))
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.width > 0 && (r.left < -0.5 || r.right > width + 0.5))
            .map(([el, r]) => el.tagName + '.' + el.className + ' ' + Math.round(r.right))""",
        PRINT_WIDTH,
    )
    first_chart = page.evaluate(
        "document.querySelector('.fc-chart').getBoundingClientRect().bottom + window.scrollY"
    )
    shot(page, f"print-{artifact}")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (ARTIFACTS_DIR / f"paper-{artifact}.pdf").write_bytes(pdf)
    page.context.close()
    return wider, first_chart, pdf_page_count(pdf)


@pytest.mark.parametrize(
    ("name", "most"), [("index.html", 6), ("stations/meilin.html", 2), ("stations/dayan.html", 2)]
)
def test_a4_print_keeps_to_its_pages_and_within_the_paper(site, browser, name, most):
    _, month = site
    wider, first_chart, sheets = printed(browser, month / name, Path(name).stem)
    assert wider == []
    assert 1 <= sheets <= most
    if name == "index.html":  # the first chart of the page (the map) ends on the first sheet
        assert first_chart <= PRINT_HEIGHT


@pytest.fixture(scope="module")
def english_month(tmp_path_factory) -> Path:
    """The sample month in English, built as ``fivecolor report`` builds it."""
    from fivecolor.site.build import build_month

    folder = tmp_path_factory.mktemp("english")
    params = folder / "english.yaml"
    params.write_text(f"extends: {ROOT / 'params' / '2020-05.yaml'}\nlanguage: en\n")
    return build_month(params, reports_dir=folder / "reports", progress=False)


def test_the_english_overview_prints_its_map_on_the_first_sheet(english_month, browser):
    """English sentences are longer than Chinese ones: the headline and method box above the
    map still leave it on sheet 1, and the page within six sheets and the paper's width."""
    wider, first_chart, sheets = printed(browser, english_month / "index.html", "index-en")
    assert wider == []
    assert 1 <= sheets <= 6
    assert first_chart <= PRINT_HEIGHT


def test_without_scripts_every_chart_shows_its_still_picture(site, browser):
    reports, month = site
    pages = [
        month / "index.html",
        month / "sensitivity.html",
        month / "stations" / "meilin.html",
        month / "widget.html",
        reports / "latest" / "widget.html",
    ]
    for path in pages:
        page = open_page(browser, path, {"width": 1366, "height": 900}, scripts=False)
        charts = page.evaluate(
            """Array.from(document.querySelectorAll('.fc-chart')).map(el => {
                 const svg = el.querySelector('.fc-fallback svg');
                 const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
                 return {still: !!svg, width: r.width, height: r.height,
                         drawn: !!el.querySelector('svg.marks'), error: el.textContent.includes('Chart')};
               })"""
        )
        shot(page, f"noscript-{path.parent.name}-{path.stem}")
        page.context.close()
        assert charts, path
        for chart in charts:
            assert chart["still"] and chart["width"] > 100 and chart["height"] > 50, (path, chart)
            assert not chart["drawn"] and not chart["error"], (path, chart)


def test_on_a_phone_no_page_scrolls_sideways(site, browser):
    reports, month = site
    pages = {
        "overview": month / "index.html",
        "station": month / "stations" / "meilin.html",
        "sensitivity": month / "sensitivity.html",
        "widget": month / "widget.html",
        "months": reports / "index.html",
    }
    widths = {}
    for name, path in pages.items():
        page = open_page(browser, path, PHONE)
        widths[name] = page.evaluate("document.documentElement.scrollWidth")
        shot(page, f"phone-{name}")
        page.context.close()
    assert widths == dict.fromkeys(pages, 390)


def test_the_overview_map_draws_from_the_shared_shapes_and_answers_the_pointer(site, browser):
    """The map's shapes come from ``reports/assets/data/``: every area is drawn, and hovering
    one shows its station's tooltip."""
    _, month = site
    page = open_page(browser, month / "index.html", {"width": 1366, "height": 900})
    areas = page.locator(".fc-chart svg.marks .mark-shape path")
    assert areas.count() >= 60  # the service areas (and the county borders)
    chart = page.locator(".fc-chart").first
    chart.scroll_into_view_if_needed()
    box = chart.locator("svg.marks").bounding_box()
    assert box is not None
    shown = ""
    for fraction in (0.3, 0.4, 0.5, 0.6):  # a point inside the map that falls on an area
        page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * fraction)
        tip = page.locator("#vg-tooltip-element.visible")
        if tip.count():
            shown = tip.inner_text()
            break
    shot(page, "map-hover", full_page=False)
    page.context.close()
    assert "供电所" in shown, shown


def test_without_its_shapes_file_the_map_shows_its_still_picture(site, browser, tmp_path):
    reports, _ = site
    copy = tmp_path / "reports"
    shutil.copytree(reports, copy)
    for data in (copy / "assets" / "data").glob("*.js"):
        data.unlink()
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.route("**/*", _offline_router([]))
    page = context.new_page()
    page.goto((copy / "2020-05" / "index.html").resolve().as_uri(), wait_until="load")
    page.wait_for_timeout(3000)
    first = page.locator(".fc-chart").first
    assert first.locator(".fc-fallback svg").count() == 1
    assert first.locator("svg.marks").count() == 0
    context.close()
