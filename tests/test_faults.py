"""Faults during a report: the published month survives byte for byte, and a rerun succeeds.

Each test starts from a reports folder holding a good published 2020-05 (copied from one
module-scoped build), injects one fault into a forced rebuild of the same month, and checks:

- the command fails non-zero with one line on stderr and no traceback;
- ``reports/2020-05`` is byte-identical to before (every file, nothing added or removed);
- no staging folder, displaced old month or temporary file is left in ``reports/``;
- no worker or kernel process of the failed run is left running;
- a rerun without the fault succeeds.

Notebook-side faults use copies of the report notebooks with one cell added: it kills its own
worker process, or waits for a gate file (so a second report or a Ctrl-C arrives while the
first is certainly running) after writing a "started" file.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import nbformat
import psutil
import pytest

from fivecolor.resources import notebooks_dir
from fivecolor.site.build import build_month

from conftest import REPO, Project

pytestmark = pytest.mark.slow

PERIOD = "2020-05"
ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
#: Set in the environment of every run here, inherited by its workers and kernels: a process
#: still carrying it after the run is an orphan.
MARKER = "FIVECOLOR_FAULT_RUN"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project and a reports folder with 2020-05 published from it."""
    root = tmp_path_factory.mktemp("faults")
    (root / "project").mkdir()
    project = Project(root / "project")
    build_month(project.params_path, reports_dir=root / "reports", workers=2, progress=False)
    return project, root / "reports"


@pytest.fixture
def site(built, tmp_path):
    """A fresh copy of the published site for one test: ``(project, reports, snapshot of the month)``."""
    project, reports = built
    copy = tmp_path / "reports"
    shutil.copytree(reports, copy)
    return project, copy, _files(copy / PERIOD)


@pytest.fixture
def marker(monkeypatch) -> Iterator[str]:
    """Mark this test's processes; give them a temporary folder of their own (see :func:`_no_orphans`)."""
    token = uuid.uuid4().hex
    monkeypatch.setenv(MARKER, token)
    # short: the kernels' socket paths must stay within the 107 bytes a Unix socket name may have
    scratch = tempfile.mkdtemp(prefix="fcf-")
    monkeypatch.setenv("TMPDIR", scratch)
    monkeypatch.setattr(tempfile, "tempdir", scratch)
    yield token
    shutil.rmtree(scratch, ignore_errors=True)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _processes_with(token: str) -> list[psutil.Process]:
    """Live processes (not this one) whose environment carries ``MARKER=token``."""
    found = []
    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get(MARKER) == token and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _no_orphans(token: str) -> None:
    """Every worker and kernel of the run has gone (kernels notice a dead parent within a few seconds),
    and so have their temporary folders (the workers' scratch, the kernels' sockets)."""
    left = _processes_with(token)
    _, alive = psutil.wait_procs(left, timeout=30)
    assert not alive, [" ".join(p.cmdline()[:4]) for p in alive]
    assert [p.name for p in Path(tempfile.gettempdir()).glob("fivecolor-*")] == []


def _assert_intact(reports: Path, before: dict[str, bytes]) -> None:
    assert _files(reports / PERIOD) == before, "the published month changed"
    leftovers = [
        p.name
        for p in reports.iterdir()
        if p.name.startswith(f".{PERIOD}.") and p.name != f".{PERIOD}.lock"
    ]
    assert leftovers == [], leftovers
    temporaries = [p for p in reports.rglob("*.tmp")]
    assert temporaries == [], temporaries


def _one_line_failure(code: int, err: str, *expected: str) -> str:
    assert code not in (0, 2), (code, err)
    lines = err.strip().splitlines()
    assert "Traceback" not in err, err
    assert lines and lines[-1].startswith("fivecolor: error: "), err
    assert [line for line in lines if line.startswith("fivecolor:")] == [lines[-1]], err
    for part in expected:
        assert part in lines[-1], (part, lines[-1])
    return lines[-1]


