"""Bounds on what is read: the kind and size of an input file, and the nesting and alias
expansion of a YAML document.

A small hostile input must fail fast with one line, not hang or fill the memory: a FIFO or a
device given as a file would block or read without end, a 1 KB YAML "alias bomb" expands to
billions of nodes, and a deeply nested document overflows a recursive parser.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from fivecolor.errors import InputError

#: A parameter file is a page of YAML; anything larger is a mistake or an attack.
MAX_PARAMS_BYTES = 1_000_000
#: Nesting of mappings and lists in a YAML parameter file.
MAX_DEPTH = 64
#: Nodes of a YAML document once its aliases are expanded (a parameter file has a few hundred).
MAX_YAML_NODES = 100_000
#: Characters of a value quoted in a message.
QUOTE_CHARS = 60


def quoted(value: Any) -> str:
    """``repr(value)`` cut to :data:`QUOTE_CHARS` characters; never expands a huge value whole."""
    if isinstance(value, (dict, list, tuple, set)):
        return f"a {type(value).__name__} of {len(value)} items"
    text = (
        repr(value)
        if not isinstance(value, str) or len(value) <= 4 * QUOTE_CHARS
        else repr(value[: 4 * QUOTE_CHARS])
    )
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def regular_file(path: Path, what: str = "file") -> os.stat_result:
    """The ``stat`` of ``path`` if it is a regular file (after symbolic links); otherwise an
    :class:`InputError` that says what it is: missing, a folder, a FIFO, a device, a link to
    nothing, a loop of links. Never opens the path (opening a FIFO would block)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(
                path, "", f"a symbolic link to a missing {what} ({os.readlink(path)})"
            ) from None
        raise InputError(path, "", f"{what} not found") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(path, "", "symbolic links form a loop; name the file itself") from None
        raise InputError(path, "", f"cannot read ({exc.strerror})") from None
    mode = info.st_mode
    kind = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else None
    )
    if kind is not None:
        raise InputError(path, "", f"is {kind}, not a {what}; give a {what}")
    return info


def read_bounded_text(path: Path, max_bytes: int, what: str = "file") -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes`` (a BOM dropped)."""
    info = regular_file(path, what)
    if info.st_size > max_bytes:
        raise InputError(
            path, "", f"{info.st_size:,} bytes, more than the {max_bytes:,} a {what} may have"
        )
    with open(path, "rb") as fh:
        payload = fh.read(max_bytes + 1)
    if len(payload) > max_bytes:  # grew since stat
        raise InputError(path, "", f"more than the {max_bytes:,} bytes a {what} may have")
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "", f"not UTF-8 text; save the {what} as UTF-8") from None


def check_yaml_bounds(
    text: str, loader: type[yaml.SafeLoader | yaml.CSafeLoader], source: Path
) -> yaml.Node | None:
    """The document's node graph, once its nesting (at most :data:`MAX_DEPTH`) and its size
    with aliases expanded (at most :data:`MAX_YAML_NODES`) are known to be small.

    The nesting is measured on the parser's events, which need no recursion; the expanded
    size is counted once per shared node, so an alias bomb is measured without expanding it.
    """
    too_deep = InputError(source, "", f"nested more than {MAX_DEPTH} levels deep")
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise too_deep
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # libyaml's scanner reads a flow collection ahead and stops at its own limit (1000)
        # before the events reach ours: the same refusal, in the same words
        if exc.problem == "exceeded maximum nesting depth":
            raise too_deep from None
        raise
    node = yaml.compose(text, Loader=loader)
    if node is not None and _expanded_size(node, {}, source) > MAX_YAML_NODES:
        raise InputError(
            source,
            "",
            f"aliases (*name) expand it to more than {MAX_YAML_NODES:,} values; write the "
            "values out, or reuse fewer",
        )
    return node


def _expanded_size(node: yaml.Node, sizes: dict[int, int], source: Path) -> int:
    """Nodes under ``node`` with every alias expanded, each shared node counted once (memo)."""
    key = id(node)
    if sizes.get(key) == 0:  # met again while counting it: an alias inside its own anchor
        raise InputError(source, "", "an alias (*name) refers to the value that holds it")
    if key not in sizes:
        sizes[key] = 0
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        sizes[key] = 1 + sum(_expanded_size(child, sizes, source) for child in children)
    return sizes[key]
