"""Run many parameterised notebooks in parallel, each worker on one warm kernel.

Each worker is a separate process (spawned, so it inherits no sockets or threads from
the caller) holding one warm kernel (:mod:`fivecolor.site.engine`) and one HTML exporter
(:mod:`fivecolor.site.render`). Jobs are handed out as workers become free; results come
back in job order. A failing notebook does not stop the others: Papermill still writes
it, with its error banner, and its result carries a one-line error.

Examples
--------
>>> jobs = [NotebookJob(Path("station.ipynb"), out / f"{s}.ipynb", {"station_id": s},
...                     label=f"station {s}", html_path=site / f"{s}.html")
...         for s in stations]                                      # doctest: +SKIP
>>> results = run_notebooks(jobs, workers=2)                        # doctest: +SKIP
>>> [r.error for r in results if r.status == "failed"]              # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any, Literal

__all__ = ["NotebookJob", "NotebookResult", "run_notebook", "run_notebooks"]


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute (and optionally render).

    Attributes
    ----------
    input_path
        The notebook to run.
    output_path
        Where the executed notebook is written (also when it fails).
    parameters
        Papermill parameters.
    cwd
        Working directory of the kernel while it runs; ``None``: the caller's.
    html_path
        When given, the executed notebook is rendered here by the same worker.
    label
        Short human name shown in errors and progress, e.g. ``"station meilin"``.
    assets_url
        URL of the site's assets folder relative to ``html_path``.
    title
        HTML page title; default the label.
    language
        ``<html lang>`` of the page.
    banner
        A notice shown at the top of the page (a variant's), or ``None``.
    nav
        The page's navigation bar (HTML, see :func:`fivecolor.site.navigation.nav_html`).
    """

    input_path: Path
    output_path: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    cwd: Path | None = None
    html_path: Path | None = None
    label: str = ""
    assets_url: str = "assets"
    title: str | None = None
    language: str = "en"
    banner: str | None = None
    nav: str | None = None


@dataclass(frozen=True)
class NotebookResult:
    """What became of one :class:`NotebookJob`.

    ``error`` is one line naming the notebook, the label, the cell (its execution number,
    as in Papermill's ``In [n]`` banner) and the exception, or ``None`` when ``status`` is
    ``"ok"``.
    """

    job: NotebookJob
    status: Literal["ok", "failed"]
    seconds: float
    error: str | None = None
    html_written: bool = False