def _rerun_succeeds(run_cli, project: Project, reports: Path, before: dict[str, bytes]) -> None:
    code, _, err = run_cli(
        "report", "--params", project.params_path, "--out", reports, "--force", "--workers", "2"
    )
    assert code == 0, err
    after = _files(reports / PERIOD)
    assert after["scores.csv"] == before["scores.csv"]  # same inputs, same scores
    assert after["manifest.json"] != before["manifest.json"]  # and really rebuilt (new times)
    _assert_intact(reports, after)


def _notebooks_with(tmp_path: Path, notebook: str, source: str) -> Path:
    """A copy of the report notebooks with ``source`` appended as a cell of ``notebook``."""
    folder = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), folder)
    nb = nbformat.read(folder / notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, folder / notebook)
    return folder


def _gated_notebooks(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Notebooks whose overview writes ``started`` and then waits until ``gate`` exists."""
    started, gate = tmp_path / "started", tmp_path / "gate"
    source = (
        f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\n"
        f"while not pathlib.Path({str(gate)!r}).exists():\n    time.sleep(0.05)"
    )
    return _notebooks_with(tmp_path, "overview.ipynb", source), started, gate


def _report_process(project: Project, reports: Path, notebooks: Path) -> subprocess.Popen:
    """``python -m fivecolor report`` in its own session, as a terminal would start it."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fivecolor",
            "report",
            "--params",
            str(project.params_path),
            "--out",
            str(reports),
            "--force",
            "--workers",
            "2",
            "--notebooks",
            str(notebooks),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_ctrl_c,
    )


