"""What decides whether a published month is reused, and the one line saying why it is rebuilt."""

from __future__ import annotations

import json

import nbformat
import pytest
import yaml

from fivecolor.params import load_params
from fivecolor.resources import notebooks_dir
from fivecolor.site import manifest
from fivecolor.site.manifest import cache_key, key_parts, notebook_digest, rebuild_reason

from conftest import Project


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path)


def _published(month_dir, parts, status="ok"):
    """A month folder whose manifest records ``parts`` as write_manifest does."""
    month_dir.mkdir(parents=True, exist_ok=True)
    manifest.write_manifest(
        month_dir / manifest.MANIFEST,
        {
            "status": status,
            "cache_key": cache_key(parts),
            "params": parts["parameters"],
            "key_parts": {k: v for k, v in parts.items() if k != "parameters"},
        },
    )
    return month_dir


def _parts(params_path, data=None):
    return key_parts(load_params(params_path), data or {"indicators": "a" * 64})


def test_a_saved_run_keeps_the_notebooks_digest_and_an_edit_changes_it(tmp_path):
    source = notebooks_dir() / "overview.ipynb"
    nb = nbformat.read(source, as_version=4)
    for number, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = number + 1
        cell.outputs = [nbformat.v4.new_output("stream", text="out\n")]
        cell.metadata["execution"] = {"iopub.status.busy": "2026-12-01T10:00:00Z"}
        cell.id = f"renamed-{number}"
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.2"}
    nb.metadata["papermill"] = {"duration": 3.0}
    saved = tmp_path / "overview.ipynb"
    nbformat.write(nb, saved)
    assert notebook_digest(saved) == notebook_digest(source)

    nb.cells[2].source += "\nresult"
    nbformat.write(nb, saved)
    assert notebook_digest(saved) != notebook_digest(source)
    nb.cells[2].source = nb.cells[2].source.removesuffix("\nresult")
    nb.cells[2].metadata["tags"] = ["notes"]  # a tag decides what the page shows
    nbformat.write(nb, saved)
    assert notebook_digest(saved) != notebook_digest(source)


def test_a_comment_and_reordered_keys_give_the_same_key(project):
    doc = yaml.safe_load(project.params_path.read_text(encoding="utf-8"))
    reordered = project.root / "reordered.yaml"
    reordered.write_text(
        "# a comment changes nothing\n"
        + yaml.safe_dump(dict(reversed(doc.items())), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    assert reordered.read_bytes() != project.params_path.read_bytes()
    assert load_params(reordered).model_dump() == load_params(project.params_path).model_dump()
    assert cache_key(_parts(reordered)) == cache_key(_parts(project.params_path))


def test_an_unchanged_month_is_reused(project, tmp_path):
    parts = _parts(project.params_path)
    month = _published(tmp_path / "2020-05", parts)
    assert rebuild_reason(month, parts) is None
    assert rebuild_reason(month, parts, force=True) == "forced (--force)"


def test_a_changed_weight_is_named_with_its_old_and_new_value(project, tmp_path):
    month = _published(tmp_path / "2020-05", _parts(project.params_path))
    before = load_params(project.params_path).indicators["line_loss"].weight
    assert before != 20
    heavier = project.with_params(lambda d: d.update(indicators={"line_loss": {"weight": 20}}))
    reason = rebuild_reason(month, _parts(heavier))
    assert reason == f"parameters changed: indicators.line_loss.weight {before:g} → 20"


def test_several_changes_say_how_many_more(project, tmp_path):
    month = _published(tmp_path / "2020-05", _parts(project.params_path))
    changed = project.with_params(
        lambda d: d.update(
            indicators={"line_loss": {"weight": 20}, "fault_outage": {"weight": 5}},
            language="en",
        )
    )
    reason = rebuild_reason(month, _parts(changed))
    assert reason is not None and reason.startswith("parameters changed: ")
    assert reason.endswith("(and 2 more)")


def test_data_notebooks_and_package_changes_are_named(project, tmp_path):
    parts = _parts(project.params_path)
    month = _published(tmp_path / "2020-05", parts)
    assert rebuild_reason(month, {**parts, "data": {"indicators": "b" * 64}}) == (
        "data changed: indicators"
    )
    notebooks = {**parts["notebooks"], "station.ipynb": "0" * 64}
    assert rebuild_reason(month, {**parts, "notebooks": notebooks}) == (
        "notebook station.ipynb changed"
    )
    package = {**parts["package"], "files": "0" * 64}
    assert rebuild_reason(month, {**parts, "package": package}) == "the package's code changed"
    package = {"version": "9.9.9", "files": "0" * 64}
    assert rebuild_reason(month, {**parts, "package": package}).endswith("→ 9.9.9")


def test_no_failed_or_old_builds_are_never_reused(project, tmp_path):
    parts = _parts(project.params_path)
    assert rebuild_reason(tmp_path / "absent", parts) == "no earlier build"
    failed = _published(tmp_path / "failed", parts, status="failed")
    assert rebuild_reason(failed, parts) == "the earlier build did not finish"
    old = tmp_path / "old"
    old.mkdir()
    (old / manifest.MANIFEST).write_text(
        json.dumps({"status": "ok", "cache_key": cache_key(parts)}), encoding="utf-8"
    )
    assert "older fivecolor" in rebuild_reason(old, parts)


def test_a_parameter_newer_than_the_build_is_no_change_while_at_its_default(project, tmp_path):
    """A month built before ``bands.borderline`` existed: the key is absent from its manifest.
    Left at its default the month is the same publication; set otherwise it is not."""
    parts = _parts(project.params_path)
    older = json.loads(json.dumps(parts))
    del older["parameters"]["bands"]["borderline"]
    month = _published(tmp_path / "2020-05", older)
    assert not rebuild_reason(month, parts).startswith("parameters")  # rebuilt, not refused
    assert manifest.publication_conflict(month, parts) is None
    wider = project.with_params(lambda d: d.update(bands={"borderline": 1.5}))
    assert manifest.publication_conflict(month, _parts(wider)) == (
        "other parameters (bands.borderline (none) → 1.5)"
    )
    # a key whose parent the old build held as a value is a change, default or not
    older["parameters"]["bands"] = None
    month = _published(tmp_path / "2020-06", older)
    assert manifest.publication_conflict(month, parts) is not None
