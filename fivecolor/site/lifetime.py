"""A report's processes end with the report: children die with their parent, and the main
process turns SIGTERM and SIGHUP into the same orderly stop as Ctrl-C.

- :func:`die_with_parent` (a worker's initialiser) and :func:`kernel_launch_options` (a
  kernel's launch) ask Linux to kill the process when its parent goes (``PR_SET_PDEATHSIG``),
  so a ``kill -9`` of the report leaves no worker or kernel running.
- :func:`stop_on_signals` makes SIGTERM and SIGHUP raise :class:`Interrupted`, a
  ``KeyboardInterrupt``: the code that already stops the workers and discards the staging
  folder on Ctrl-C runs for them too.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
from collections.abc import Callable, Iterator

__all__ = ["Interrupted", "die_with_parent", "kernel_launch_options", "stop_on_signals"]

_PR_SET_PDEATHSIG = 1


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` (Linux), or ``None`` elsewhere."""
    try:
        function = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):
        return None
    function.restype = ctypes.c_int
    return function


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Have this process get ``signum`` when the parent ``parent`` ends (Linux; elsewhere nothing).

    When the parent has already gone (the process now belongs to another), exit at once.
    """
    prctl = _prctl()
    if prctl is None:
        return
    prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(signum), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(128 + signum)


def kernel_launch_options() -> dict[str, Callable[[], None]]:
    """``start_kernel`` keyword arguments making the kernel die with the process starting it.

    The request is made in the kernel's process between fork and exec; libc's ``prctl`` is
    looked up here, before the fork, so the child only calls it.
    """
    if _prctl() is None:
        return {}
    return {"preexec_fn": functools.partial(die_with_parent, os.getpid())}


class Interrupted(KeyboardInterrupt):
    """The report was stopped by a signal; ``signal_name`` is e.g. ``"SIGTERM"``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signal_name = signal.Signals(signum).name
        self.signum = signum


def _raise_interrupted(signum: int, frame) -> None:
    # once is enough: a second signal must not interrupt the cleanup of the first
    for other in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread while this is active."""
    previous = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
