"""Improvement projects (书记项目): each project's indicator before its start and now.

The projects table itself is read and validated by :func:`fivecolor.data.projects.load_projects`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor.scoring.pipeline import ScoreResult

#: Months before a project's start averaged for its "before" value.
BEFORE_MONTHS = 3
PROGRESS_COLUMNS = (
    "station_id",
    "name",
    "indicator",
    "indicator_label",
    "unit",
    "title",
    "start",
    "target",
    "before",
    "latest",
    "latest_period",
    "change",
    "improved",
    "met",
    "status",
)


def project_progress(result: ScoreResult, projects: pd.DataFrame) -> pd.DataFrame:
    """Each project's indicator before its start and now, and whether its target is met.

    ``before`` is the mean of the raw values in the :data:`BEFORE_MONTHS` months before ``start``
    (those with data); ``latest`` the raw value in the reported month. ``improved`` and ``met``
    respect the indicator's direction (lower is better for line loss). ``status`` is ``met``,
    ``not met``, ``not started`` (start after the reported month) or ``no data``.
    """
    params = result.params
    t = result.period_index
    s = result.data.station_ids.get_indexer(pd.Index(projects["station_id"]))
    i = pd.Index(result.data.indicators).get_indexer(pd.Index(projects["indicator"]))
    if (s < 0).any() or (i < 0).any():
        raise ValueError(
            "projects name stations or indicators the result does not have; use load_projects"
        )
    start = pd.PeriodIndex(projects["start"], freq="M")
    lags = np.arange(1, BEFORE_MONTHS + 1)
    before_periods = [(start - int(k)).strftime("%Y-%m") for k in lags]  # BEFORE_MONTHS × projects
    p = np.stack([pd.Index(result.periods).get_indexer(b) for b in before_periods])  # (k, n)
    raw = result.data.values
    window = np.where(p >= 0, raw[np.maximum(p, 0), s[None, :], i[None, :]], np.nan)
    counted = np.sum(~np.isnan(window), axis=0)
    before = np.divide(
        np.nansum(window, axis=0), counted, out=np.full(len(s), np.nan), where=counted > 0
    )
    latest = raw[t, s, i]
    sign = np.array(
        [1.0 if spec.direction == "higher" else -1.0 for spec in params.indicators.values()]
    )[i]
    target = projects["target"].to_numpy(dtype=float)
    started = start <= pd.Period(params.period, freq="M")
    met = (latest - target) * sign >= 0
    status = np.select(
        [~started, np.isnan(latest), met], ["not started", "no data", "met"], "not met"
    )
    labels = np.array(
        [params.label(spec.label) for spec in params.indicators.values()], dtype=object
    )
    units = np.array(
        [spec.unit_in(params.language) for spec in params.indicators.values()], dtype=object
    )
    known = started & ~np.isnan(latest)
    change = latest - before
    return pd.DataFrame(
        {
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
            "improved": pd.arrays.BooleanArray(
                change * sign > 0, mask=~(known & ~np.isnan(before))
            ),
            "met": pd.arrays.BooleanArray(met, mask=~known),
            "status": status,
        },
        columns=list(PROGRESS_COLUMNS),
    )
