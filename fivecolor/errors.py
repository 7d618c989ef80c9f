"""The one exception for bad input (the CLI prints it on one line and exits with status 2), and its
wording for an optional dependency that is not installed."""

from __future__ import annotations

import re
from os import PathLike

#: Characters a terminal would act on (escape sequences, bells, NUL...) or that end a line in
#: JavaScript; a message shows them as escapes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _shown(text: str, collapse: bool = False) -> str:
    """``text`` with control characters escaped (``\\x1b``); with ``collapse``, whitespace runs
    (line breaks included) first become one space."""
    if collapse:
        text = " ".join(text.split())
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


class InputError(Exception):
    """Bad parameters, data or usage, said in one line naming the file, the row or key, and the problem.

    Parameters
    ----------
    source
        The file (or ``"usage"``) the problem is in.
    where
        The row, column or key inside it; empty when the whole file is at fault.
    problem
        What is wrong, and where possible how to fix it.
    """

    def __init__(self, source: str | PathLike[str], where: str, problem: str) -> None:
        # one line, whatever the cause said, and nothing a terminal would act on
        self.source = _shown(str(source))
        self.where = _shown(where)
        self.problem = _shown(str(problem), collapse=True)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [self.source, self.where, self.problem]
        return ": ".join(p for p in parts if p)


def missing_extra(module: str, extra: str, needed_for: str) -> InputError:
    """The one-line error for a feature whose optional dependencies are not installed.

    Parameters
    ----------
    module
        The package that is missing (``"distributed"``).
    extra
        The extra of ``fivecolor`` that brings it (``"dask"``).
    needed_for
        What asked for it, as the user wrote it (``"--executor dask"``).
    """
    return InputError(
        "usage", needed_for, f"{module} is not installed; pip install 'fivecolor[{extra}]'"
    )


def require_extra(module: str, extra: str, needed_for: str) -> None:
    """Raise :func:`missing_extra`'s error unless ``module`` can be imported (without importing it)."""
    from importlib.util import find_spec

    if find_spec(module) is None:
        raise missing_extra(module, extra, needed_for)
