"""Where the work runs: local worker processes or a Dask cluster, with the same results.

An executor does two things for the rest of the package:

- :meth:`run_notebooks` executes and renders a list of :class:`~fivecolor.site.runner.NotebookJob`
  and returns one :class:`~fivecolor.site.runner.NotebookResult` per job, in job order, with the
  executed notebook and its page written where each job says;
- :meth:`map` applies a function to a list of items (the Monte Carlo's seeded chunks, see
  :func:`fivecolor.analysis.sensitivity.monte_carlo`) with shared arguments, results in item order.

``"local"`` (:class:`LocalExecutor`) runs the notebooks on spawned worker processes with warm
kernels (:func:`fivecolor.site.runner.run_notebooks`) and the chunks in this process.
``"dask"`` (:class:`DaskExecutor`) sends both to a Dask distributed cluster: the scheduler at
an address (``tcp://host:8786``) or, with none, a :class:`distributed.LocalCluster` of single-
threaded worker processes started for the run.

Nothing reaches a Dask worker as a path of this machine. Each distinct parameter file becomes a
*bundle* (:func:`fivecolor.site.inputs.make_bundle`): one zip holding the parameters as a
self-contained ``params.yaml`` and the data they read, under relative names; a report passes
the bundle of the data it scored. It is scattered to the workers once; each
notebook task carries the notebook's own bytes, its parameters (``params_file`` set to the
bundle's ``params.yaml``) and the page's settings. A worker unpacks a bundle once into its own
temporary folder (the same folder for every task of the bundle, so its warm kernel's scored
month is reused), executes and renders there, and returns the executed notebook's bytes and the
page's HTML; this process writes them where the jobs say. The pages and scores are the same as
a local run's (the executed notebooks differ only in the ``params_file`` Papermill injected).

Examples
--------
>>> with get_executor("dask", scheduler="tcp://10.0.0.5:8786") as ex:  # doctest: +SKIP
...     results = ex.run_notebooks(jobs, progress=False)
>>> with get_executor("dask", workers=2) as ex:                    # doctest: +SKIP
...     mc = monte_carlo(result, executor=ex)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from fivecolor.errors import InputError, missing_extra
from fivecolor.site.inputs import BUNDLE_PARAMS, Bundle, make_bundle, remove_bundles, unpack_bundle
from fivecolor.site.runner import NotebookJob, NotebookResult

#: Seconds to wait for a Dask scheduler named by --scheduler before saying it cannot be reached.
SCHEDULER_TIMEOUT = 10

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "LocalExecutor",
    "NotebookPayload",
    "get_executor",
    "notebook_payloads",
    "run_payload",
]

#: Engine used for the notebooks on either executor.
ENGINE = "fivecolor_warm"


# ---------------------------------------------------------------------------------------------
# local
# ---------------------------------------------------------------------------------------------
class LocalExecutor:
    """Notebooks on spawned local worker processes (one warm kernel each); chunks in-process.

    Parameters
    ----------
    workers
        Notebook worker processes; default all cores.
    """

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers

    def run_notebooks(
        self,
        jobs: Sequence[NotebookJob],
        progress: bool = True,
        bundles: Mapping[str, Bundle] | None = None,
    ) -> list[NotebookResult]:
        """Execute and render the jobs (see :func:`fivecolor.site.runner.run_notebooks`).

        ``bundles`` are not used: local workers read the parameter files where they are.
        """
        from fivecolor.site.runner import run_notebooks

        return run_notebooks(jobs, workers=self.workers, progress=progress, engine_name=ENGINE)

    def map(self, func: Callable, items: Iterable, *shared: Any) -> list:
        """``[func(item, *shared) for item in items]``, here: each chunk is already vectorised."""
        return [func(item, *shared) for item in items]

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# what travels to a worker
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NotebookPayload:
    """One notebook task as a worker receives it: bytes and settings, no path of this machine.

    Attributes
    ----------
    notebook_name
        The notebook's file name (shown in errors: ``overview.ipynb (overview)``).
    notebook
        The notebook's bytes.
    parameters
        Papermill parameters; ``params_file`` is replaced by the bundle's when the job had one.
    bundle
        Digest of the bundle the parameters read (``None``: the job reads no parameter file).
    label, title, language, assets_url, banner, nav, render
        As in :class:`~fivecolor.site.runner.NotebookJob`; ``render``: whether the job wants a page.
    """

    notebook_name: str
    notebook: bytes = field(repr=False)
    parameters: dict[str, Any]
    bundle: str | None
    label: str
    title: str | None
    language: str
    assets_url: str
    render: bool
    banner: str | None = None
    nav: str | None = None


def _read_bundle(params_file: str, period: str | None) -> Bundle:
    """The bundle of a parameter file for a month, its data read (and validated) again."""
    from fivecolor.data.dataset import load_data
    from fivecolor.params import load_params

    params = load_params(params_file, period=period)
    return make_bundle(params, load_data(params).inputs)


def notebook_payloads(
    jobs: Sequence[NotebookJob],
    bundles: Mapping[str, Bundle] | None = None,
) -> tuple[list[NotebookPayload], dict[str, Bundle]]:
    """The payloads of the jobs and the bundles they read, by digest (one per parameter file).

    ``bundles`` gives the bundle of a parameter file (by its resolved path), made from the data
    the month was scored from; a file without one is read again for the job's ``period``.
    """
    given = dict(bundles or {})
    shipped: dict[str, Bundle] = {}
    by_file: dict[tuple[str, str | None], str] = {}
    sources: dict[Path, bytes] = {}
    payloads = []
    for job in jobs:
        parameters = dict(job.parameters)
        digest = None
        if parameters.get("params_file") is not None:
            params_file = str(Path(parameters["params_file"]).resolve())
            key = (params_file, parameters.get("period"))
            if key not in by_file:
                bundle = given.get(params_file) or _read_bundle(
                    params_file, parameters.get("period")
                )
                shipped[bundle.digest] = bundle
                by_file[key] = bundle.digest
            digest = by_file[key]
            parameters["params_file"] = BUNDLE_PARAMS  # relative to the kernel's cwd: the bundle
        path = Path(job.input_path)
        if path not in sources:
            sources[path] = path.read_bytes()
        payloads.append(
            NotebookPayload(
                notebook_name=path.name,
                notebook=sources[path],
                parameters=parameters,
                bundle=digest,
                label=job.label,
                title=job.title,
                language=job.language,
                assets_url=job.assets_url,
                render=job.html_path is not None,
                banner=job.banner,
                nav=job.nav,
            )
        )
    return payloads, shipped


def run_payload(
    payload: NotebookPayload, bundle: Bundle | None, scratch: str | None = None
) -> dict[str, Any]:
    """Worker side: unpack, execute, render one notebook; return what the publisher writes.

    Parameters
    ----------
    payload
        The notebook task.
    bundle
        The parameter bundle it reads (must match ``payload.bundle``), or ``None``.
    scratch
        Folder for the bundles and runs; default the worker's temporary folder.

    Returns
    -------
    dict
        ``status``, ``error``, ``seconds``, ``executed`` (the executed notebook's bytes, or
        ``None`` when it could not be written) and ``html`` (the page's text, or ``None``).
    """
    from fivecolor.site.runner import run_notebook

    base = Path(scratch or tempfile.gettempdir())
    root = unpack_bundle(bundle, base)
    notebooks = root / "notebooks" / hashlib.sha256(payload.notebook).hexdigest()[:16]
    source = notebooks / payload.notebook_name
    if not source.is_file():
        notebooks.mkdir(parents=True, exist_ok=True)
        temporary = notebooks / f".{payload.notebook_name}.{os.getpid()}.{time.monotonic_ns()}"
        temporary.write_bytes(payload.notebook)
        os.replace(temporary, source)
    run = Path(tempfile.mkdtemp(prefix="run-", dir=root))
    try:
        job = NotebookJob(
            input_path=source,
            output_path=run / payload.notebook_name,
            parameters=payload.parameters,
            cwd=root,
            html_path=run / "page.html" if payload.render else None,
            label=payload.label,
            assets_url=payload.assets_url,
            title=payload.title,
            language=payload.language,
            banner=payload.banner,
            nav=payload.nav,
        )
        outcome = run_notebook(job, engine_name=ENGINE)
        executed = job.output_path.read_bytes() if job.output_path.is_file() else None
        page = (
            job.html_path.read_text(encoding="utf-8")
            if outcome.html_written and job.html_path is not None
            else None
        )
    finally:
        shutil.rmtree(run, ignore_errors=True)
    return {
        "status": outcome.status,
        "error": outcome.error,
        "seconds": outcome.seconds,
        "executed": executed,
        "html": page,
    }


def _published(job: NotebookJob, returned: dict[str, Any]) -> NotebookResult:
    """Write a worker's executed notebook and page where the job says; the job's result."""
    from fivecolor.site.outputs import atomic_write_text

    if returned["executed"] is not None:
        output = Path(job.output_path)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(returned["executed"])
    html_written = False
    if job.html_path is not None and returned["html"] is not None:
        atomic_write_text(Path(job.html_path), returned["html"])
        html_written = True
    return NotebookResult(
        job=job,
        status=returned["status"],
        seconds=returned["seconds"],
        error=returned["error"],
        html_written=html_written,
    )


# ---------------------------------------------------------------------------------------------
# Dask
# ---------------------------------------------------------------------------------------------
class DaskExecutor:
    """Notebooks and chunks on a Dask distributed cluster.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``); ``None`` starts a
        :class:`distributed.LocalCluster` of ``workers`` single-threaded worker processes,
        closed with the executor.
    workers
        Worker processes of the local cluster; default all cores. Ignored with ``scheduler``.
    client
        An existing :class:`distributed.Client` to use instead (left open on :meth:`close`).

    Notes
    -----
    A worker keeps one warm kernel per process; run workers with one thread each
    (``dask worker --nthreads 1``) so that two notebooks never share a kernel at once.
    """

    name = "dask"

    def __init__(
        self, scheduler: str | None = None, workers: int | None = None, client=None
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # the optional extra
            raise missing_extra("distributed", "dask", "--executor dask") from None

        self._cluster = None
        self._own_client = client is None
        if client is not None:
            self.client = client
        elif scheduler:
            try:
                self.client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
            except OSError as exc:  # refused, timed out, unknown host: not a write failure
                raise InputError(
                    "--scheduler",
                    scheduler,
                    f"cannot reach the Dask scheduler ({exc.__class__.__name__}: "
                    f"{str(exc)[:160]}); check the address and that it is running",
                ) from None
        else:
            self._cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                # None turns the dashboard off (as documented); the signature's default is a str
                dashboard_address=None,  # pyright: ignore[reportArgumentType]
            )
            self.client = Client(self._cluster)

    def run_notebooks(
        self,
        jobs: Sequence[NotebookJob],
        progress: bool = True,
        bundles: Mapping[str, Bundle] | None = None,
    ) -> list[NotebookResult]:
        """Execute and render the jobs on the cluster; pages and notebooks written here.

        ``bundles``: the bundle of a parameter file the jobs name, by its resolved path (see
        :func:`notebook_payloads`). A task that fails on the cluster (a lost worker) becomes a
        failed result naming the job, as a crashed local worker does.
        """
        from distributed import Future, as_completed

        from fivecolor.site.runner import _describe, _one_line, _progress_bar

        jobs = list(jobs)
        if not jobs:
            return []
        payloads, by_digest = notebook_payloads(jobs, bundles)
        # a synchronous client's scatter returns the future itself
        shipped = {
            digest: cast(Future, self.client.scatter(bundle, broadcast=True, hash=False))
            for digest, bundle in by_digest.items()
        }
        futures = {
            self.client.submit(
                run_payload,
                payload,
                shipped.get(payload.bundle) if payload.bundle is not None else None,
                pure=False,
                key=f"fivecolor-notebook-{index}-{os.urandom(4).hex()}",
            ): index
            for index, payload in enumerate(payloads)
        }
        results: list[NotebookResult | None] = [None] * len(jobs)
        try:
            with _progress_bar(len(jobs), enabled=progress) as advance:
                for future in as_completed(futures):
                    index = futures[future]
                    job = jobs[index]
                    try:
                        result = _published(job, future.result())
                    except Exception as exc:  # the task itself was lost, not a notebook error
                        result = NotebookResult(
                            job=job,
                            status="failed",
                            seconds=0.0,
                            error=f"{_describe(job)}: worker failed: {type(exc).__name__}: {_one_line(exc)}",
                        )
                    results[index] = result
                    advance(result)
        except BaseException:
            self.client.cancel(list(futures))
            raise
        finally:
            for future in shipped.values():
                future.release()
            # the workers' unpacked copies of this run's data go with it (best effort: a lost
            # cluster must not hide why the run stopped)
            with contextlib.suppress(Exception):
                self.client.run(remove_bundles, sorted(by_digest))
        done = [result for result in results if result is not None]
        assert len(done) == len(jobs)  # as_completed yields every future
        return done

    def map(self, func: Callable, items: Iterable, *shared: Any) -> list:
        """``[func(item, *shared) for item in items]`` on the cluster, the shared arguments sent once."""
        items = list(items)
        if not items:
            return []
        scattered = [self.client.scatter(value, broadcast=True, hash=False) for value in shared]
        futures = [self.client.submit(func, item, *scattered, pure=False) for item in items]
        try:
            # a synchronous client's gather returns the results themselves
            return cast(list, self.client.gather(futures))
        finally:
            for future in [*futures, *scattered]:
                future.release()

    def close(self) -> None:
        """Close the client (when this executor opened it) and the local cluster it started."""
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


#: Executors by the name ``--executor`` takes.
EXECUTORS: dict[str, type] = {"local": LocalExecutor, "dask": DaskExecutor}


def get_executor(name: str = "local", workers: int | None = None, scheduler: str | None = None):
    """An executor by name: ``"local"`` or ``"dask"`` (``scheduler`` only for Dask).

    Raises
    ------
    ValueError
        An unknown name, or a scheduler given for the local executor.
    InputError
        ``"dask"`` without the ``distributed`` package (the ``fivecolor[dask]`` extra).
    """
    if name not in EXECUTORS:
        raise ValueError(f"unknown executor {name!r}; use one of {', '.join(EXECUTORS)}")
    if name == "local":
        if scheduler:
            raise ValueError("a scheduler address is for the dask executor (--executor dask)")
        return LocalExecutor(workers)
    return DaskExecutor(scheduler=scheduler, workers=workers)
