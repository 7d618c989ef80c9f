"""Find the text-catalogue keys a Python source or a notebook uses, by reading its syntax tree.

A key is *used* where a string literal reaches a parameter that takes a key: the first
argument of ``text(...)`` (and of ``Month.text``, ``template``), the key of the notebook
helpers (``show_heading``, ``show_text``, ``show_title``, ``show_link``, ``show_table``'s
``empty_key``), the keyword values of ``headers(...)``, a subscript of ``TEXT``, and what
``next_colour_empty_key`` and ``intro_key`` return. A name in such a place is followed to the
literals it is bound to in the same function or module: an assignment (``key = "a" if x else "b"``), a
loop over a literal (``for key in ("a", "b")``, ``for column, key in (("c", "k"),)``), a
dict literal iterated or looked up (``{text(k, lang): v for k, v in columns.items()}``,
``text(_STATUS_KEYS[s], lang)``). A function parameter is left to the function's callers.
Anything else in a key place (an f-string, a concatenation, an unknown call) is reported
as a key built at run time: the catalogue test fails on it, as no test could tell that
key missing.

Used by ``tests/test_text_catalogue.py`` and by the key-rename script, which rewrites
exactly the literals found here.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Calls taking a key: function or method name -> (position of the key, keyword name).
KEY_ARGUMENTS: dict[str, tuple[int, str]] = {
    "text": (0, "key"),
    "template": (0, "key"),
    "show_heading": (1, "key"),
    "show_text": (1, "key"),
    "show_title": (1, "key"),
    "show_link": (2, "key"),
    "show_table": (1, "empty_key"),
}
#: Calls whose every keyword value is a key (column name = key of its header).
KEY_KEYWORDS = {"headers"}
#: Names whose subscript is a key.
KEY_SUBSCRIPTS = {"TEXT"}
#: Functions that return a key (their ``return`` values are uses).
KEY_RETURNS = {"next_colour_empty_key", "intro_key"}
#: The module a ``text`` must come from to count (``sqlalchemy.text`` takes SQL, not a key).
TEXT_MODULE = "fivecolor.views.text"


@dataclass(frozen=True)
class KeyUse:
    """One string literal in a key place: its value and its node (for its position)."""

    key: str
    node: ast.Constant


@dataclass(frozen=True)
class BuiltKey:
    """A key place holding something other than a literal: a key built at run time."""

    line: int
    source: str


class _FromCaller(Exception):
    """A key place reached a function parameter: the literal is at the function's callers."""


