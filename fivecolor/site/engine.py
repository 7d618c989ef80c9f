"""A Papermill engine that reuses one warm kernel per process.

Papermill's default engine starts and stops a kernel for every notebook, which costs
about 1 s per notebook before any cell runs. :class:`WarmKernelEngine` keeps one kernel
(one ``AsyncKernelManager`` and one client, IPC transport) per kernel name and per
process, and resets it between notebooks:

- the user namespace, the output cache and the execution counter (``In [1]`` again), without
  the full garbage collection IPython's reset ends with,
- the working directory (the one Papermill switched to, i.e. its ``cwd`` argument),
- ``sys.path`` (restored to what it was when the kernel started),
- the chart-id counter of :mod:`fivecolor.site.render` when a notebook imported it.

Modules stay imported, which is the point (pandas and altair load once per kernel);
settings a notebook makes on module objects (``pd.options``, Altair's active renderer or
theme) therefore carry over, so notebooks should set what they rely on.
After a notebook fails, or the kernel dies, the kernel is replaced before the next one.

Everything else is Papermill's own: parameter injection, ``metadata.papermill``, the
failed-cell banner and :class:`papermill.exceptions.PapermillExecutionError`.

Examples
--------
>>> import papermill as pm
>>> import fivecolor.site.engine  # registers "fivecolor_warm"
>>> pm.execute_notebook("in.ipynb", "out.ipynb", parameters={"x": 1},
...                     engine_name="fivecolor_warm")  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from fivecolor.site.lifetime import kernel_launch_options

__all__ = ["WarmKernel", "WarmKernelEngine", "shutdown_warm_kernels", "warm_kernel"]

ENGINE_NAME = "fivecolor_warm"

# Run silently in the kernel before each notebook. `reset(new_session=True)` clears the
# namespace, the output cache and restarts the execution counter; the cwd and sys.path go back
# to known values. The reset would also flush the display hook, whose last step is a full
# `gc.collect()` (about 0.12 s once pandas and Altair are loaded, most of a warm page's
# overhead): the hook's own references are released here instead, the `_N` names and `Out`
# go with the namespace and the history, and Python's collector frees cycles as usual.
_RESET_CODE = """\
import os as _fc_os, sys as _fc_sys
_fc_os.chdir({cwd!r})
_fc_sys.path[:] = _fc_sys._fivecolor_initial_path
_fc_render = _fc_sys.modules.get("fivecolor.views.embed")
if _fc_render is not None:
    _fc_render.reset_chart_ids()
del _fc_os, _fc_sys, _fc_render
_fc_hook = get_ipython().displayhook
_fc_hook._, _fc_hook.__, _fc_hook.___ = "", "", ""
_fc_hook.do_full_cache, _fc_hook._fivecolor_full_cache = 0, _fc_hook.do_full_cache
del _fc_hook
try:
    get_ipython().reset(new_session=True)
finally:
    get_ipython().displayhook.do_full_cache = get_ipython().displayhook._fivecolor_full_cache
