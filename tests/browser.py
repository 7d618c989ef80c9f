"""Headless-Chromium check of offline pages, for tests.

Opens a page from ``file://`` in the system Chromium (driven by Playwright, whose own
browser download is not needed), aborts and records every request that is not
``file://``, waits until every ``.fc-chart`` holds a drawn ``svg.marks`` or
``canvas.marks``, and saves a full-page screenshot under ``tests/artifacts/``.

Use in a test::

    from tests.browser import check_page, skip_without_browser

    @skip_without_browser
    def test_page(tmp_path):
        result = check_page(page_path, name="overview")
        assert result.rendered == result.charts
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("FIVECOLOR_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS_DIR = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_CHART_SELECTOR = ".fc-chart"
_DRAWN_SELECTOR = ".fc-chart svg.marks, .fc-chart canvas.marks"


def browser_missing_reason() -> str | None:
    """Why the browser check cannot run here, or ``None`` when it can."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install playwright; its browser download is not needed)"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)"
    return None


skip_without_browser = pytest.mark.skipif(
    browser_missing_reason() is not None, reason=str(browser_missing_reason())
)


@dataclass
class PageCheck:
    """What the browser saw on one page."""

    url: str
    charts: int
    rendered: int
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        """Every chart drawn, no errors, nothing requested from the network."""
        return (
            self.rendered == self.charts
            and not self.console_errors
            and not self.page_errors
            and not self.blocked_requests
        )


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "page"


def _offline_router(blocked: list[str]):
    """Route handler: let ``file://`` through, abort and record everything else."""

    def route(route):
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    return route


def check_pages(
    pages: list[Path], names: list[str] | None = None, timeout_s: float = 20.0
) -> list[PageCheck]:
    """Check several pages with one browser launch; see :func:`check_page`."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    names = names or [Path(p).stem for p in pages]
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for page_path, name in zip(pages, names, strict=True):
                context = browser.new_context(viewport={"width": 1100, "height": 900})
                blocked: list[str] = []

                context.route("**/*", _offline_router(blocked))
                page = context.new_page()
                console_errors: list[str] = []
                page_errors: list[str] = []
                page.on(
                    "console",
                    lambda msg, errs=console_errors: (
                        errs.append(msg.text) if msg.type == "error" else None
                    ),
                )
                page.on("pageerror", lambda exc, errs=page_errors: errs.append(str(exc)))
                url = Path(page_path).resolve().as_uri()
                page.goto(url, wait_until="load")
                timed_out = False
                try:
                    page.wait_for_function(
                        f"document.querySelectorAll({_DRAWN_SELECTOR!r}).length >= "
                        f"document.querySelectorAll({_CHART_SELECTOR!r}).length",
                        timeout=timeout_s * 1000,
                    )
                except PlaywrightError:
                    timed_out = True
                charts = page.locator(_CHART_SELECTOR).count()
                rendered = page.evaluate(
                    f"Array.from(document.querySelectorAll({_CHART_SELECTOR!r}))"
                    ".filter(el => el.querySelector('svg.marks, canvas.marks')).length"
                )
                shot = ARTIFACTS_DIR / f"{_safe_name(name)}.png"
                page.screenshot(path=str(shot), full_page=True)
                context.close()
                results.append(
                    PageCheck(
                        url=url,
                        charts=charts,
                        rendered=rendered,
                        console_errors=console_errors,
                        page_errors=page_errors,
                        blocked_requests=blocked,
                        screenshot=shot,
                        timed_out=timed_out,
                    )
                )
        finally:
            browser.close()
    return results


def check_page(page_path: Path, name: str | None = None, timeout_s: float = 20.0) -> PageCheck:
    """Open ``page_path`` offline in headless Chromium and report what rendered.

    Parameters
    ----------
    page_path
        An HTML file; it is opened as a ``file://`` URL.
    name
        Screenshot name: ``tests/artifacts/<name>.png`` (default the file's stem).
    timeout_s
        How long to wait for every ``.fc-chart`` to be drawn.
    """
    return check_pages([Path(page_path)], [name or Path(page_path).stem], timeout_s)[0]