class _Unresolved(Exception):
    """An expression in a key place that is not made of literals."""

    def __init__(self, node: ast.AST) -> None:
        super().__init__(node)
        self.node = node


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Finder:
    def __init__(self, tree: ast.Module, source: str) -> None:
        self.tree, self.source = tree, source
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.foreign_text = any(
            isinstance(node, ast.ImportFrom)
            and node.module != TEXT_MODULE
            and any((a.asname or a.name) == "text" for a in node.names)
            for node in ast.walk(tree)
        )
        self.uses: list[KeyUse] = []
        self.built: list[BuiltKey] = []

    # -- where keys go
    def run(self) -> None:
        for node in ast.walk(self.tree):
            for expr in self._key_places(node):
                try:
                    self.uses.extend(KeyUse(c.value, c) for c in self._literals(expr))
                except _FromCaller:
                    pass
                except _Unresolved as unresolved:
                    where = unresolved.node
                    segment = ast.get_source_segment(self.source, where) or ""
                    self.built.append(BuiltKey(getattr(where, "lineno", 0), segment))

    def _key_places(self, node: ast.AST) -> Iterator[ast.expr]:
        if isinstance(node, ast.Call):
            name = _called_name(node.func)
            if name == "text" and isinstance(node.func, ast.Name) and self.foreign_text:
                return
            if name in KEY_ARGUMENTS:
                position, keyword = KEY_ARGUMENTS[name]  # Month.text(key) too: key first
                starred = any(isinstance(a, ast.Starred) for a in node.args)
                if len(node.args) > position and not starred:
                    yield node.args[position]
                yield from (k.value for k in node.keywords if k.arg == keyword)
            elif name in KEY_KEYWORDS:
                yield from (k.value for k in node.keywords)
            else:
                yield from (k.value for k in node.keywords if k.arg == "empty_key")
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            if node.value.id in KEY_SUBSCRIPTS and isinstance(node.ctx, ast.Load):
                yield node.slice
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in KEY_RETURNS:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    yield inner.value

    # -- what a key place holds
    def _literals(self, expr: ast.expr) -> list[ast.Constant]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr]
        if isinstance(expr, ast.IfExp):
            return self._literals(expr.body) + self._literals(expr.orelse)
        if isinstance(expr, ast.Name):
            return [c for e in self._binding(expr) for c in self._literals(e)]
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            return [c for e in self._dict_values(expr.value) for c in self._literals(e)]
        if isinstance(expr, ast.Call) and _is_method(expr, "get"):
            return [c for e in self._dict_values(expr.func.value) for c in self._literals(e)]
        if isinstance(expr, ast.Call) and _called_name(expr.func) in KEY_RETURNS:
            return []  # found at the function's returns
        raise _Unresolved(expr)

    def _binding(self, name: ast.Name) -> list[ast.expr]:
        """The expressions ``name`` is bound to where it is read (:class:`_FromCaller` for a
        parameter)."""
        node: ast.AST = name
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, _COMPREHENSIONS):
                for generator in node.generators:
                    rows = self._rows_bound(generator.target, generator.iter, name.id)
                    if rows is not None:
                        return rows
            if isinstance(node, _SCOPES):
                if not isinstance(node, ast.Module) and name.id in _parameters(node):
                    raise _FromCaller
                rows = self._bound_in(node, name.id)
                if rows is not None:
                    return rows
        raise _Unresolved(name)

    def _bound_in(self, scope: ast.AST, name: str) -> list[ast.expr] | None:
        """Everything ``name`` is assigned or looped over in ``scope``; ``None`` when never."""
        body = scope.body if isinstance(scope, ast.Module) else list(ast.walk(scope))
        found: list[ast.expr] | None = None
        for statement in body:
            rows = None
            if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                assign = isinstance(statement, ast.Assign)
                targets = statement.targets if assign else [statement.target]
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    rows = [statement.value]
            elif isinstance(statement, ast.For):
                rows = self._rows_bound(statement.target, statement.iter, name)
            if rows is not None:
                found = [*(found or []), *rows]
        return found

    def _rows_bound(self, target: ast.expr, iterable: ast.expr, name: str) -> list[ast.expr] | None:
        """What ``name`` in loop ``target`` takes over ``iterable``; ``None`` if not bound there."""
        path = _path_to(target, name)
        if path is None:
            return None
        rows = self._rows(iterable)
        for index in path:
            rows = [_element(row, index) for row in rows]
        return rows

    def _rows(self, iterable: ast.expr) -> list[ast.expr]:
        """The items a loop over ``iterable`` takes (``.items()`` gives key-value tuples)."""
        if isinstance(iterable, (ast.Tuple, ast.List, ast.Set)):
            return list(iterable.elts)
        if isinstance(iterable, ast.Dict):
            return [k for k in iterable.keys if k is not None]
        if isinstance(iterable, ast.Name):
            return [row for bound in self._binding(iterable) for row in self._rows(bound)]
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute):
            method, owner = iterable.func.attr, iterable.func.value
            if method == "items":
                mapping = self._dict(owner)
                return [
                    ast.Tuple(elts=[k, v])
                    for k, v in zip(mapping.keys, mapping.values, strict=True)
                ]
            if method == "keys":
                return [k for k in self._dict(owner).keys if k is not None]
            if method == "values":
                return list(self._dict(owner).values)
            if method == "get" and isinstance(owner, ast.Name):
                return [row for value in self._dict_values(owner) for row in self._rows(value)]
        raise _Unresolved(iterable)

    def _dict(self, expr: ast.expr) -> ast.Dict:
        if isinstance(expr, ast.Dict):
            return expr
        if isinstance(expr, ast.Name):
            bound = self._binding(expr)
            if len(bound) == 1 and isinstance(bound[0], ast.Dict):
                return bound[0]
        raise _Unresolved(expr)

    def _dict_values(self, name: ast.expr) -> list[ast.expr]:
        return list(self._dict(name).values)


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_method(call: ast.Call, method: str) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == method


def _parameters(function: ast.AST) -> set[str]:
    arguments = function.args
    names = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    names += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return {a.arg for a in names}


def _path_to(target: ast.expr, name: str) -> tuple[int, ...] | None:
    """Indices leading from a loop target to ``name`` (``()`` for the target itself)."""
    if isinstance(target, ast.Name):
        return () if target.id == name else None
    if isinstance(target, (ast.Tuple, ast.List)):
        for index, element in enumerate(target.elts):
            inner = _path_to(element, name)
            if inner is not None:
                return (index, *inner)
    return None


def _element(row: ast.expr, index: int) -> ast.expr:
    if isinstance(row, (ast.Tuple, ast.List)) and index < len(row.elts):
        return row.elts[index]
    raise _Unresolved(row)


# --------------------------------------------------------------------------- sources
def find_keys(source: str) -> tuple[list[KeyUse], list[BuiltKey]]:
    """The key literals of one Python source, and the key places holding no literal."""
    finder = _Finder(ast.parse(source), source)
    finder.run()
    return finder.uses, finder.built


def notebook_cells(path: Path) -> list[str]:
    """The code cells of a notebook, each as one source text."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    ]


def sources(root: Path, *folders: str) -> Iterator[tuple[str, str]]:
    """``(name, source)`` of every Python file and notebook code cell under ``folders``."""
    for folder in folders:
        for path in sorted((Path(root) / folder).rglob("*.py")):
            yield str(path.relative_to(root)), path.read_text(encoding="utf-8")
        for path in sorted((Path(root) / folder).rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            for number, cell in enumerate(notebook_cells(path)):
                yield f"{path.relative_to(root)} [code cell {number}]", cell
