"""The default a parameter takes when a file does not set it, found by its dotted key.

A month published before a parameter existed has no value for it in its manifest; that is no
change of parameters as long as the parameter now takes its default (a new option, off or at
its old behaviour), so such a month may still be rebuilt after an upgrade.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, TypeAdapter

from fivecolor.params.model import Params

__all__ = ["NO_DEFAULT", "default_of"]

#: What :func:`default_of` returns for a key without a default (or not a parameter at all).
NO_DEFAULT: Any = object()


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The parameter models an annotation may hold (``X``, ``X | None``, ``dict[str, X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return []


def _mapping_values(annotation: Any) -> list[type[BaseModel]]:
    """The models a ``dict[str, X]`` annotation (possibly ``| None``) holds as values."""
    origin = typing.get_origin(annotation)
    if origin is dict:
        return _models_in(typing.get_args(annotation)[1])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _mapping_values(arg)]
    return []


def default_of(dotted_key: str, model: type[BaseModel] = Params) -> Any:
    """The JSON form of the default of ``dotted_key`` (``bands.borderline``,
    ``indicators.line_loss.weight``); :data:`NO_DEFAULT` when it has none.

    Examples
    --------
    >>> default_of("bands.method")
    'cutoffs'
    >>> default_of("period") is NO_DEFAULT
    True
    """
    head, _, rest = dotted_key.partition(".")
    field = model.model_fields.get(head)
    if field is None:
        return NO_DEFAULT
    if not rest:
        if field.is_required() or field.annotation is None:
            return NO_DEFAULT
        default = field.get_default(call_default_factory=True, validated_data={})
        return TypeAdapter(field.annotation).dump_python(default, mode="json")
    for inner in _models_in(field.annotation):
        found = default_of(rest, inner)
        if found is not NO_DEFAULT:
            return found
    _, _, after_name = rest.partition(".")  # a mapping's entry: skip its name
    for inner in _mapping_values(field.annotation):
        found = default_of(after_name, inner) if after_name else NO_DEFAULT
        if found is not NO_DEFAULT:
            return found
    return NO_DEFAULT
