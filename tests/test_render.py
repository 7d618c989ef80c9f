"""Offline HTML rendering: no network URLs, no code, shared assets, deterministic ids."""

from __future__ import annotations

import hashlib
import html
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import altair as alt
import nbformat
import pandas as pd
import pytest

from fivecolor.site import render
from fivecolor.site.render import (
    network_urls,
    render_html,
    render_page,
    write_assets,
)
from fivecolor.views.embed import chart_html, enable_offline_charts, reset_chart_ids

CODE_MARKER = "very_secret_code_marker = 1"


class TagCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse_tags(page: str) -> list[tuple[str, dict]]:
    counter = TagCounter()
    counter.feed(page)
    return counter.tags


@pytest.fixture(autouse=True)
def fresh_ids():
    reset_chart_ids()
    yield
    reset_chart_ids()


def sample_chart(title: str = "宁波 供电所") -> alt.Chart:
    frame = pd.DataFrame({"station": ["海曙", "江北", "镇海"], "score": [91.5, 84.0, 77.25]})
    return alt.Chart(frame).mark_bar().encode(x="station:N", y="score:Q").properties(title=title)


def executed_like_notebook(chart: alt.Chart) -> nbformat.NotebookNode:
    """A notebook as if executed: code cells with the renderer's output."""
    enable_offline_charts()
    bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell(CODE_MARKER + "\nchart", execution_count=1)
    code.outputs = [nbformat.v4.new_output("execute_result", data=bundle, execution_count=1)]
    text = nbformat.v4.new_code_cell("print('hello')", execution_count=2)
    text.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello world\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# 五色地图 report"), code, text]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell{index}"  # new cells get random ids; executed notebooks keep theirs
    return nb


def test_altair_renderer_emits_offline_div_and_embed_call():
    enable_offline_charts()
    assert alt.renderers.active == "fivecolor_offline"
    bundle = sample_chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    page = bundle["text/html"]
    assert len(re.findall(r'class="fc-chart(?: fc-chart-tall)?"', page)) == 1
    assert "vegaEmbed(el, " in page
    assert "cdn" not in page.lower() and "<script src" not in page


