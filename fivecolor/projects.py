"""Improvement projects (书记项目): the optional ``data.projects`` table and each project's progress.

The table has one row per project: ``station_id, indicator, start, target, title``. ``start`` is
the month the project began (``YYYY-MM``); ``target`` is the value aimed at, in the indicator's
units. It is validated like the other inputs: every problem names the file, the row and the
column, and the first one raises :class:`~fivecolor.errors.InputError`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fivecolor.errors import InputError
from fivecolor.io import read_table
from fivecolor.params import PERIOD_PATTERN, Params
from fivecolor.scoring import ScoreResult
from fivecolor.validate import Findings, first_error, to_numbers

PROJECT_COLUMNS = ("station_id", "indicator", "start", "target", "title")
#: Months before a project's start averaged for its "before" value.
BEFORE_MONTHS = 3
PROGRESS_COLUMNS = ("station_id", "name", "indicator", "indicator_label", "unit", "title", "start", "target",
                    "before", "latest", "latest_period", "change", "improved", "met", "status")


def check_projects(frame: pd.DataFrame, path: Path, params: Params, station_ids: pd.Index,
                   findings: Findings) -> pd.DataFrame:
    """Validate the projects table; return it with ``target`` as floats (rows in file order)."""
    out = frame.copy()
    for column in ("station_id", "indicator", "start", "title"):
        out[column] = out[column].astype("string").fillna("").str.strip()
    unknown_station = ~out["station_id"].isin(station_ids).to_numpy(dtype=bool)
    findings.add_rows("error", path, out, unknown_station, "station_id",
                      lambda r: f"station {r['station_id']!r} is not in the stations table")
    unknown_indicator = ~out["indicator"].isin(list(params.indicators)).to_numpy(dtype=bool)
    findings.add_rows("error", path, out, unknown_indicator, "indicator",
                      lambda r: f"indicator {r['indicator']!r} has no entry under `indicators` "
                                "in the parameters")
    bad_start = ~out["start"].str.fullmatch(PERIOD_PATTERN, na=False).to_numpy(dtype=bool)
    findings.add_rows("error", path, out, bad_start, "start",
                      lambda r: f"start {r['start']!r} is not a month written YYYY-MM, e.g. 2020-01")
    target, unreadable = to_numbers(frame["target"])
    findings.add_rows("error", path, out, unreadable, "target",
                      lambda r: f"{str(r['target'])!r} is not a number "
                                "(the target is in the indicator's units)")
    empty = np.isnan(target) & ~unreadable
    findings.add_rows("error", path, out, empty, "target", lambda r: "the target is empty")
    findings.add_rows("error", path, out, np.isinf(target), "target", lambda r: "the target is not finite")
    valid = out["indicator"].map({k: s.valid for k, s in params.indicators.items()})
    low = valid.map(lambda v: v[0], na_action="ignore").to_numpy(dtype=float, na_value=np.nan)
    high = valid.map(lambda v: v[1], na_action="ignore").to_numpy(dtype=float, na_value=np.nan)
    outside = np.isfinite(target) & ((target < low) | (target > high))
    findings.add_rows("error", path, out, outside, "target",
                      lambda r: f"target {float(r['target']):g} is outside the valid range "
                                f"{list(params.indicators[r['indicator']].valid)} of {r['indicator']}")
    findings.add_rows("error", path, out, (out["title"] == "").to_numpy(dtype=bool), "title",
                      lambda r: "the project has no title")
    out["target"] = target
    return out


def load_projects(params: Params, result: ScoreResult) -> pd.DataFrame | None:
    """Read and validate ``data.projects``; ``None`` when the parameters name no projects file.

    Raises
    ------
    InputError
        The first problem, naming the file, row and column (and how many more there are).
    """
    if params.data.projects is None:
        return None
    path = Path(params.data.projects)
    frame = read_table(path, PROJECT_COLUMNS, text_columns=("station_id", "indicator", "start", "title"))
    findings = Findings()
    checked = check_projects(frame, path, params, result.data.station_ids, findings)
    error = first_error(findings.frame())
    if error is not None:
        raise InputError(*error)
    return checked[list(PROJECT_COLUMNS)].reset_index(drop=True)


def project_progress(result: ScoreResult, projects: pd.DataFrame) -> pd.DataFrame:
    """Each project's indicator before its start and now, and whether its target is met.

    ``before`` is the mean of the raw values in the :data:`BEFORE_MONTHS` months before ``start``
    (those with data); ``latest`` the raw value in the reported month. ``improved`` and ``met``
    respect the indicator's direction (lower is better for line loss). ``status`` is ``met``,
    ``not met``, ``not started`` (start after the reported month) or ``no data``.
    """
    params = result.params
    t = result.period_index
    s = result.data.station_ids.get_indexer(projects["station_id"])
    i = pd.Index(result.data.indicators).get_indexer(projects["indicator"])
    if (s < 0).any() or (i < 0).any():
        raise ValueError("projects name stations or indicators the result does not have; use load_projects")
    start = pd.PeriodIndex(projects["start"], freq="M")
    lags = np.arange(1, BEFORE_MONTHS + 1)
    before_periods = [(start - int(k)).strftime("%Y-%m") for k in lags]  # BEFORE_MONTHS × projects
    p = np.stack([pd.Index(result.periods).get_indexer(b) for b in before_periods])  # (k, n)
    raw = result.data.values
    window = np.where(p >= 0, raw[np.maximum(p, 0), s[None, :], i[None, :]], np.nan)
    counted = np.sum(~np.isnan(window), axis=0)
    before = np.divide(np.nansum(window, axis=0), counted, out=np.full(len(s), np.nan), where=counted > 0)
    latest = raw[t, s, i]
    sign = np.array([1.0 if spec.direction == "higher" else -1.0 for spec in params.indicators.values()])[i]
    target = projects["target"].to_numpy(dtype=float)
    started = (start <= pd.Period(params.period, freq="M"))
    met = (latest - target) * sign >= 0
    status = np.select([~started, np.isnan(latest), met], ["not started", "no data", "met"], "not met")
    labels = np.array([params.label(spec.label) for spec in params.indicators.values()], dtype=object)
    units = np.array([spec.unit_in(params.language) for spec in params.indicators.values()], dtype=object)
    known = started & ~np.isnan(latest)
    change = latest - before
    return pd.DataFrame({
        "station_id": projects["station_id"].to_numpy(dtype=object),
        "name": result.data.stations["name"].to_numpy(dtype=object)[s],
        "indicator": projects["indicator"].to_numpy(dtype=object),
        "indicator_label": labels[i],
        "unit": units[i],
        "title": projects["title"].to_numpy(dtype=object),
        "start": projects["start"].to_numpy(dtype=object),
        "target": target,
        "before": before,
        "latest": latest,
        "latest_period": params.period,
        "change": change,
        "improved": pd.array(np.where(known & ~np.isnan(before), change * sign > 0, pd.NA), dtype="boolean"),
        "met": pd.array(np.where(known, met, pd.NA), dtype="boolean"),
        "status": status,
    }, columns=list(PROGRESS_COLUMNS))
