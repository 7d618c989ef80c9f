"""Notebooks land in git as code: a notebook saved with outputs cannot be committed unnoticed.

Two guards, both tested here: the nbstripout git filter that ``make venv`` defines (a saved
notebook whose cells did not change is not even "modified"), and this suite itself, which reads
each notebook as git would commit it (the index) and fails on any output, execution count or
run metadata, so CI refuses a commit made without the filter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
GIT = shutil.which("git")

#: Notebook-level metadata a committed notebook may carry; the rest is a run's or a save's
#: (papermill, widgets, the kernel's language_info and display name).
KEPT_METADATA = {"kernelspec"}
KEPT_KERNELSPEC = {"name", "language", "display_name"}


def _in_git(path: Path) -> bool:
    return (
        GIT is not None
        and subprocess.run(
            ["git", "-C", str(path.parent), "rev-parse", "--git-dir"], capture_output=True
        ).returncode
        == 0
    )


def committed_text(path: Path) -> str:
    """The notebook as the next commit would hold it (the index); the file outside git."""
    if _in_git(path):
        shown = subprocess.run(
            ["git", "-C", str(ROOT), "show", f":{path.relative_to(ROOT).as_posix()}"],
            capture_output=True,
            text=True,
        )
        if shown.returncode == 0:
            return shown.stdout
    return path.read_text(encoding="utf-8")


def run_findings(text: str) -> list[str]:
    """What a run left in a notebook: outputs, execution counts, run metadata."""
    nb = nbformat.reads(text, as_version=4)
    found = [f"notebook metadata {k!r}" for k in sorted(set(nb.metadata) - KEPT_METADATA)]
    found += [
        f"kernelspec {k!r}"
        for k in sorted(set(nb.metadata.get("kernelspec", {})) - KEPT_KERNELSPEC)
    ]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {cell.get('id')}: {len(cell.outputs)} outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {cell.get('id')}: execution count {cell.execution_count}")
        if set(cell.metadata) - {"tags"}:
            found.append(f"cell {cell.get('id')}: metadata {sorted(set(cell.metadata) - {'tags'})}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_what_git_would_commit_carries_no_run(path):
    assert run_findings(committed_text(path)) == []


def test_the_check_finds_a_saved_run():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    _as_saved_after_run_all(nb)
    findings = run_findings(nbformat.writes(nb))
    assert any("outputs" in f for f in findings) and any("execution count" in f for f in findings)
    assert any("papermill" in f for f in findings)
    assert any("language_info" in f for f in findings)


def _as_saved_after_run_all(nb) -> None:
    """What JupyterLab's Run All + Save (or Papermill) leaves in a notebook."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            cell.metadata["execution"] = {"iopub.status.busy": "2026-12-01T10:00:00Z"}
            cell.outputs = [
                nbformat.v4.new_output(
                    "display_data", data={"text/html": "<p>out</p>", "text/plain": "out"}
                )
            ]
    nb.metadata["papermill"] = {"duration": 1.5}
    nb.metadata["widgets"] = {}
    nb.metadata["language_info"] = {
        "name": "python",
        "version": "3.11.2",
        "mimetype": "text/x-python",
    }


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_a_notebook_saved_with_outputs_is_unchanged_for_git(tmp_path):
    """The Makefile's own filter recipe, in a fresh repository: outputs never reach a commit."""
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(ROOT / ".gitattributes", repo / ".gitattributes")
    subprocess.run(
        [
            "make",
            "-s",
            "-C",
            str(repo),
            "-f",
            str(ROOT / "Makefile"),
            "git-filter",
            f"BIN={Path(sys.executable).parent}",
        ],
        check=True,
    )
    notebook = repo / "notebooks" / "overview.ipynb"
    shutil.copy(ROOT / "notebooks" / "overview.ipynb", notebook)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "notebooks"], check=True)
    # the committed notebook is what the filter makes of it
    subprocess.run([*git, "add", "--renormalize", "."], check=True)
    assert (
        subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    )

    nb = nbformat.read(notebook, as_version=4)
    _as_saved_after_run_all(nb)
    nbformat.write(nb, notebook)
    assert json.loads(notebook.read_text())["metadata"]["papermill"]  # the file holds the run
    # git diff shows nothing, and adding it stages nothing: there is nothing to commit (git
    # status may list the file until it is added: its size changed, and git trusts sizes)
    assert subprocess.run([*git, "diff"], capture_output=True, text=True).stdout == ""
    subprocess.run([*git, "add", "."], check=True)
    status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == "", status.stdout

    # a real edit shows as code in the diff, and what is staged still carries no run
    nb.cells[2].source += "\nresult.table().head()"
    nbformat.write(nb, notebook)
    diff = subprocess.run([*git, "diff"], capture_output=True, text=True).stdout
    assert "\n+result.table().head()\n" in diff, diff  # a script line, not a JSON string
    assert "text/html" not in diff and "execution_count" not in diff
    subprocess.run([*git, "add", "."], check=True)
    staged = subprocess.run(
        [*git, "show", ":notebooks/overview.ipynb"], capture_output=True, text=True, check=True
    ).stdout
    assert run_findings(staged) == []
    assert "result.table().head()" in staged