def test_chart_ids_hash_the_spec_and_count_repeats():
    spec = sample_chart().to_dict()
    expected = hashlib.sha256(
        json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()[:12]
    first, second = chart_html(spec), chart_html(spec)
    assert f'id="fc-{expected}-1"' in first
    assert f'id="fc-{expected}-2"' in second
    reset_chart_ids()
    assert chart_html(spec) == first


def test_spec_text_cannot_close_the_script():
    page = chart_html(sample_chart(title="evil </script><script>alert(1)</script>"))
    scripts = [tag for tag, _ in parse_tags(page) if tag == "script"]
    assert len(scripts) == 1
    assert "\\u003c/script>" in page


def test_render_html_is_offline_without_code():
    page = render_html(
        executed_like_notebook(sample_chart()), "../assets", title="测试", language="zh"
    )
    assert network_urls(page) == []
    assert CODE_MARKER not in page and "print('hello')" not in page
    # a markdown heading's non-ASCII text comes as character references (nbconvert's anchors)
    assert "hello world" in page and "五色地图" in html.unescape(page)
    for marker in (
        "require.js",
        "requirejs",
        "MathJax",
        "mermaid",
        "cdn.jsdelivr",
        "cdnjs",
        "unpkg",
    ):
        assert marker not in page
    tags = parse_tags(page)
    assert ("script", {"src": "../assets/vega-bundle.js"}) in tags
    stylesheets = {a["href"] for t, a in tags if t == "link" and a.get("rel") == "stylesheet"}
    assert stylesheets == {"../assets/notebook.css", "../assets/fivecolor.css"}
    # No "In [1]:" / "Out[1]:" prompts and no inlined lab CSS.
    assert "jp-InputPrompt" not in page and "Out[" not in page
    # nor the highlighting styles: they are in notebook.css, once for the site
    assert ".highlight" not in page and '<style type="text/css">' not in page
    assert len(page) < 30_000
    assert '<html lang="zh">' in page and "<title>测试</title>" in page


def test_render_html_is_deterministic():
    first = render_html(executed_like_notebook(sample_chart()), "assets")
    reset_chart_ids()
    second = render_html(executed_like_notebook(sample_chart()), "assets")
    assert first == second


def test_network_urls_finds_what_the_default_lab_template_loads():
    from nbconvert.exporters import HTMLExporter

    online, _ = HTMLExporter(template_name="lab").from_notebook_node(
        executed_like_notebook(sample_chart())
    )
    assert any("require" in url for url in network_urls(online))
    assert network_urls(
        '<img src="//cdn.example/x.png"><style>a{background:url("https://x/y")}</style>'
    ) == [
        "//cdn.example/x.png",
        'url("https://',
    ]


def test_write_assets(tmp_path):
    import vl_convert

    written = write_assets(tmp_path / "assets")
    assert set(written) == set(render.ASSET_FILES)
    bundle = (tmp_path / "assets" / "vega-bundle.js").read_text(encoding="utf-8")
    assert bundle == vl_convert.javascript_bundle()
    css = (tmp_path / "assets" / "notebook.css").read_text(encoding="utf-8")
    assert ".jp-Notebook" in css and ".jp-OutputArea" in css
    assert ".highlight .k {" in css  # the highlighting styles the pages no longer inline
    assert network_urls(f"<style>{css}</style>") == []
    assert ".fc-chart" in (tmp_path / "assets" / "fivecolor.css").read_text(encoding="utf-8")
    assert not list((tmp_path / "assets").glob(".*.tmp"))


def test_render_page_escapes_and_links_bundle_only_for_charts():
    plain = render_page("A <b> & B", "<p>hi</p>", "../assets/", language="zh")
    assert "<title>A &lt;b&gt; &amp; B</title>" in plain
    assert ("link", {"rel": "stylesheet", "href": "../assets/fivecolor.css"}) in parse_tags(plain)
    assert "vega-bundle.js" not in plain
    with_chart = render_page("Charts", chart_html(sample_chart()), "../assets")
    assert ("script", {"src": "../assets/vega-bundle.js"}) in parse_tags(with_chart)
    assert network_urls(with_chart) == []


def _stock_page(nb: nbformat.NotebookNode, monkeypatch) -> str:
    """What nbconvert's own HTMLExporter makes of ``nb``: :func:`render_html` as it is, with
    the exporter's class swapped for nbconvert's (settings and resources stay the report's)."""
    from nbconvert.exporters import HTMLExporter

    with monkeypatch.context() as patch:
        patch.setattr(render, "_exporter_class", lambda: HTMLExporter)
        patch.setattr(render, "_exporter", None)
        return render_html(nb, "../assets", title="测试", language="zh")


def html_only_notebook() -> nbformat.NotebookNode:
    """A report page's kind of notebook: HTML outputs (a chart, a table), a notes cell."""
    nb = executed_like_notebook(sample_chart())
    notes = nbformat.v4.new_markdown_cell("editors only")
    notes.metadata.tags = ["notes"]
    table = nbformat.v4.new_output(
        "display_data", data={"text/html": "<table><tr><td>宁波 &amp; 海曙</td></tr></table>"}
    )
    nb.cells = [notes, nb.cells[1]]
    nb.cells[1].outputs.append(table)
    return nb


def test_pages_of_html_outputs_skip_nbconvert_reparse_and_stay_the_same(monkeypatch):
    """HTMLExporter ends by re-parsing the page to add ``tabindex="0"`` to every output; for a
    page of HTML outputs the template writes it, and the page is otherwise nbconvert's own."""
    from bs4 import BeautifulSoup

    ours = render_html(html_only_notebook(), "../assets", title="测试", language="zh")
    reset_chart_ids()
    theirs = _stock_page(html_only_notebook(), monkeypatch)
    assert ours.count('tabindex="0"') == 2
    assert ours != theirs  # not re-serialised: BeautifulSoup writes <meta charset="utf-8"/>
    assert str(BeautifulSoup(ours, features="html.parser")) == theirs


def test_a_page_with_other_outputs_is_exported_by_nbconvert_as_it_is(monkeypatch):
    """A failed page: Papermill's banner (markdown), text, a warning, a picture, the error."""
    nb = html_only_notebook()
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("An Exception was encountered"))
    nb.cells[-1].outputs += [
        nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=1),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="}),
        nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=["boom"]),
    ]
    ours = render_html(nb, "../assets", title="测试", language="zh")
    theirs = _stock_page(nb, monkeypatch)
    assert ours == theirs
    assert ours.count('tabindex="0"') >= 6 and "No description has been provided" in ours


def test_report_kernels_show_charts_as_altair_does_without_validating_again(monkeypatch):
    import IPython
    from IPython.core.formatters import DisplayFormatter

    from fivecolor.views import embed

    chart = sample_chart()
    expected = chart._repr_mimebundle_()
    reset_chart_ids()
    assert embed._unchecked_bundle(chart) == expected
    # a spec the schema refuses still draws: the tests, not the report, check the schema
    broken = sample_chart()
    broken.width = "wide"  # set directly: .properties() would check it at once
    with pytest.raises(Exception, match="wide"):
        broken.to_dict()
    assert "vegaEmbed" in embed._unchecked_bundle(broken)["text/html"]

    shell = SimpleNamespace(display_formatter=DisplayFormatter())
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    formatter = shell.display_formatter.mimebundle_formatter
    monkeypatch.delenv(embed.CHART_LIBRARY_ENV, raising=False)
    enable_offline_charts()
    assert alt.TopLevelMixin not in formatter.type_printers  # JupyterLab: Altair validates
    monkeypatch.setenv(embed.CHART_LIBRARY_ENV, "page")
    enable_offline_charts()
    assert formatter.type_printers[alt.TopLevelMixin] is embed._unchecked_bundle
