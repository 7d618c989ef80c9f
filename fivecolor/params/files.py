"""Parameter files: YAML read safely, the ``extends`` chain merged, relative paths resolved.

``extends: other.yaml`` deep-merges another file under this one; relative data paths are read
from the folder of the file that names them. A scheme file (``params/schemes/``) states method
keys only and is merged over any month's parameters (``scheme=``), and ``settings`` are
``key.path=value`` overrides merged last (the command line's ``--scheme`` and ``--set``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

# PyYAML's safe loader on libyaml's C parser where PyYAML was built with it (the wheels are):
# the pure-Python parser takes longer to read the text catalogue than scoring a month takes
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader

from fivecolor.errors import InputError
from fivecolor.params.limits import (
    MAX_PARAMS_BYTES,
    check_yaml_bounds,
    quoted,
    read_bounded_text,
    regular_file,
)
from fivecolor.params.model import DATA_ROLES, SQL_DATA_KEYS, STORE_SOURCE, Params, validate


class UniqueKeyLoader(_SafeLoader):  # pyright: ignore[reportGeneralTypeIssues]
    """Safe loading (no object construction) that refuses a key written twice instead of
    keeping the last, a key that is not text (``no:`` is read as false, ``? [a, b]`` is a
    list) and merge keys (``<<``); a subclass words the refusal of a repeated key with
    ``duplicate_message``."""

    duplicate_message = "duplicate key {key!r}"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False):
        seen: set[Any] = set()
        for key_node, _ in node.value:
            _check_key(key_node)
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key_node.value!r} is read as {key!r}, not as text; "
                    f'quote it ("{key_node.value}":)',
                    key_node.start_mark,
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, self.duplicate_message.format(key=key), key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode):
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {len(node.value):,} characters", node.start_mark
            ) from None


UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", UniqueKeyLoader.construct_yaml_int)


def _check_key(key_node: yaml.Node) -> None:
    if key_node.tag == "tag:yaml.org,2002:merge":
        raise yaml.constructor.ConstructorError(
            None,
            None,
            "merge keys (<<) are not supported; write the keys out, or build on another "
            "file with extends:",
            key_node.start_mark,
        )
    if not isinstance(key_node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(
            None, None, "a key must be text, not a list or a mapping", key_node.start_mark
        )


def read_yaml(path: Path) -> dict[str, Any]:
    """Read one YAML mapping safely; any problem is an :class:`InputError` naming the file and line.

    The file must be a regular file of at most :data:`MAX_PARAMS_BYTES`, nested at most
    ``MAX_DEPTH`` levels and small with its aliases expanded (:mod:`fivecolor.params.limits`).
    """
    try:
        text = read_bounded_text(path, MAX_PARAMS_BYTES, "parameter file")
    except OSError as exc:
        raise InputError(path, "", f"cannot read ({exc.strerror})") from None
    try:
        node = check_yaml_bounds(text, UniqueKeyLoader, path)
        loader = UniqueKeyLoader("")
        try:
            doc = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else ""
        raise InputError(path, where, f"{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError(path, "", f"not valid YAML ({exc})") from None
    except RecursionError:
        raise InputError(path, "", "nested too deeply") from None
    except ValueError as exc:  # a number of more than 4300 digits, a date out of range
        raise InputError(path, "", f"a value cannot be read ({quoted(str(exc))})") from None
    if doc is None:
        raise InputError(path, "", "the file is empty")
    if not isinstance(doc, dict):
        raise InputError(path, "", "the top level must be a mapping of keys to values")
    return doc


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``: mappings merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_store_path(doc: dict[str, Any], folder: Path, path: Path) -> dict[str, Any]:
    """A store given as a file path is read from the folder of the file naming it, like data paths."""
    store = doc.get("store")
    if store is None or isinstance(store, dict):
        return doc  # a server store (or none): validation checks it
    if not isinstance(store, str) or not store.strip():
        raise InputError(
            path, "store", f"give a DuckDB file path or a mapping with url, got {quoted(store)}"
        )
    return {**doc, "store": _absolute(folder, store)}


def _absolute(folder: Path, value: str) -> str:
    """A path as absolute, symbolic links kept: reading it later says what a link points at
    (nothing, a loop) instead of resolving it away here."""
    return os.path.abspath(folder / Path(value).expanduser())


def _resolve_data_paths(doc: dict[str, Any], folder: Path, path: Path) -> dict[str, Any]:
    doc = _resolve_store_path(doc, folder, path)
    data = doc.get("data")
    if not isinstance(data, dict):
        return doc
    resolved = dict(data)
    for key in DATA_ROLES:
        value = data.get(key)
        if value is None:
            continue
        if key == "indicators" and value == STORE_SOURCE:
            continue  # not a path: the indicator values are read from the store of record
        if isinstance(value, dict) and key in SQL_DATA_KEYS:
            resolved[key] = _resolve_sqlite_file(value, folder)
            continue
        if not isinstance(value, str) or not value.strip():
            raise InputError(path, f"data.{key}", f"give a file path as text, got {quoted(value)}")
        resolved[key] = _absolute(folder, value)
    return {**doc, "data": resolved}


def _resolve_sqlite_file(source: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A SQLite file named relative in its URL is read from the parameter file's folder, like a path."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not isinstance(source.get("url"), str):
        return source
    try:
        url = make_url(source["url"])
    except (ArgumentError, ValueError):
        return source  # validation says what is wrong
    database = url.database
    if (
        url.get_backend_name() != "sqlite"
        or not database
        or database == ":memory:"
        or database.startswith("file:")
        or Path(database).expanduser().is_absolute()
    ):
        return source
    absolute = (folder / Path(database).expanduser()).resolve()
    return {**source, "url": url.set(database=str(absolute)).render_as_string(hide_password=False)}


def _read_layer(path: Path) -> tuple[dict[str, Any], Any]:
    """One file of a chain, its data paths resolved against its folder, and the ``extends`` it names."""
    doc = _resolve_data_paths(read_yaml(path), path.parent, path)
    return doc, doc.pop("extends", None)


def _read_chain(path: Path, seen: tuple[Path, ...] = ()) -> list[tuple[Path, dict[str, Any]]]:
    """The files of ``path``'s ``extends`` chain with their documents, the named file first."""
    regular_file(path, "parameter file")  # before resolve(), which fails on a loop of links
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise InputError(path, "extends", f"files extend each other in a loop ({chain})")
    doc, parent = _read_layer(path)
    if parent is None:
        return [(path, doc)]
    if not isinstance(parent, str):
        raise InputError(path, "extends", f"give one file name, got {quoted(parent)}")
    base_path = path.parent / parent
    if (
        not base_path.exists() and not base_path.is_symlink()
    ):  # blame the file that names it, not a path the user never wrote
        raise InputError(
            path, "extends", f"{parent!r} not found (read from the folder {path.parent})"
        )
    return [(path, doc), *_read_chain(base_path, (*seen, path))]


