"""Method registries: find a method by the name the parameters use, or refuse the name in one line.

Each method family keeps its registry next to its methods (``normalise.METHODS``,
``aggregate.METHODS``, ``weights.SCHEMES``, ``bands.BAND_METHODS``,
``pipeline.MISSING_POLICIES``); the parameters declare the same names as enums, and
``tests/test_registries.py`` holds the two lists equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

T = TypeVar("T")


class UnknownMethodError(ValueError):
    """A method name with no registered implementation, said in one line with the known names."""

    def __init__(self, family: str, name: str, known) -> None:
        self.family = family
        self.name = name
        self.known = tuple(known)
        super().__init__(f"no {family} method is named {name!r} (known: {', '.join(self.known)})")


def method_name(name: str | Enum) -> str:
    """The plain name of a method given as a string or as a member of a parameters enum."""
    return name.value if isinstance(name, Enum) else str(name)


def lookup(registry: Mapping[str, T], family: str, name: str | Enum) -> T:
    """The registry's entry for ``name``; :class:`UnknownMethodError` when there is none."""
    key = method_name(name)
    try:
        return registry[key]
    except KeyError:
        raise UnknownMethodError(family, key, registry) from None
