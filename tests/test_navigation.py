"""The bar on every page: months list, previous and next published month, overview, downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fivecolor.site.navigation import nav_html, write_months_script
from fivecolor.site.render import render_page


def _hrefs(nav: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', nav)


@pytest.mark.parametrize(
    ("page", "depth", "site", "month"),
    [
        ("index.html", 1, "../", ""),
        ("stations/meilin.html", 1, "../../", "../"),
        ("actions/index.html", 1, "../../", "../"),
        ("index.html", 3, "../../../", ""),  # a variant: reports/<period>/variants/<name>
    ],
)
def test_links_are_relative_to_the_page(page, depth, site, month):
    nav = nav_html("2020-05", page, depth, "zh")
    hrefs = _hrefs(nav)
    assert f"{site}index.html" in hrefs  # the months list
    for target in ("index.html", "sensitivity.html", "scores.xlsx", "scores.csv"):
        assert f"{month}{target}" in hrefs
    assert f"{month}actions/index.html" in hrefs
    assert f'src="{site}assets/months.js"' in nav
    assert 'data-period="2020-05"' in nav


def test_the_bar_speaks_the_pages_language():
    assert "全部月份" in nav_html("2020-05", "index.html", 1, "zh")
    english = nav_html("2020-05", "index.html", 1, "en")
    assert "All months" in english and not re.search(r"[\u4e00-\u9fff]", english)


def _site(tmp_path: Path, periods: list[str]) -> Path:
    """Published-looking month pages carrying the bar, and the months script for ``periods``."""
    reports = tmp_path / "reports"
    for period in ["2020-03", "2020-04", "2020-05", "2020-06"]:
        for page in ("index.html", "stations/meilin.html"):
            path = reports / period / page
            path.parent.mkdir(parents=True, exist_ok=True)
            nav = nav_html(period, page, 1, "en")
            path.write_text(render_page(period, f"<p>{period}</p>", "x", nav=nav))
    (reports / "assets").mkdir()
    (reports / "index.html").write_text("<title>months</title>")
    write_months_script(reports, periods)
    return reports


@pytest.mark.slow
def test_previous_and_next_follow_what_is_published_now(tmp_path):
    """A page published in April learns of May once May is out, without being rewritten."""
    from browser import CHROMIUM, CHROMIUM_ARGS, browser_missing_reason

    if browser_missing_reason():
        pytest.skip(browser_missing_reason())
    from playwright.sync_api import sync_playwright

    reports = _site(tmp_path, ["2020-04", "2020-03"])
    april = reports / "2020-04" / "stations" / "meilin.html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()

        def bar(path: Path) -> dict[str, str | None]:
            page.goto(path.as_uri())
            return {
                name: page.eval_on_selector(
                    f"nav.fc-nav .fc-nav-{name}", "a => a.hidden ? null : a.href"
                )
                for name in ("prev", "next")
            }

        assert bar(april) == {"prev": (reports / "2020-03/index.html").as_uri(), "next": None}
        write_months_script(reports, ["2020-05", "2020-04", "2020-03"])  # May is published
        assert bar(april)["next"] == (reports / "2020-05/index.html").as_uri()
        # a month between published ones (a variant of an unpublished month) finds both sides
        write_months_script(reports, ["2020-06", "2020-04"])
        assert bar(reports / "2020-05" / "index.html") == {
            "prev": (reports / "2020-04/index.html").as_uri(),
            "next": (reports / "2020-06/index.html").as_uri(),
        }
        page.click("nav.fc-nav .fc-nav-months")
        assert page.url == (reports / "index.html").as_uri()
        browser.close()