#: Keys a scheme file may not state: they say which month and data, not how to score them.
MONTH_KEYS = ("period", "data", "store")


def read_scheme(path: str | Path) -> dict[str, Any]:
    """A scheme file merged along its own ``extends`` chain (other scheme files), checked to
    state method keys only: a month, data or store is refused on its key."""
    doc: dict[str, Any] = {}
    for layer_path, layer in reversed(_read_chain(Path(path))):
        for key in MONTH_KEYS:
            if key in layer:
                raise InputError(
                    layer_path,
                    key,
                    "a scheme states method keys only; give the month and its data with --params",
                )
        doc = deep_merge(doc, layer)
    return doc


def is_scheme_file(path: str | Path) -> bool:
    """True when the file (with its ``extends`` chain) names no month, data or store: a scheme."""
    return not any(key in layer for _, layer in _read_chain(Path(path)) for key in MONTH_KEYS)


def parse_settings(settings: Sequence[str]) -> dict[str, Any]:
    """``KEY.PATH=VALUE`` overrides as one nested mapping; each value is read as YAML
    (``bands.cutoffs=[91, 86, 81, 76]``, ``weights_scheme=entropy``)."""
    doc: dict[str, Any] = {}
    for setting in settings:
        key, sep, text = setting.partition("=")
        parts = key.strip().split(".")
        if not sep or not all(part.strip() for part in parts):
            raise InputError(
                "--set", setting, "write KEY=VALUE, e.g. --set bands.cutoffs=[91,86,81,76]"
            )
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            raise InputError("--set", key, f"the value {text!r} is not YAML ({exc})") from None
        nested: dict[str, Any] = {parts[-1].strip(): value}
        for part in reversed(parts[:-1]):
            nested = {part.strip(): nested}
        doc = deep_merge(doc, nested)
    return doc


