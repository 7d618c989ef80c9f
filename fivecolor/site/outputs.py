"""Writing output files whole or not at all: write beside the target, then rename over it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tables' writers only: a page or a manifest is written without pandas
    import pandas as pd


def _temporary_beside(path: Path, suffix: str) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder; a folder that refuses it is reported under
    the name the user gave (``path``), not the temporary name."""
    try:
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def atomic_write_bytes(path: Path, payload: bytes) -> Path:
    """Write ``payload`` to ``path`` so that readers see the old file or the new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary_beside(path, ".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a report is meant to be read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def os_error_text(exc: OSError) -> str:
    """A write error in a few words, with the file it concerns."""
    return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as UTF-8 with a BOM, so Excel opens the Chinese names correctly; ``\\n`` line ends.
    Text that would start a formula gets a leading ``'`` (:mod:`fivecolor.data.formulas`)."""
    from fivecolor.data.formulas import neutralise_formulas

    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return atomic_write_bytes(path, csv_bytes(frame))


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str = "scores") -> Path:
    """An Excel copy of a table (written to a temporary file first, like every output); text
    that would start a formula gets a leading ``'``, as in the CSV files."""
    from fivecolor.data.formulas import neutralise_formulas

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary_beside(path, ".xlsx")
    os.close(fd)
    try:
        neutralise_formulas(frame).to_excel(tmp, index=False, sheet_name=sheet, engine="openpyxl")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_actions(result, out_dir: str | Path) -> dict[str, Path]:
    """Write the month's action tables (:func:`fivecolor.analysis.action_files.action_tables`) into
    ``out_dir`` as CSV; returns their paths by name.

    Every table is computed (and the projects file validated) before anything is written, so bad
    input leaves the folder as it was; each file is written atomically.
    """
    from fivecolor.analysis.action_files import action_tables
    from fivecolor.data.projects import load_projects

    projects = load_projects(result.params, result.data.station_ids)
    tables = action_tables(result, projects)
    return {name: write_csv(frame, Path(out_dir) / f"{name}.csv") for name, frame in tables.items()}
