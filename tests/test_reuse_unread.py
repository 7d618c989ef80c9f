"""An unchanged month is reused from the files' bytes, before any table is read or scored, and a
change of data, parameters, notebooks or a missing page still rebuilds it.

The published month here is a manifest written as the build writes one, with the pages it lists
(the real build and rerun are in ``test_report.py``): what is checked is the decision.
"""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from test_cli_imports import HEAVY, imported_after

from fivecolor.params import load_params
from fivecolor.resources import notebooks_dir
from fivecolor.site import manifest
from fivecolor.site.reuse import MONTH_FILES, data_file_hashes, reuse_published
from fivecolor.site.sitewide import write_site_assets

from conftest import Project

PAGES = ("index.html", "sensitivity.html", "stations/NB01.html")
PAGE = "<!DOCTYPE html>\n<html>\n<head>\n</head>\n<body>published</body>\n</html>\n"


@pytest.fixture(scope="module")
def site_assets(tmp_path_factory):
    """The shared scripts and styles as a publication leaves them (written once: ~1 MB)."""
    reports = tmp_path_factory.mktemp("assets")
    write_site_assets(reports)
    return reports / "assets"


@pytest.fixture
def published(tmp_path, site_assets):
    """A project, its site folder and the month published there from the project's files."""
    (tmp_path / "project").mkdir()
    project = Project(tmp_path / "project")
    reports = tmp_path / "reports"
    params = load_params(project.params_path)
    hashes = data_file_hashes(params)
    assert hashes is not None and set(hashes) == {"stations", "indicators"}
    parts = manifest.key_parts(params, hashes, notebooks_dir())
    month = reports / params.period
    for name in (*MONTH_FILES, *PAGES):
        (month / name).parent.mkdir(parents=True, exist_ok=True)
        (month / name).write_text(PAGE, encoding="utf-8")
    manifest.write_manifest(
        month / manifest.MANIFEST,
        {
            "status": "ok",
            "cache_key": manifest.cache_key(parts),
            "params": parts["parameters"],
            "key_parts": {k: v for k, v in parts.items() if k != "parameters"},
            "notebooks": {page: {"html": page} for page in PAGES},
        },
    )
    shutil.copytree(site_assets, reports / "assets")
    return project, reports, month


def test_an_unchanged_month_is_reused_and_the_site_index_written(published, capsys):
    project, reports, month = published
    assert reuse_published(project.params_path, None, reports) == month
    assert "unchanged; reusing" in capsys.readouterr().err
    assert "2020-05/index.html" in (reports / "index.html").read_text(encoding="utf-8")
    assert (reports / "latest" / "index.html").is_file()
    assert (month / "index.html").read_text(encoding="utf-8") == PAGE


def test_a_changed_data_file_is_built_again(published):
    project, reports, _ = published
    for name in ("indicators.csv", "stations.csv"):
        path = project.root / name
        before = path.read_bytes()
        path.write_bytes(before.replace(b"\n", b"\r\n", 1))  # the same table, other bytes
        assert reuse_published(project.params_path, None, reports) is None, name
        path.write_bytes(before)
    assert reuse_published(project.params_path, None, reports) is not None


def test_a_changed_parameter_or_period_is_built_again(published):
    project, reports, _ = published
    heavier = project.with_params(lambda d: d.update(indicators={"line_loss": {"weight": 20}}))
    assert reuse_published(heavier, None, reports) is None
    assert reuse_published(project.params_path, "2020-04", reports) is None


def test_a_changed_notebook_is_built_again_and_a_saved_one_is_not(published, tmp_path):
    project, reports, month = published
    copied = shutil.copytree(notebooks_dir(), tmp_path / "notebooks")
    assert reuse_published(project.params_path, None, reports, notebooks_dir=copied) == month
    nb = nbformat.read(copied / "station.ipynb", as_version=4)
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    code.source += "\nNone"
    nbformat.write(nb, copied / "station.ipynb")
    assert reuse_published(project.params_path, None, reports, notebooks_dir=copied) is None


@pytest.mark.parametrize("name", ["stations/NB01.html", "scores.xlsx"])
def test_a_missing_page_or_table_is_built_again(published, name):
    project, reports, month = published
    (month / name).unlink()
    assert reuse_published(project.params_path, None, reports) is None


def test_a_missing_shared_data_file_is_built_again(published):
    """The maps' shapes are stored once under the site's assets; a page that loads them is not
    reused without them (its map would show only its still picture)."""
    project, reports, month = published
    data = reports / "assets" / "data" / "fc-geo-0123456789abcdef.js"
    loading = PAGE.replace(
        "<head>", '<head><script src="../assets/data/fc-geo-0123456789abcdef.js">'
    )
    (month / "widget.html").write_text(loading, encoding="utf-8")
    assert reuse_published(project.params_path, None, reports) is None
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text('(window.fcData = window.fcData || {})["x"] = [];\n', encoding="utf-8")
    assert reuse_published(project.params_path, None, reports) == month


def test_forced_failed_or_variant_months_are_not_reused(published):
    project, reports, month = published
    assert reuse_published(project.params_path, None, reports, force=True) is None
    assert reuse_published(project.params_path, None, reports, variant="heavy") is None
    assert reuse_published(project.params_path, None, reports, variant="../x") is None
    doc = json.loads((month / manifest.MANIFEST).read_text(encoding="utf-8"))
    (month / manifest.MANIFEST).write_text(json.dumps({**doc, "status": "failed"}))
    assert reuse_published(project.params_path, None, reports) is None


def test_rows_from_the_store_are_not_decided_from_bytes(published):
    project, _, _ = published
    stored = project.with_params(lambda d: d["data"].update(indicators="store"))
    assert data_file_hashes(load_params(stored)) is None


#: What an unchanged rerun leaves unloaded: tables, notebooks, charts and databases (jinja2,
#: which writes the months list, stays).
NOT_ON_REUSE = {*HEAVY, "pandas", "pyarrow", "openpyxl", "nbclient", "jupyter_client", "rich"} - {
    "jinja2"
}


def test_an_unchanged_rerun_imports_no_tables_notebooks_or_charts(published, tmp_path):
    project, reports, month = published
    argv = ["report", "--params", str(project.params_path), "--out", str(reports)]
    before = (month / manifest.MANIFEST).stat().st_mtime_ns
    run = f"from fivecolor.cli import main\nassert main({argv!r}) == 0"
    imported = imported_after(run, tmp_path)
    assert (month / manifest.MANIFEST).stat().st_mtime_ns == before  # reused, not rebuilt
    assert "pydantic" in imported  # the listing sees what the command loaded
    assert not imported & NOT_ON_REUSE, sorted(imported & NOT_ON_REUSE)