def _blame_setting(exc: InputError, settings: Sequence[str]) -> InputError:
    """A validation error on a key a ``--set`` gave is named as that ``--set``, not the file."""
    for setting in settings:
        key = setting.partition("=")[0].strip()
        if exc.where == key or exc.where.startswith(f"{key}.") or key.startswith(f"{exc.where}."):
            return InputError(f"--set {setting}", exc.where, exc.problem)
    return exc


def compose_params_file(
    params_file: str | Path,
    folder: Path,
    scheme: str | Path | None = None,
    settings: Sequence[str] = (),
) -> Path:
    """One parameter file in ``folder`` that extends ``params_file`` with a scheme and settings
    merged over it, so that a report's notebooks, snapshot and rerun read the same parameters
    the command line gave. Returns ``params_file`` itself when there is nothing to merge."""
    if scheme is None and not settings:
        return Path(params_file)
    layer = read_scheme(scheme) if scheme is not None else {}
    layer = deep_merge(layer, parse_settings(settings))
    base = Path(params_file).resolve()
    name = f"{base.stem}+{Path(scheme).stem if scheme else 'set'}.yaml"
    lines = [
        f"# {base.name}"
        + (f" with the scheme {Path(scheme).name}" if scheme else "")
        + (f" and --set {' '.join(settings)}" if settings else ""),
    ]
    text = (
        "\n".join(lines)
        + "\n"
        + yaml.safe_dump({"extends": str(base), **layer}, allow_unicode=True, sort_keys=False)
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def load_params(
    path: str | Path | Sequence[str | Path],
    *,
    scheme: str | Path | None = None,
    settings: Sequence[str] = (),
    **overrides: Any,
) -> Params:
    """Read, merge (``extends``) and validate a parameter file.

    Parameters
    ----------
    path
        The YAML file; or the files of a chain, the named file first and its base last, each
        one's ``extends`` ignored (copies whose names no longer say which extends which, as in
        a month's input snapshot).
    scheme
        A scheme file (method keys only, see :func:`read_scheme`) merged over the parameters.
    settings
        ``KEY.PATH=VALUE`` overrides merged last (:func:`parse_settings`).
    **overrides
        Top-level keys to replace after merging (``period="2020-04"``); ``None`` values are ignored.

    Examples
    --------
    >>> p = load_params("params/2020-05.yaml")  # doctest: +SKIP
    >>> p.period, p.bands.cutoffs  # doctest: +SKIP
    ('2020-05', (90.0, 85.0, 80.0, 75.0))
    """
    if isinstance(path, (str, os.PathLike)):
        named, layers = path, _read_chain(Path(path))
    else:
        named, layers = path[0], [(Path(p).resolve(), _read_layer(Path(p))[0]) for p in path]
    doc: dict[str, Any] = {}
    for _, layer in reversed(layers):  # the base first, the named file last
        doc = deep_merge(doc, layer)
    if scheme is not None:
        doc = deep_merge(doc, read_scheme(scheme))
        layers = [*_read_chain(Path(scheme)), *layers]
    doc = deep_merge(doc, parse_settings(settings))
    doc.update({k: v for k, v in overrides.items() if v is not None})
    try:
        params = validate(doc, str(named))
    except InputError as exc:
        raise _blame_setting(exc, settings) from None
    params._sources = tuple(str(p) for p, _ in layers)
    return params
