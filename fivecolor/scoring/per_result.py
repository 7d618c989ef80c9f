"""Values derived from one scored month, computed once per :class:`~.pipeline.ScoreResult`.

A report's kernel draws every station page of a month from the same result, and each page asks
for the same month-wide frames (the stations' table with labels, names, distances to the
cut-offs). :func:`once_per_result` computes such a frame for the first page and hands the later
pages a copy, so a page may change what it is given without touching the next page's.

The cache holds the result itself beside the value: while an entry lives its result cannot be
freed, so its ``id`` cannot be reused by another result. A result is frozen and its arrays are
never written after scoring, so a cached value stays true for as long as its result exists.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from fivecolor.scoring.pipeline import ScoreResult

__all__ = ["clear", "once_per_result"]

P = ParamSpec("P")
T = TypeVar("T")

#: Entries kept before the cache starts afresh: a few months of a few functions each.
_LIMIT = 64
_cache: dict[tuple, tuple[ScoreResult, object]] = {}


def once_per_result(
    function: Callable[Concatenate[ScoreResult, P], T],
) -> Callable[Concatenate[ScoreResult, P], T]:
    """Decorate ``function(result, *args)`` (hashable ``args``) to run once per result and
    arguments; every call returns its own copy of the value."""

    @functools.wraps(function)
    def cached(result: ScoreResult, *args: P.args, **kwargs: P.kwargs) -> T:
        key = (id(result), function.__qualname__, args, tuple(sorted(kwargs.items())))
        entry = _cache.get(key)
        if entry is None or entry[0] is not result:
            if len(_cache) >= _LIMIT:
                _cache.clear()
            entry = _cache[key] = (result, function(result, *args, **kwargs))
        return copy.copy(entry[1])  # type: ignore[return-value]  (frames and arrays: a new copy)

    return cached


def clear() -> None:
    """Forget every cached value (and release the results they belong to)."""
    _cache.clear()
