"""What a month is built from: its input files by role, and their snapshot in ``inputs/``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fivecolor.params import Params
from fivecolor.site.outputs import atomic_write_text


def input_files(params: Params) -> dict[str, Path]:
    """Every file the month is built from, by role: the parameter chain and the data.

    A table read from a database is the Parquet copy of the rows this process pulled for the
    month (:class:`~fivecolor.data.database.PulledRows`: a path to hash and copy; as text, the URL
    without password and the query or table).
    """
    from fivecolor.params import SqlSource
    from fivecolor.data.database import last_pull

    files = {f"params/{i}": Path(p) for i, p in enumerate(params.sources)}
    for role in ("stations", "indicators", "boundaries", "projects"):
        path = getattr(params.data, role)
        if isinstance(path, SqlSource):
            files[role] = last_pull(path, role, params.period)
        elif path is not None:
            files[role] = Path(path)
    return files


def snapshot_inputs(files: dict[str, Path], hashes: dict[str, str], folder: Path) -> None:
    """Copy every input into ``inputs/`` with its hash, so the month can be rebuilt as it was."""
    from fivecolor.data.database import PulledRows

    folder.mkdir(parents=True, exist_ok=True)
    listing = {}
    for role, path in files.items():
        name = f"{role.replace('/', '-')}-{path.name}"
        shutil.copy2(path, folder / name)
        listing[role] = {"file": name, "source": str(path), "sha256": hashes[role]}
        if isinstance(path, PulledRows):  # rows from a database: say which, never with a password
            listing[role].update(path.listing())
    atomic_write_text(folder / "inputs.json", json.dumps(listing, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