def _one_line(text: object, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _describe(job: NotebookJob) -> str:
    name = Path(job.input_path).name
    return f"{name} ({job.label})" if job.label else name


def literal_path(path: str | os.PathLike[str]) -> str:
    """A path Papermill keeps as written: it formats its paths with the notebook's parameters
    (``str.format``), so ``{`` and ``}`` in a folder name are doubled to stay literal."""
    return os.fspath(path).replace("{", "{{").replace("}", "}}")


def run_notebook(job: NotebookJob, engine_name: str = "fivecolor_warm") -> NotebookResult:
    """Execute (and render) one job in this process; never raises for notebook errors."""
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    import fivecolor.site.engine  # noqa: F401  (registers the engine)
    from fivecolor.site.render import render_html

    started = time.perf_counter()
    error = None
    executed = None
    Path(job.output_path).parent.mkdir(parents=True, exist_ok=True)
    try:
        executed = pm.execute_notebook(
            literal_path(job.input_path),
            literal_path(job.output_path),
            parameters=dict(job.parameters),
            engine_name=engine_name,
            cwd=os.fspath(job.cwd) if job.cwd is not None else None,
            progress_bar=False,
            # Papermill still writes the notebook, with its banner, when a cell fails.
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as exc:
        cell = exc.exec_count if exc.exec_count is not None else exc.cell_index
        error = f"{_describe(job)}: cell {cell} raised {exc.ename}: {_one_line(exc.evalue)}"
        if Path(job.output_path).exists():
            executed = nbformat.read(os.fspath(job.output_path), as_version=4)
    except Exception as exc:  # kernel death, timeout, unreadable notebook: report, go on
        error = f"{_describe(job)}: {type(exc).__name__}: {_one_line(exc)}"

    html_written = False
    if job.html_path is not None and executed is not None:
        try:
            page = render_html(
                executed,
                job.assets_url,
                title=job.title or job.label or None,
                language=job.language,
                banner=job.banner,
                nav=job.nav,
            )
            html_path = Path(job.html_path)
            html_path.parent.mkdir(parents=True, exist_ok=True)
            html_path.write_text(page, encoding="utf-8")
            html_written = True
        except Exception as exc:
            error = (
                error
                or f"{_describe(job)}: HTML rendering failed: {type(exc).__name__}: {_one_line(exc)}"
            )
    return NotebookResult(
        job=job,
        status="failed" if error else "ok",
        seconds=time.perf_counter() - started,
        error=error,
        html_written=html_written,
    )


def _on_terminate(signum: int, frame) -> None:
    """Worker stopped by the main process (after Ctrl-C there): take its kernel down too, at once,
    rather than leave it to notice its parent is gone and say so on the terminal afterwards."""
    # no import here: the signal may arrive while the worker is still importing these modules
    engine = sys.modules.get("fivecolor.site.engine")
    try:
        for kernel in list(getattr(engine, "_KERNELS", {}).values()):
            process = getattr(getattr(kernel.km, "provisioner", None), "process", None)
            if process is not None:
                # os.kill, not Popen.kill/wait: this handler may interrupt a Popen.poll that holds its lock
                with contextlib.suppress(OSError):  # already gone
                    os.kill(process.pid, signal.SIGKILL)
    finally:
        os._exit(128 + signum)


def _warm_up(scratch: str | None = None, parent: int | None = None) -> None:
    """Worker initialiser: import the heavy modules before the first job arrives.

    Ctrl-C and a hang-up are the main process's to handle (it stops the workers); when the
    main process ``parent`` is killed outright the worker is killed too (and its kernel with
    it), not left running. The worker's temporary files (its kernel's socket folder) go under
    ``scratch``, which the main process removes even when the worker is killed.
    """
    from fivecolor.site.lifetime import die_with_parent

    if parent is not None:
        die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_terminate)
    if scratch is not None:
        tempfile.tempdir = scratch
    import papermill  # noqa: F401

    import fivecolor.site.engine
    import fivecolor.site.render  # noqa: F401


def run_notebooks(
    jobs: Sequence[NotebookJob],
    workers: int | None = None,
    progress: bool = True,
    engine_name: str = "fivecolor_warm",
) -> list[NotebookResult]:
    """Execute notebooks in parallel worker processes, one warm kernel per worker.

    Parameters
    ----------
    jobs
        The notebooks to run.
    workers
        Number of worker processes; default all cores. Never more than there are jobs.
    progress
        Show a progress bar (rich) on the terminal.
    engine_name
        Papermill engine; ``"nbclient"`` runs the same jobs with a new kernel each.

    Returns
    -------
    list of NotebookResult
        One per job, in the order of ``jobs``.
    """
    jobs = list(jobs)
    if not jobs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    results: list[NotebookResult | None] = [None] * len(jobs)
    # Spawned workers: a forked child would share the caller's zmq sockets and threads.
    context = multiprocessing.get_context("spawn")
    scratch = tempfile.mkdtemp(prefix="fivecolor-run-")
    with _born_ignoring_terminal_signals():
        # multiprocessing's resource tracker: killed by a hang-up, it would be relaunched and
        # print a traceback for every semaphore the pool then releases
        resource_tracker.ensure_running()
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_warm_up,
            initargs=(scratch, os.getpid()),
        ) as pool:
            futures = _submit_all(pool, jobs, engine_name)
            try:
                with _progress_bar(len(jobs), enabled=progress) as advance:
                    for future in as_completed(futures):
                        index = futures[future]
                        try:
                            results[index] = future.result()
                        except Exception as exc:  # the worker process itself died
                            results[index] = NotebookResult(
                                job=jobs[index],
                                status="failed",
                                seconds=0.0,
                                error=f"{_describe(jobs[index])}: worker failed: {type(exc).__name__}: "
                                f"{_one_line(exc)}",
                            )
                        advance(results[index])
            except BaseException:  # Ctrl-C: stop now rather than wait for the running notebooks
                _stop_workers(pool)
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results  # type: ignore[return-value]


#: Signals the main process alone handles (it stops the workers): a terminal sends them to the
#: whole foreground group.
_MAIN_PROCESS_SIGNALS = (signal.SIGINT, signal.SIGHUP)


@contextlib.contextmanager
def _born_ignoring_terminal_signals():
    """Processes started meanwhile ignore Ctrl-C and a hang-up (an ignored signal is inherited),
    so one arriving while a process is still starting cannot kill it half-way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in _MAIN_PROCESS_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _submit_all(pool: ProcessPoolExecutor, jobs: list[NotebookJob], engine_name: str) -> dict:
    """Submit every job. The workers are spawned here, born ignoring the terminal's signals; the
    main process alone handles them and stops the workers."""
    with _born_ignoring_terminal_signals():
        return {
            pool.submit(run_notebook, job, engine_name): index for index, job in enumerate(jobs)
        }


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the workers; their kernels see their parent
    gone and exit on their own (ipykernel's parent poller)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():  # stuck past its SIGTERM handler
            process.kill()
            process.join()


class _progress_bar:
    """Context manager yielding ``advance(result)``; a rich bar when enabled."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self._progress = None
        self._task = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("notebooks"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=self.total)
        return self._advance

    def _advance(self, result: NotebookResult) -> None:
        if self._progress is None or self._task is None:
            return
        from rich.markup import escape

        if result.error:
            self._progress.console.print(f"[red]failed:[/red] {escape(result.error)}")
        self._progress.update(self._task, advance=1, description=escape(_describe(result.job)))

    def __exit__(self, *exc_info) -> None:
        if self._progress is not None:
            self._progress.stop()
