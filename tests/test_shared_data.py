"""The maps' shapes stored once for the site: named by content, left out of the site's pages,
loaded by the pages that draw them, and kept in every spec drawn elsewhere."""

from __future__ import annotations

import json
import re

import altair as alt
import nbformat
import pytest

from fivecolor.site.render import render_html, render_page, write_shared_data
from fivecolor.views import embed, shared_data
from fivecolor.views.embed import CHART_LIBRARY_ENV, chart_html

SHAPES = [
    {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [0, 0]]]},
        "properties": {"station_id": "S01"},
    }
]


def shape_chart() -> alt.LayerChart:
    """A map-like chart whose shapes are a shared dataset, beside an ordinary inline one."""
    name = shared_data.shared_name(SHAPES)
    areas = alt.Chart(alt.NamedData(name=name)).mark_geoshape()
    points = alt.Chart(alt.Data(values=[{"lon": 0.5, "lat": 0.5}])).mark_circle()
    points = points.encode(longitude="lon:Q", latitude="lat:Q")
    return alt.LayerChart(layer=[areas, points], datasets={name: SHAPES})


def spec_text(html: str) -> str:
    return re.search(r"var spec = (\{.*?\});\n", html, re.S).group(1)  # type: ignore[union-attr]


def test_a_shared_name_is_a_digest_of_the_values():
    name = shared_data.shared_name(SHAPES)
    assert re.fullmatch(r"fc-geo-[0-9a-f]{16}", name) and shared_data.is_shared(name)
    assert shared_data.shared_name(json.loads(json.dumps(SHAPES))) == name
    assert shared_data.shared_name(SHAPES + SHAPES) != name


def test_on_the_site_a_chart_reads_its_shapes_from_the_assets(monkeypatch):
    monkeypatch.setenv(CHART_LIBRARY_ENV, "page")
    name = shared_data.shared_name(SHAPES)
    html = chart_html(shape_chart(), fallback=False)
    spec = json.loads(spec_text(html))
    assert name not in spec["datasets"] and '"coordinates"' not in html
    assert f'spec.datasets["{name}"] = (window.fcData || {{}})["{name}"];' in html
    assert shared_data.names_used(html) == [name]


def test_elsewhere_the_chart_carries_its_shapes(monkeypatch):
    monkeypatch.delenv(CHART_LIBRARY_ENV, raising=False)
    name = shared_data.shared_name(SHAPES)
    html = chart_html(shape_chart(), fallback=False)
    assert json.loads(spec_text(html))["datasets"][name] == SHAPES
    assert shared_data.names_used(html) == []
    # asked for explicitly, as the home page's window does outside the kernels
    assert shared_data.names_used(chart_html(shape_chart(), share_data=True)) == [name]


def test_the_still_picture_is_drawn_with_the_shapes(monkeypatch):
    monkeypatch.setenv(CHART_LIBRARY_ENV, "page")
    embed.reset_chart_ids()
    shared = chart_html(shape_chart())
    embed.reset_chart_ids()
    inline = chart_html(shape_chart(), share_data=False)
    still = re.compile(r'<div class="fc-fallback">.*?</svg></div>', re.S)
    shared_still, inline_still = still.search(shared), still.search(inline)
    assert shared_still and inline_still
    # the same picture (ids aside: each is named after its own div)
    assert re.sub(r"fc-[0-9a-f]{12}-1", "", shared_still.group(0)) == re.sub(
        r"fc-[0-9a-f]{12}-1", "", inline_still.group(0)
    )
    assert "<path" in shared_still.group(0)


def test_the_data_file_defines_the_values(tmp_path):
    name = shared_data.shared_name(SHAPES)
    (path,) = write_shared_data(tmp_path / "assets", {name: SHAPES})
    assert path == tmp_path / "assets" / "data" / f"{name}.js"
    text = path.read_text(encoding="utf-8")
    prefix = f'(window.fcData = window.fcData || {{}})["{name}"] = '
    assert text.startswith(prefix) and text.endswith(";\n")
    assert json.loads(text[len(prefix) : -2]) == SHAPES
    before = path.stat().st_mtime_ns
    write_shared_data(tmp_path / "assets", {name: SHAPES})  # named by content: left as it is
    assert path.stat().st_mtime_ns == before


def test_a_page_loads_the_data_its_charts_read(monkeypatch):
    monkeypatch.setenv(CHART_LIBRARY_ENV, "page")
    name = shared_data.shared_name(SHAPES)
    body = chart_html(shape_chart(), fallback=False)
    script = f'<script src="../assets/data/{name}.js"></script>'
    page = render_page("Map", body, "../assets")
    assert script in page and page.index("vega-bundle.js") < page.index(script)
    assert page.index(script) < page.index("<body")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": body})]
    nb.cells = [cell]
    notebook_page = render_html(nb, "../assets")
    assert script in notebook_page and notebook_page.index(script) < notebook_page.index("<body")
    assert "data/" not in render_page("Plain", "<p>no chart</p>", "../assets")


@pytest.mark.parametrize("values", [[{"text": "</script><script>alert(1)</script>"}]])
def test_data_cannot_close_the_script(values):
    script = shared_data.data_script(shared_data.shared_name(values), values)
    assert "</script" not in script and "\\u003c/script" in script
