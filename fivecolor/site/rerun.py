"""Rebuilding a published month from its own input snapshot, and checking the scores agree.

A published month keeps, in ``reports/<period>/inputs/``, a copy of every file it was built
from (the parameter files of its ``extends`` chain and the data) with their SHA-256 in
``inputs/inputs.json`` (:mod:`fivecolor.site.inputs`). :func:`rerun_month` merges that
parameter chain into one self-contained file whose data paths point at the snapshot copies,
rebuilds the month from it into another folder, and compares the rebuilt ``scores.csv`` with
the published one byte for byte. Later edits to the source files therefore cannot change what
an old report says, and anyone can check that it still follows from its inputs::

    fivecolor rerun reports/2020-05              # exit 0: identical, 1: differ, 2: not a month
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fivecolor.errors import InputError
from fivecolor.site.inputs import SNAPSHOT_DIR, params_from_snapshot, read_listing

__all__ = ["RerunResult", "first_difference", "rerun_month", "snapshot_params"]


@dataclass(frozen=True)
class RerunResult:
    """The outcome of a rebuild.

    Attributes
    ----------
    published
        The published month folder.
    rebuilt
        The rebuilt month folder (``<out>/<period>``).
    identical
        Whether the rebuilt ``scores.csv`` equals the published one byte for byte.
    difference
        ``None`` when identical, else one line naming the first differing row.
    """

    published: Path
    rebuilt: Path
    identical: bool
    difference: str | None


def _published_month(month_dir: Path) -> tuple[dict, dict]:
    """The manifest and snapshot listing of a published month; :class:`InputError` if it is not one."""
    from fivecolor.site.publish import PERIOD_PATTERN

    hint = "give a published month folder such as reports/2020-05"
    if not month_dir.is_dir():
        raise InputError(month_dir, "", f"no such folder; {hint}")
    if not PERIOD_PATTERN.match(month_dir.name):
        raise InputError(month_dir, "", f"the folder is not named after a month YYYY-MM; {hint}")
    try:
        manifest = json.loads((month_dir / "manifest.json").read_text(encoding="utf-8"))
        listing = read_listing(month_dir / SNAPSHOT_DIR)
    except FileNotFoundError as exc:
        raise InputError(
            month_dir, Path(exc.filename).name, f"missing, so this is not a published month; {hint}"
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(
            month_dir, "", f"unreadable manifest or snapshot listing ({exc}); {hint}"
        ) from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("status") != "ok"
        or manifest.get("period") != month_dir.name
    ):
        raise InputError(
            month_dir / "manifest.json",
            "status",
            f"not a successfully published month {month_dir.name}; {hint}",
        )
    if not (month_dir / "scores.csv").is_file():
        raise InputError(
            month_dir, "scores.csv", f"missing, so there is nothing to compare with; {hint}"
        )
    return manifest, listing


def snapshot_params(month_dir: Path, folder: Path) -> Path:
    """Write the month's parameters as one self-contained file reading the snapshot's data.

    The snapshot's parameter chain is merged (:func:`fivecolor.site.inputs.params_from_snapshot`),
    ``data`` pointed at the snapshot copies and ``period`` set to the published month.

    Parameters
    ----------
    month_dir
        A published month, ``reports/<period>``.
    folder
        Where to write ``params.yaml``.

    Returns
    -------
    Path
        The parameter file.

    Raises
    ------
    InputError
        The folder is not a published month, or its snapshot is missing or was edited.
    """
    month_dir = Path(month_dir)
    manifest, listing = _published_month(month_dir)
    params = params_from_snapshot(month_dir / SNAPSHOT_DIR, listing, manifest["period"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "params.yaml"
    path.write_text(params.to_yaml(), encoding="utf-8")
    return path


def first_difference(published: bytes, rebuilt: bytes) -> str | None:
    """``None`` when the two tables are identical, else one line on the first differing row."""
    if published == rebuilt:
        return None
    old, new = published.decode("utf-8-sig").splitlines(), rebuilt.decode("utf-8-sig").splitlines()
    # strict=False: the tables may differ in length; past the shorter one the default row applies
    row = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    shown = [old[row] if row < len(old) else "(no row)", new[row] if row < len(new) else "(no row)"]
    if row == min(len(old), len(new)) and len(old) == len(new):
        return "the files differ only in their bytes (line ends or encoding)"
    return f"line {row + 1} differs: published {shown[0]!r}, rebuilt {shown[1]!r}"


def rerun_month(
    month_dir: Path,
    out: Path | None = None,
    workers: int | None = None,
    notebooks_dir: Path | None = None,
    scores_only: bool = False,
    progress: bool = False,
) -> RerunResult:
    """Rebuild a published month from its snapshot and compare the scores.

    Parameters
    ----------
    month_dir
        The published month, ``reports/<period>``.
    out
        The reports folder to rebuild into (default: a new temporary folder, kept for inspection).
    workers
        Notebook workers for the rebuild.
    notebooks_dir
        The report notebooks (default: the project's).
    scores_only
        Only re-score (no notebooks): ``<out>/<period>/scores.csv``.
    progress
        Show the notebooks' progress bar.

    Returns
    -------
    RerunResult
    """
    from fivecolor.site.build import build_month
    from fivecolor.site.outputs import write_csv
    from fivecolor.site.publish import check_site_folder

    month_dir = Path(month_dir)
    if out is not None and Path(out).resolve() == month_dir.parent.resolve():
        raise InputError("usage", "--out", "rebuild into another folder than the published site")
    if out is not None:
        check_site_folder(Path(out))  # not the month itself, nor any other month's folder
    with tempfile.TemporaryDirectory(prefix="fivecolor-rerun-params-") as tmp:
        # checks the month before anything is made
        params_file = snapshot_params(month_dir, Path(tmp))
        out = (
            Path(out)
            if out is not None
            else Path(tempfile.mkdtemp(prefix=f"fivecolor-rerun-{month_dir.name}-"))
        )
        if scores_only:
            from fivecolor.data.dataset import load_data
            from fivecolor.params import load_params
            from fivecolor.scoring.pipeline import score
            from fivecolor.views.scores_file import scores_file

            params = load_params(params_file)
            rebuilt = out / params.period
            write_csv(scores_file(score(load_data(params), params)), rebuilt / "scores.csv")
        else:
            rebuilt = build_month(
                params_file,
                reports_dir=out,
                workers=workers,
                force=True,
                progress=progress,
                notebooks_dir=notebooks_dir,
            )
    difference = first_difference(
        (month_dir / "scores.csv").read_bytes(), (rebuilt / "scores.csv").read_bytes()
    )
    return RerunResult(
        published=month_dir, rebuilt=rebuilt, identical=difference is None, difference=difference
    )
