"""The one exception for bad input: the CLI prints it on one line and exits with status 2."""

from __future__ import annotations

from os import PathLike


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
        self.source = str(source)
        self.where = where
        self.problem = " ".join(str(problem).split())  # one line, whatever the cause said
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [self.source, self.where, self.problem]
        return ": ".join(p for p in parts if p)