get_ipython().user_ns.update(_="", __="", ___="")
"""

# Run once when a kernel starts. The report's pages load the chart bundle themselves, so the
# notebooks must not inline it (fivecolor.views.embed.CHART_LIBRARY_ENV).
_SETUP_CODE = (
    "import os as _fc_os, sys as _fc_sys; _fc_sys._fivecolor_initial_path = list(_fc_sys.path); "
    "_fc_os.environ['FIVECOLOR_CHART_LIBRARY'] = 'page'; del _fc_os, _fc_sys"
)


class WarmKernel:
    """One running kernel with one client, reusable for many notebooks.

    Parameters
    ----------
    kernel_name
        Kernel spec name, e.g. ``"python3"``.
    start_timeout
        Seconds to wait for the kernel to answer after starting.
    """

    def __init__(self, kernel_name: str, start_timeout: float = 60) -> None:
        self.kernel_name = kernel_name
        self.start_timeout = start_timeout
        self.needs_restart = False
        self.km: AsyncKernelManager | None = None
        self.kc = None
        # IPC sockets live in a private folder: no TCP port races between parallel workers
        # and no socket files left in whatever folder the notebook runs in.
        self._socket_dir = tempfile.mkdtemp(prefix="fivecolor-kernel-")
        self._start()

    def _start(self) -> None:
        km = AsyncKernelManager(
            kernel_name=self.kernel_name,
            transport="ipc",
            ip=os.path.join(self._socket_dir, "k"),
        )
        # An in-memory history: parallel kernels must not contend for one sqlite file.
        # the kernel dies with the process that started it, even one killed outright
        run_sync(km.start_kernel)(
            extra_arguments=["--HistoryManager.hist_file=:memory:"], **kernel_launch_options()
        )
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=self.start_timeout)
        except Exception:
            kc.stop_channels()
            run_sync(km.shutdown_kernel)(now=True)
            raise
        kc.allow_stdin = False
        self.km, self.kc = km, kc
        self._run_silently(_SETUP_CODE)
        self.needs_restart = False

    def _run_silently(self, code: str, timeout: float = 60) -> None:
        if self.kc is None:
            raise RuntimeError("kernel reset failed: the kernel is not running")
        reply = run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, timeout=timeout, output_hook=_ignore
        )
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(
                f"kernel reset failed: {content.get('ename')}: {content.get('evalue')}"
            )

    def is_alive(self) -> bool:
        """Whether the kernel process is still running."""
        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def prepare(self, cwd: str | os.PathLike[str]) -> None:
        """Make the kernel ready for a new notebook run in ``cwd``.

        Restarts it first when the previous notebook failed or the kernel died.
        """
        if self.needs_restart or not self.is_alive():
            self.restart()
        self._run_silently(_RESET_CODE.format(cwd=os.fspath(Path(cwd).resolve())))

    def restart(self) -> None:
        """Replace the kernel by a fresh one (new process, new client)."""
        self._stop()
        self._start()

    def _stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            try:
                if run_sync(self.km.is_alive)():
                    run_sync(self.km.shutdown_kernel)(now=True)
            finally:
                run_sync(self.km.cleanup_resources)()
                self.km = None

    def shutdown(self) -> None:
        """Stop the kernel and remove its socket folder."""
        try:
            self._stop()
        finally:
            shutil.rmtree(self._socket_dir, ignore_errors=True)


def _ignore(msg: dict) -> None:
    """Output hook that drops the (silent) reset's messages."""


# One warm kernel per kernel name in this process, owned by the pid that started it so a
# forked child never reuses its parent's sockets.
_KERNELS: dict[str, WarmKernel] = {}
_OWNER_PID = os.getpid()


def warm_kernel(kernel_name: str, start_timeout: float = 60) -> WarmKernel:
    """Return this process's warm kernel for ``kernel_name``, starting it if needed."""
    global _OWNER_PID
    if os.getpid() != _OWNER_PID:
        _KERNELS.clear()
        _OWNER_PID = os.getpid()
    kernel = _KERNELS.get(kernel_name)
    if kernel is None:
        kernel = _KERNELS[kernel_name] = WarmKernel(kernel_name, start_timeout)
    return kernel


def shutdown_warm_kernels() -> None:
    """Stop every warm kernel of this process; safe to call more than once."""
    if os.getpid() != _OWNER_PID:
        return
    while _KERNELS:
        _, kernel = _KERNELS.popitem()
        try:
            kernel.shutdown()
        except Exception as exc:  # exit path: report, never mask the real exit status
            logger.warning(f"could not stop a warm kernel cleanly: {exc}")


# atexit covers normal interpreters; multiprocessing workers may leave through os._exit,
# which only runs multiprocessing's own finalizers.
atexit.register(shutdown_warm_kernels)
multiprocessing.util.Finalize(None, shutdown_warm_kernels, exitpriority=10)


class WarmKernelEngine(Engine):
    """Papermill engine executing on this process's warm kernel.

    Accepts the same engine keyword arguments as Papermill's ``nbclient`` engine
    (``execution_timeout``, ``log_output``, ``stdout_file``, ``stderr_file`` and
    nbclient options); ``km`` and ``shutdown_kernel`` are ignored because the kernel is
    managed here.
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        """Execute the parameterised notebook held by ``nb_man`` on the warm kernel."""
        kernel = warm_kernel(kernel_name, start_timeout)
        # Papermill has already switched this process into the requested cwd.
        kernel.prepare(os.getcwd())
        kwargs = remove_args(
            ["input_path", "km", "kernel_manager_class", "shutdown_kernel"], **kwargs
        )
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = PapermillNotebookClient(nb_man, km=kernel.km, **final_kwargs)
        client.kc = kernel.kc  # the shared client: nbclient neither replaces nor stops it
        try:
            client.execute()
        except BaseException:
            kernel.needs_restart = True
            raise
        if nb_man.nb.metadata.get("papermill", {}).get("exception"):
            # A failed notebook may leave half-built state in modules: start clean.
            kernel.needs_restart = True
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
