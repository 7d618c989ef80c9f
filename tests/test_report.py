"""The monthly site: built from a small project through the real notebooks, checked as published.

One module-scoped build (8 stations: 10 notebooks) serves most checks; the failure and
determinism tests build again in their own folders.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from fivecolor.cli import main
from fivecolor.params import load_params
from fivecolor.resources import notebooks_dir
from fivecolor.site.archive import executed_files, read_executed
from fivecolor.site.build import ReportFailed, build_month
from fivecolor.site.render import network_urls
from fivecolor.site.reuse import unchanged_publication

from conftest import REPO, STATIONS, Project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "project").mkdir()
    project = Project(root / "project")
    reports = root / "reports"
    month = build_month(project.params_path, reports_dir=reports, workers=2, progress=False)
    return project, reports, month


def test_the_month_has_every_page_and_file(site):
    _, reports, month = site
    assert month == reports / "2020-05"
    for name in (
        "index.html",
        "sensitivity.html",
        "widget.html",
        "scores.csv",
        "scores.xlsx",
        "manifest.json",
        "notebooks.tar.xz",
        "inputs/inputs.json",
    ):
        assert (month / name).is_file(), name
    executed = [name for name, _ in executed_files(month)]
    assert "notebooks/overview.ipynb" in executed
    for sid in STATIONS["station_id"]:
        assert (month / "stations" / f"{sid}.html").is_file()
        assert f"notebooks/stations/{sid}.ipynb" in executed
    assert (reports / "assets" / "vega-bundle.js").stat().st_size > 500_000
    assert "2020-05/index.html" in (reports / "index.html").read_text(encoding="utf-8")


def test_every_page_carries_the_bar_and_the_actions_have_their_list(site):
    _, reports, month = site
    pages = [month / "index.html", month / "sensitivity.html", month / "actions" / "index.html"]
    pages += sorted((month / "stations").glob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert len(re.findall(r'<nav [^>]*class="fc-nav"', html)) == 1, page
        up = "../" * (len(page.relative_to(month).parts) - 1)
        assert f'href="{up}../index.html"' in html and f'href="{up}scores.xlsx"' in html, page
    assert "fc-nav" not in (month / "widget.html").read_text(encoding="utf-8")
    assert "2020-05" in (reports / "assets" / "months.js").read_text(encoding="utf-8")
    listing = (month / "actions" / "index.html").read_text(encoding="utf-8")
    csvs = sorted(p.name for p in (month / "actions").glob("*.csv"))
    assert csvs and sorted(re.findall(r'<a href="([^"/]+\.csv)" download>', listing)) == csvs


def test_pages_load_nothing_from_the_network_and_show_no_code(site):
    _, _, month = site
    pages = [
        month / "index.html",
        month / "widget.html",
        month / "sensitivity.html",
        *sorted((month / "stations").glob("*.html")),
    ]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert network_urls(text) == [], page
        assert "open_month(" not in text and "import " not in text.split("<body", 1)[1], page


def test_pages_speak_the_parameters_language(site):
    _, _, month = site
    overview = (month / "index.html").read_text(encoding="utf-8")
    assert "五色地图" in overview and "示意图" in overview
    assert "Five-colour map" not in overview


def test_executed_notebooks_keep_papermill_metadata_and_parameters(site):
    project, _, month = site
    assert not (month / "notebooks").exists()  # packed, the folder removed
    nb = read_executed(month, "notebooks/stations/NB03.ipynb")
    assert nb.metadata.papermill.parameters["station_id"] == "NB03"
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and str(project.params_path.resolve()) in injected[0].source


def test_manifest_records_inputs_and_provenance(site):
    project, _, month = site
    manifest = json.loads((month / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["period"] == "2020-05"
    assert set(manifest["inputs"]) >= {"stations", "indicators", "params/0", "params/1"}
    assert all(len(v["sha256"]) == 64 for v in manifest["inputs"].values())
    assert len(manifest["notebooks"]) == 2 + len(STATIONS)
    assert all(n["status"] == "ok" for n in manifest["notebooks"].values())
    snapshot = json.loads((month / "inputs" / "inputs.json").read_text(encoding="utf-8"))
    copied = month / "inputs" / snapshot["indicators"]["file"]
    assert copied.read_bytes() == (project.root / "indicators.csv").read_bytes()


def test_scores_file_matches_the_cli(site, tmp_path):
    project, _, month = site
    out = tmp_path / "scores.csv"
    assert main(["score", "--params", str(project.params_path), "--out", str(out)]) == 0
    assert out.read_bytes() == (month / "scores.csv").read_bytes()
    assert (
        pd.read_excel(month / "scores.xlsx")["station_id"].tolist()
        == pd.read_csv(out)["station_id"].tolist()
    )


def test_an_unchanged_rerun_reuses_the_month(site, capsys):
    project, reports, month = site
    before = (month / "manifest.json").stat().st_mtime_ns
    build_month(project.params_path, reports_dir=reports, workers=2, progress=False)
    assert (month / "manifest.json").stat().st_mtime_ns == before


def test_a_published_month_is_recognised_from_its_files_bytes(site):
    project, _, month = site
    params = load_params(project.params_path)
    # the manifest the build writes carries what the decision reads: key, status and pages
    assert unchanged_publication(params, month)
    assert not unchanged_publication(params, month, force=True)


def test_a_reused_month_missing_a_page_is_rebuilt_with_the_reason(site, capsys):
    project, reports, month = site
    page = month / "stations" / "NB03.html"
    page.unlink()
    capsys.readouterr()
    build_month(project.params_path, reports_dir=reports, workers=2, progress=False)
    err = " ".join(capsys.readouterr().err.split())
    assert "stations/NB03.html missing from the published month" in err
    assert "reusing" not in err
    assert page.is_file()


def test_braces_in_the_project_site_and_notebook_folders_stay_literal(tmp_path):
    """Papermill formats its paths with the notebook's parameters: ``{period}`` would send an
    executed notebook elsewhere and ``{x}`` fail every notebook, were the paths not literal."""
    root = tmp_path / "checkout{x}"
    root.mkdir()
    project = Project(root)
    notebooks = shutil.copytree(notebooks_dir(), tmp_path / "nb{period}")
    reports = tmp_path / "out{period}{x}"
    month = build_month(
        project.params_path,
        reports_dir=reports,
        notebooks_dir=notebooks,
        workers=2,
        progress=False,
    )
    assert month == reports / "2020-05"
    assert (month / "index.html").is_file() and (month / "stations" / "NB08.html").is_file()
    assert read_executed(month, "notebooks/overview.ipynb").metadata.papermill.parameters
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["checkout{x}", "nb{period}", "out{period}{x}"]
    )


def test_a_comment_reordered_keys_or_a_saved_notebook_reuse_the_month(site, tmp_path, capsys):
    project, reports, month = site
    before = (month / "manifest.json").stat().st_mtime_ns
    doc = yaml.safe_load(project.params_path.read_text(encoding="utf-8"))
    edited = project.root / "edited.yaml"
    edited.write_text(
        "# checked again on Monday\n"
        + yaml.safe_dump(dict(reversed(doc.items())), sort_keys=False),
        encoding="utf-8",
    )
    # the notebooks as JupyterLab saves them after Run All: outputs, counts, new metadata
    saved = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), saved)
    for path in saved.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.execution_count = 1
                cell.outputs = [nbformat.v4.new_output("stream", text="ran\n")]
        nb.metadata["language_info"] = {"name": "python", "version": "3.11.2"}
        nbformat.write(nb, path)
    capsys.readouterr()
    build_month(edited, reports_dir=reports, workers=2, progress=False, notebooks_dir=saved)
    assert (month / "manifest.json").stat().st_mtime_ns == before
    assert "unchanged; reusing" in capsys.readouterr().err


def _files(folder: Path, skip: str | None = None) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not (skip and p.relative_to(folder).parts[0] == skip)
    }


@pytest.fixture
def heavier(site):
    """The site's project's parameters with line_loss weighted 20."""
    project, _, _ = site
    return project.with_params(lambda d: d.update(indicators={"line_loss": {"weight": 20}}))


def test_a_published_month_refuses_other_parameters_in_one_line(site, heavier, tmp_path, capsys):
    _, reports, _ = site
    copy = tmp_path / "reports"
    shutil.copytree(reports, copy)
    before = _files(copy)
    capsys.readouterr()
    assert main(["report", "--params", str(heavier), "--out", str(copy)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "2020-05 is published with other parameters (indicators.line_loss.weight" in err
    assert "--replace" in err and "--variant" in err
    assert _files(copy) == before


def test_replace_republishes_and_keeps_the_old_site_beside(site, heavier, tmp_path, capsys):
    _, reports, month = site
    copy = tmp_path / "reports"
    shutil.copytree(reports, copy)
    capsys.readouterr()
    assert main(["report", "--params", str(heavier), "--out", str(copy), "--replace"]) == 0
    err = capsys.readouterr().err
    building = [line for line in err.splitlines() if "building" in line]
    assert len(building) == 1, err
    assert "parameters changed: indicators.line_loss.weight" in building[0]
    assert building[0].endswith("→ 20"), building[0]
    manifest = json.loads((copy / "2020-05" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["indicators"]["line_loss"]["weight"] == 20
    (kept,) = copy.glob("2020-05.replaced-*")
    assert _files(kept) == _files(month)  # the earlier site, as it was
    assert "replaced-" not in (copy / "index.html").read_text(encoding="utf-8")


def test_a_variant_is_marked_and_leaves_the_official_month_byte_identical(site, heavier, tmp_path):
    _, reports, _ = site
    copy = tmp_path / "reports"
    shutil.copytree(reports, copy)
    official = _files(copy / "2020-05")
    assert main(["report", "--params", str(heavier), "--out", str(copy), "--variant", "heavy"]) == 0
    assert _files(copy / "2020-05", skip="variants") == official
    variant = copy / "2020-05" / "variants" / "heavy"
    scores = pd.read_csv(variant / "scores.csv")
    assert not scores.equals(pd.read_csv(copy / "2020-05" / "scores.csv"))
    pages = [variant / "index.html", variant / "sensitivity.html", variant / "widget.html"]
    pages += sorted((variant / "stations").glob("*.html"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'class="fc-banner"' in text and "heavy" in text, page
        # the shared assets, three folders further up than the official month's
        assets = [part.split('"')[0] for part in text.split('src="')[1:] if "vega-bundle" in part]
        assert all((page.parent / a).resolve().is_file() for a in assets), (page, assets)
    assert "variants" not in (copy / "index.html").read_text(encoding="utf-8")


def _without_times(path: Path) -> dict:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("times")
    return manifest


def test_same_inputs_give_identical_scores_and_manifest_apart_from_times(site, tmp_path):
    project, _, month = site
    again = build_month(
        project.params_path, reports_dir=tmp_path / "reports", workers=2, progress=False, force=True
    )
    assert (again / "scores.csv").read_bytes() == (month / "scores.csv").read_bytes()
    assert _without_times(again / "manifest.json") == _without_times(month / "manifest.json")


def test_a_failing_notebook_publishes_nothing_and_names_notebook_and_cell(site, tmp_path, capsys):
    project, _, _ = site
    reports = tmp_path / "reports"
    good = build_month(project.params_path, reports_dir=reports, workers=2, progress=False)
    published = {p.relative_to(good): p.read_bytes() for p in good.rglob("*") if p.is_file()}

    broken = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), broken)
    nb = nbformat.read(broken / "station.ipynb", as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            'if station == "NB05":\n    raise ValueError("indicator feed broken")'
        )
    )
    nbformat.write(nb, broken / "station.ipynb")

    with pytest.raises(ReportFailed) as failure:
        build_month(
            project.params_path,
            reports_dir=reports,
            workers=2,
            progress=False,
            force=True,
            notebooks_dir=broken,
        )
    message = str(failure.value)
    assert (
        "station.ipynb (station NB05)" in message
        and "cell" in message
        and "indicator feed broken" in message
    )
    assert {
        p.relative_to(good): p.read_bytes() for p in good.rglob("*") if p.is_file()
    } == published
    assert not list(reports.glob(".2020-05.staging-*"))
    kept = reports / "_failed" / "2020-05" / "notebooks" / "stations" / "NB05.ipynb"
    assert "indicator feed broken" in kept.read_text(encoding="utf-8")

    # the command line says the same in one line and exits non-zero
    code = main(
        [
            "report",
            "--params",
            str(project.params_path),
            "--out",
            str(reports),
            "--force",
            "--workers",
            "2",
            "--notebooks",
            str(broken),
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        code == 1
        and err[-1].startswith("fivecolor: error:")
        and "station.ipynb (station NB05)" in err[-1]
    )


def test_notebooks_run_unchanged_under_plain_papermill(tmp_path):
    import papermill as pm

    out = tmp_path / "overview.ipynb"
    pm.execute_notebook(
        str(notebooks_dir() / "overview.ipynb"),
        str(out),
        cwd=str(notebooks_dir()),
        parameters={"params_file": str(REPO / "params" / "2020-05.yaml")},
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    html = "".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", [])
    )
    assert "梅林供电所" in html and "fc-chart" in html


def test_notebooks_have_a_tagged_parameters_cell():
    # no outputs in what is committed: tests/test_notebooks_in_git.py
    for path in notebooks_dir().glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and "params_file" in tagged[0].source, path
        assert nb.metadata.kernelspec.name == "python3"


def test_pages_render_every_chart_offline_in_headless_chromium(site):
    from browser import browser_missing_reason, check_pages

    if browser_missing_reason():
        pytest.skip(browser_missing_reason())
    _, _, month = site
    pages = {
        "report-overview": month / "index.html",
        "report-station": month / "stations" / "NB03.html",
        "report-widget": month / "widget.html",
        "report-sensitivity": month / "sensitivity.html",
        "report-months": month.parent / "index.html",
    }
    checks = dict(zip(pages, check_pages(list(pages.values()), list(pages)), strict=True))
    for name, check in checks.items():
        assert check.ok, (name, check)
        assert check.screenshot.stat().st_size > 5_000
    assert checks["report-overview"].charts >= 4  # map, heat map, weak indicators, history
    assert checks["report-station"].charts >= 2 and checks["report-widget"].charts == 1


def test_an_english_month_labels_every_section_in_english(site, tmp_path):
    import re

    from fivecolor.site.runner import NotebookJob, run_notebook

    project, _, _ = site
    english = project.with_params(lambda doc: doc.update(language="en"), name="english.yaml")
    job = NotebookJob(
        notebooks_dir() / "overview.ipynb",
        tmp_path / "overview.ipynb",
        {"params_file": str(english)},
        cwd=notebooks_dir(),
        html_path=tmp_path / "index.html",
        label="overview",
        language="en",
    )
    outcome = run_notebook(job)
    assert outcome.status == "ok", outcome.error
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Five-colour map" in page and "League table" in page and "Schematic" in page
    headings = re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", page, flags=re.S)
    assert headings and not any(re.search(r"[\u4e00-\u9fff]", h) for h in headings), headings
