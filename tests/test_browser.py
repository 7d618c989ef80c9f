"""End to end in headless Chromium: a notebook with two Altair charts, rendered offline."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

import fivecolor.site.render as render
from fivecolor.site.render import write_assets
from fivecolor.site.runner import NotebookJob, run_notebooks

try:
    from tests.browser import check_page, skip_without_browser
except ImportError:  # tests/ itself on sys.path (pytest's rootless import mode)
    from browser import check_page, skip_without_browser

pytestmark = [pytest.mark.slow, skip_without_browser]

PACKAGE_ROOT = Path(render.__file__).parents[2]

CHART_CELLS = [
    "import altair as alt\nimport pandas as pd\nfrom fivecolor.views.embed import enable_offline_charts\n"
    "enable_offline_charts()",
    "frame = pd.DataFrame({'station': ['海曙所', '江北所', '镇海所'], 'score': [91.5, 84.0, 77.25]})\n"
    "alt.Chart(frame).mark_bar().encode(x=alt.X('station:N', title='供电所'), y='score:Q')"
    ".properties(title=f'{period} 综合得分')",
    "alt.Chart(pd.DataFrame({'x': range(10), 'y': [v * v for v in range(10)]}))"
    ".mark_line(point=True).encode(x='x:Q', y='y:Q')",
]


def make_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("period = '2000-01'")
    params.metadata.tags = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(source) for source in CHART_CELLS]
    nbformat.write(nb, path)
    return path


def test_offline_notebook_page_draws_both_charts_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")])
    )
    site = tmp_path / "site"
    write_assets(site / "assets")
    page_path = site / "2020-05" / "charts.html"
    job = NotebookJob(
        input_path=make_notebook(tmp_path / "charts.ipynb"),
        output_path=tmp_path / "out" / "charts.ipynb",
        parameters={"period": "2020-05"},
        cwd=tmp_path,
        html_path=page_path,
        label="two charts",
        assets_url="../assets",
        language="zh",
    )
    [result] = run_notebooks([job], workers=1, progress=False)
    assert result.status == "ok", result.error
    assert "2020-05 综合得分" in page_path.read_text(encoding="utf-8")

    check = check_page(page_path, name="offline_two_charts")
    assert (check.rendered, check.charts) == (2, 2)
    assert check.console_errors == [] and check.page_errors == []
    assert check.blocked_requests == []
    assert not check.timed_out
    assert check.screenshot.stat().st_size > 5_000


def test_checker_catches_a_page_that_needs_the_network(tmp_path):
    page_path = tmp_path / "cdn.html"
    page_path.write_text(
        "<!DOCTYPE html><html><head>"
        '<script src="https://cdn.jsdelivr.net/npm/vega-embed@7"></script></head><body>'
        '<div class="fc-chart" id="c"></div>'
        '<script>vegaEmbed("#c", {"mark": "bar"});</script></body></html>',
        encoding="utf-8",
    )
    check = check_page(page_path, name="cdn_page_blocked", timeout_s=2)
    assert check.blocked_requests == ["https://cdn.jsdelivr.net/npm/vega-embed@7"]
    assert (check.rendered, check.charts) == (0, 1)
    assert check.timed_out and not check.ok
    assert check.page_errors or check.console_errors  # vegaEmbed is undefined