def _default_ctrl_c() -> None:
    """A terminal's foreground job takes Ctrl-C; a shell's background job (this suite run with
    `&`, as some CI runners do) starts with SIGINT ignored, which the child would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(path: Path, process: subprocess.Popen, limit: int = 6000) -> None:
    """Until ``path`` exists (the notebooks are running); fails if the process ends first, or
    after ``limit`` polls (5 minutes) rather than hang the suite."""
    for _ in range(limit):
        if path.exists():
            return
        try:
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(
            f"the report ended ({process.returncode}) before {path.name}: {process.stderr.read()}"
        )
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail(f"the report never reached {path.name}")


# -- faults ---------------------------------------------------------------------------------
def test_a_worker_killed_mid_run_publishes_nothing(site, tmp_path, run_cli, marker):
    project, reports, before = site
    killer = _notebooks_with(
        tmp_path,
        "station.ipynb",
        'import os, signal\nif station_id == "NB05":\n    os.kill(os.getppid(), signal.SIGKILL)',
    )
    code, _, err = run_cli(
        "report",
        "--params",
        project.params_path,
        "--out",
        reports,
        "--force",
        "--workers",
        "2",
        "--notebooks",
        killer,
    )
    _one_line_failure(code, err, "was not published", "worker")
    _assert_intact(reports, before)
    _no_orphans(marker)
    _rerun_succeeds(run_cli, project, reports, before)


@pytest.mark.parametrize("where", ["scores.csv", "input snapshot", "manifest", "swap into place"])
def test_a_full_disk_publishes_nothing(site, run_cli, monkeypatch, marker, where):
    """``No space left on device`` injected at one write of the report, in the main process."""
    import fivecolor.site.build
    import fivecolor.site.inputs
    import fivecolor.site.manifest
    import fivecolor.site.publish

    def full(*args, **kwargs):
        raise ENOSPC

    project, reports, before = site
    with monkeypatch.context() as patch:  # the fault for this run only
        if where == "scores.csv":
            patch.setattr(fivecolor.site.build, "write_csv", full)
        elif where == "input snapshot":
            patch.setattr(fivecolor.site.inputs.shutil, "copy2", full)
        elif where == "manifest":
            patch.setattr(fivecolor.site.manifest, "write_manifest", full)
        else:  # the one-step exchange of the staging folder and the month
            patch.setattr(fivecolor.site.publish, "exchange_folders", full)
        code, _, err = run_cli(
            "report", "--params", project.params_path, "--out", reports, "--force", "--workers", "2"
        )
    _one_line_failure(code, err, "No space left on device", "not published")
    _assert_intact(reports, before)
    _no_orphans(marker)
    _rerun_succeeds(run_cli, project, reports, before)


def test_ctrl_c_during_a_report_publishes_nothing_and_leaves_no_process(
    site, tmp_path, run_cli, marker
):
    project, reports, before = site
    notebooks, started, _ = _gated_notebooks(tmp_path)
    process = _report_process(project, reports, notebooks)
    _wait_for(started, process)
    assert list(reports.glob(f".{PERIOD}.staging-*")), "the run is building in its staging folder"
    os.killpg(
        process.pid, signal.SIGINT
    )  # what Ctrl-C in a terminal sends: the whole foreground group
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == "fivecolor: interrupted (SIGINT); nothing was published"
    _assert_intact(reports, before)
    _no_orphans(marker)
    _rerun_succeeds(run_cli, project, reports, before)


def test_a_second_report_of_the_same_month_is_refused_while_the_first_runs(
    site, tmp_path, run_cli, marker
):
    project, reports, before = site
    notebooks, started, gate = _gated_notebooks(tmp_path)
    first = _report_process(project, reports, notebooks)
    try:
        _wait_for(started, first)
        code, _, err = run_cli(
            "report", "--params", project.params_path, "--out", reports, "--force", "--workers", "1"
        )
        _one_line_failure(code, err, PERIOD, "being built by another process", "try again")
        assert _files(reports / PERIOD) == before  # the first run is still building beside it
    finally:
        gate.touch()
        _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err  # the first one finishes and publishes
    after = _files(reports / PERIOD)
    assert (
        after["scores.csv"] == before["scores.csv"]
        and after["manifest.json"] != before["manifest.json"]
    )
    _assert_intact(reports, after)
    _no_orphans(marker)


def test_a_held_lock_refuses_the_report_and_keeps_the_month(site, run_cli, marker):
    from fivecolor.site.publish import _month_lock

    project, reports, before = site
    with _month_lock(reports, PERIOD):
        code, _, err = run_cli(
            "report", "--params", project.params_path, "--out", reports, "--force"
        )
    _one_line_failure(code, err, "being built by another process")
    _assert_intact(reports, before)
    _no_orphans(marker)
    _rerun_succeeds(run_cli, project, reports, before)


# -- the report's processes end with it (hardening, class 6) ---------------------------------
@pytest.mark.parametrize(
    ("signum", "to_group"),
    [(signal.SIGTERM, False), (signal.SIGHUP, True)],
    ids=["SIGTERM to the report", "SIGHUP to its group"],
)
def test_sigterm_or_a_hangup_stops_the_report_in_one_line(site, tmp_path, marker, signum, to_group):
    """``kill`` (SIGTERM to the main process) or a closed terminal (SIGHUP to the foreground
    group): one line naming the signal, exit 128 + its number, nothing published, no process."""
    project, reports, before = site
    notebooks, started, _ = _gated_notebooks(tmp_path)
    process = _report_process(project, reports, notebooks)
    _wait_for(started, process)
    (os.killpg if to_group else os.kill)(process.pid, signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in err, err
    name = signal.Signals(signum).name
    assert err.strip().splitlines()[-1] == f"fivecolor: interrupted ({name}); nothing was published"
    _assert_intact(reports, before)
    _no_orphans(marker)


def test_kill_9_of_the_report_leaves_no_worker_or_kernel(site, tmp_path, marker):
    """The report killed outright cannot stop anything itself: its workers die with it, and their
    kernels with them, within 10 s; the published month is as it was."""
    project, reports, before = site
    notebooks, started, _ = _gated_notebooks(tmp_path)
    process = _report_process(project, reports, notebooks)
    _wait_for(started, process)
    running = _processes_with(marker)
    kernels = [p for p in running if "ipykernel" in " ".join(p.cmdline())]
    assert kernels and len(running) >= 4, [" ".join(p.cmdline()[:4]) for p in running]
    process.kill()
    process.wait(timeout=10)
    _, alive = psutil.wait_procs(_processes_with(marker), timeout=10)
    for pipe in (process.stdout, process.stderr):  # shared with the children: read nothing
        assert pipe is not None
        pipe.close()
    assert not alive, [" ".join(p.cmdline()[:4]) for p in alive]
    assert _files(reports / PERIOD) == before
