"""Improvement projects (书记项目): the optional ``data.projects`` table, read and validated.

The table has one row per project: ``station_id, indicator, start, target, title``. ``start`` is
the month the project began (``YYYY-MM``); ``target`` is the value aimed at, in the indicator's
units. It is validated like the other inputs: every problem names the file, the row and the
column, and the first one raises :class:`~fivecolor.errors.InputError`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fivecolor.data.files import read_table
from fivecolor.data.validate import Findings, clean_text, first_error, to_numbers
from fivecolor.errors import InputError
from fivecolor.params import PERIOD_PATTERN, Params

PROJECT_COLUMNS = ("station_id", "indicator", "start", "target", "title")


def check_projects(
    frame: pd.DataFrame, path: Path, params: Params, station_ids: pd.Index, findings: Findings
) -> pd.DataFrame:
    """Validate the projects table; return it with ``target`` as floats (rows in file order)."""
    out = frame.copy()
    for column in ("station_id", "indicator", "start", "title"):
        out[column] = clean_text(out[column])
    unknown_station = ~out["station_id"].isin(station_ids).to_numpy(dtype=bool)
    findings.add_rows(
        "error",
        path,
        out,
        unknown_station,
        "station_id",
        lambda r: f"station {r['station_id']!r} is not in the stations table",
    )
    unknown_indicator = ~out["indicator"].isin(list(params.indicators)).to_numpy(dtype=bool)
    findings.add_rows(
        "error",
        path,
        out,
        unknown_indicator,
        "indicator",
        lambda r: f"indicator {r['indicator']!r} has no entry under `indicators` in the parameters",
    )
    bad_start = ~out["start"].str.fullmatch(PERIOD_PATTERN, na=False).to_numpy(dtype=bool)
    findings.add_rows(
        "error",
        path,
        out,
        bad_start,
        "start",
        lambda r: f"start {r['start']!r} is not a month written YYYY-MM, e.g. 2020-01",
    )
    target, unreadable = to_numbers(frame["target"])
    findings.add_rows(
        "error",
        path,
        out,
        unreadable,
        "target",
        lambda r: f"{str(r['target'])!r} is not a number (the target is in the indicator's units)",
    )
    empty = np.isnan(target) & ~unreadable
    findings.add_rows("error", path, out, empty, "target", lambda r: "the target is empty")
    findings.add_rows(
        "error", path, out, np.isinf(target), "target", lambda r: "the target is not finite"
    )
    valid = out["indicator"].map({k: s.valid for k, s in params.indicators.items()})
    low = valid.map(lambda v: v[0], na_action="ignore").to_numpy(dtype=float, na_value=np.nan)
    high = valid.map(lambda v: v[1], na_action="ignore").to_numpy(dtype=float, na_value=np.nan)
    outside = np.isfinite(target) & ((target < low) | (target > high))
    findings.add_rows(
        "error",
        path,
        out,
        outside,
        "target",
        lambda r: (
            f"target {float(r['target']):g} is outside the valid range "
            f"{list(params.indicators[r['indicator']].valid)} of {r['indicator']}"
        ),
    )
    findings.add_rows(
        "error",
        path,
        out,
        (out["title"] == "").to_numpy(dtype=bool),
        "title",
        lambda r: "the project has no title",
    )
    out["target"] = target
    return out


def load_projects(params: Params, station_ids: pd.Index) -> pd.DataFrame | None:
    """Read and validate ``data.projects``; ``None`` when the parameters name no projects file.

    Raises
    ------
    InputError
        The first problem, naming the file, row and column (and how many more there are).
    """
    if params.data.projects is None:
        return None
    path = Path(params.data.projects)
    frame = read_table(
        path, PROJECT_COLUMNS, text_columns=("station_id", "indicator", "start", "title")
    )
    findings = Findings()
    checked = check_projects(frame, path, params, station_ids, findings)
    error = first_error(findings.frame())
    if error is not None:
        raise InputError(*error)
    return checked[list(PROJECT_COLUMNS)].reset_index(drop=True)
