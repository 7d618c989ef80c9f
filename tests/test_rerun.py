"""``fivecolor rerun reports/<period>``: a month rebuilt from its own input snapshot.

The source files are edited after publishing (a value changed, a station renamed, the
parameters' weights changed); the rerun still reproduces the published ``scores.csv`` byte for
byte, because it reads only ``inputs/``. A snapshot edited after publishing, a folder that is
not a published month, and scores that no longer follow are each reported.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fivecolor.site.build import build_month
from fivecolor.site.rerun import first_difference, rerun_month, snapshot_params

from conftest import CATALOGUE, REPORTED, Project, write_table, write_yaml

pytestmark = pytest.mark.slow

FIRST = next(iter(CATALOGUE))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A month published from a project whose parameters extend a base file in another folder;
    then every source file is changed."""
    root = tmp_path_factory.mktemp("rerun")
    (root / "project").mkdir()
    project = Project(root / "project")
    base = project.standalone_doc()
    base["data"] = {
        "stations": "../project/stations.csv",
        "indicators": "../project/indicators.csv",
        "projects": None,
    }
    (root / "shared").mkdir()
    write_yaml(base, root / "shared" / "base.yaml")
    params = project.with_params(
        doc={
            "extends": "../shared/base.yaml",
            "period": REPORTED,
            "indicators": {FIRST: {"weight": 30}},
        },
        name="month.yaml",
    )
    month = build_month(params, reports_dir=root / "reports", workers=2, progress=False)
    scores = (month / "scores.csv").read_bytes()

    # later edits to the sources: a value, a name, a weight in the base file
    edited = project.indicators.copy()
    edited.loc[project.cell("NB04", FIRST), "value"] = 61.0
    write_table(edited, project.root / "indicators.csv")
    write_table(
        project.stations.assign(
            name=project.stations["name"].where(project.stations.index != 0, "改名")
        ),
        project.root / "stations.csv",
    )
    base["indicators"][FIRST]["weight"] = 1
    write_yaml(base, root / "shared" / "base.yaml")
    return project, params, month, scores


def test_the_sources_really_changed(published, run_cli):
    _, params, _, scores = published
    code, out, _ = run_cli("score", "--params", params)
    assert code == 0 and out.encode() != scores.removeprefix(b"\xef\xbb\xbf")


def test_the_snapshot_holds_the_parameter_chain_and_the_data_with_hashes(published):
    from fivecolor.data.files import file_sha256

    _, _, month, _ = published
    listing = json.loads((month / "inputs" / "inputs.json").read_text(encoding="utf-8"))
    assert {"params/0", "params/1", "stations", "indicators"} == set(listing)
    for entry in listing.values():
        assert file_sha256(month / "inputs" / entry["file"]) == entry["sha256"]


def test_snapshot_params_point_at_the_snapshot_only(published, tmp_path):
    from fivecolor.params import load_params

    _, _, month, _ = published
    params = load_params(snapshot_params(month, tmp_path))
    assert Path(params.data.stations).parent == (month / "inputs").resolve()
    assert Path(params.data.indicators).parent == (month / "inputs").resolve()
    assert params.data.projects is None and params.period == REPORTED
    assert params.indicators[FIRST].weight == 30  # the month file's weight over the base's
    manifest = json.loads((month / "manifest.json").read_text(encoding="utf-8"))
    published_params = {k: v for k, v in manifest["params"].items() if k != "data"}
    assert {
        k: v for k, v in params.model_dump(mode="json").items() if k != "data"
    } == published_params


def test_rerun_scores_only_reproduces_the_original_scores(published, tmp_path):
    _, _, month, scores = published
    result = rerun_month(month, out=tmp_path / "again", scores_only=True)
    assert result.identical and result.difference is None
    assert (tmp_path / "again" / REPORTED / "scores.csv").read_bytes() == scores


def test_rerun_command_rebuilds_the_whole_month_from_the_snapshot(published, tmp_path, run_cli):
    _, _, month, scores = published
    before = {p: p.read_bytes() for p in month.rglob("*") if p.is_file()}
    code, out, err = run_cli("rerun", month, "--out", tmp_path / "rebuilt", "--workers", "2")
    assert code == 0, err
    assert "scores.csv identical" in out and out.count("\n") == 1
    rebuilt = tmp_path / "rebuilt" / REPORTED
    assert (rebuilt / "scores.csv").read_bytes() == scores
    assert (rebuilt / "index.html").is_file() and (rebuilt / "stations" / "NB01.html").is_file()
    assert "海曙供电所" in (rebuilt / "stations" / "NB01.html").read_text(
        encoding="utf-8"
    )  # not "改名"
    assert {
        p: p.read_bytes() for p in month.rglob("*") if p.is_file()
    } == before  # the published month untouched


def test_an_edited_snapshot_is_refused(published, tmp_path, run_cli):
    _, _, month, _ = published
    copy = tmp_path / "reports" / REPORTED
    shutil.copytree(month, copy)
    listing = json.loads((copy / "inputs" / "inputs.json").read_text(encoding="utf-8"))
    target = copy / "inputs" / listing["indicators"]["file"]
    target.write_bytes(target.read_bytes() + b"\n")  # one blank line more
    code, out, err = run_cli("rerun", copy, "--scores-only", "--out", tmp_path / "out")
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert listing["indicators"]["file"] in err and "SHA-256" in err and "edited" in err
    assert not (tmp_path / "out").exists()


def test_scores_that_no_longer_follow_exit_1_naming_the_first_row(published, tmp_path, run_cli):
    _, _, month, _ = published
    copy = tmp_path / "reports" / REPORTED
    shutil.copytree(month, copy)
    table = pd.read_csv(
        copy / "scores.csv", dtype={"station_id": str}, keep_default_na=False, encoding="utf-8-sig"
    )
    table.loc[2, "score"] = 99.9  # a published score altered by hand
    (copy / "scores.csv").write_bytes(
        table.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    )
    code, out, err = run_cli("rerun", copy, "--scores-only", "--out", tmp_path / "out")
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert "line 4 differs" in err and "99.9" in err


@pytest.mark.parametrize(
    "what", ["missing folder", "reports root", "no manifest", "failed manifest"]
)
def test_a_folder_that_is_not_a_published_month_is_exit_2(published, tmp_path, run_cli, what):
    _, _, month, _ = published
    folder = tmp_path / "reports" / REPORTED
    if what == "reports root":
        folder = month.parent
    elif what != "missing folder":
        shutil.copytree(month, folder)
        if what == "no manifest":
            (folder / "manifest.json").unlink()
        else:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            (folder / "manifest.json").write_text(
                json.dumps({**manifest, "status": "failed"}), encoding="utf-8"
            )
    code, out, err = run_cli("rerun", folder, "--scores-only", "--out", tmp_path / "out")
    assert (code, out) == (2, "") and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("fivecolor: error: ") and "published month" in err
    assert not (tmp_path / "out").exists()


def test_first_difference():
    assert first_difference(b"a\nb\n", b"a\nb\n") is None
    assert first_difference(b"a\nb\n", b"a\nc\n") == "line 2 differs: published 'b', rebuilt 'c'"
    assert (
        first_difference(b"a\n", b"a\nb\n") == "line 2 differs: published '(no row)', rebuilt 'b'"
    )
    assert "only in their bytes" in first_difference(b"a\nb\n", b"a\r\nb\n")
