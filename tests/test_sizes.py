"""The sample month stays light: its pages within their budgets (bytes are deterministic, so
they are asserted; the times are in ``benchmarks/report.py``), the month folder within 5 MB, and
nothing in it stored twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fivecolor.site.archive import ARCHIVE, executed_files
from fivecolor.views.shared_data import names_used

pytestmark = pytest.mark.slow

#: The budgets (bytes, still pictures included): the overview, every station page, the home
#: page's window, and the whole month folder.
OVERVIEW, STATION, WIDGET, MONTH = 300_000, 80_000, 100_000, 5_000_000


def _size(path: Path) -> int:
    return path.stat().st_size


def test_the_overview_and_every_station_page_keep_to_their_budgets(sample_site):
    _, month = sample_site
    assert _size(month / "index.html") < OVERVIEW
    stations = {p.name: _size(p) for p in (month / "stations").glob("*.html")}
    assert len(stations) == 60
    heaviest = max(stations, key=stations.__getitem__)
    assert stations[heaviest] < STATION, heaviest
    assert _size(month / "widget.html") < WIDGET


def test_the_month_folder_keeps_within_5_mb(sample_site):
    _, month = sample_site
    files = {p: _size(p) for p in month.rglob("*") if p.is_file()}
    assert sum(files.values()) <= MONTH, sorted(files.items(), key=lambda f: -f[1])[:5]


def test_the_executed_notebooks_are_one_archive_holding_every_page(sample_site):
    _, month = sample_site
    assert not (month / "notebooks").exists() and (month / ARCHIVE).is_file()
    names = [name for name, _ in executed_files(month)]
    assert names == sorted(names) and len(names) == 62
    assert "notebooks/overview.ipynb" in names and "notebooks/stations/meilin.ipynb" in names


def test_the_map_shapes_are_stored_once_and_loaded_by_the_pages_that_draw_a_map(sample_site):
    reports, month = sample_site
    overview = (month / "index.html").read_text(encoding="utf-8")
    widget = (month / "widget.html").read_text(encoding="utf-8")
    shared = names_used(overview)
    assert len(shared) == 2 and names_used(widget) == shared
    for name in shared:
        script = f'<script src="../assets/data/{name}.js"></script>'
        assert script in overview and script in widget
        data = reports / "assets" / "data" / f"{name}.js"
        assert data.stat().st_size > 20_000  # the shapes themselves, not in the pages
    # no coordinates of the shapes left in the pages
    assert not re.search(r'"type":"(?:Multi)?Polygon"', overview + widget)
