"""The month's action tables as published in ``actions/`` (one CSV file each).

The plan (:mod:`fivecolor.analysis.plan`), the single-indicator paths, department help and the
stages (:mod:`fivecolor.analysis.actions`), the pairs (:mod:`fivecolor.analysis.partners`), the
stage forecast (:mod:`fivecolor.analysis.forecast`) and the improvement projects' progress
(:mod:`fivecolor.analysis.projects`), rounded for the files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor.analysis.actions import (
    CSV_DECIMALS,
    department_help,
    next_colour,
    stage_progress,
)
from fivecolor.analysis.forecast import stage_forecast
from fivecolor.analysis.partners import all_pairs
from fivecolor.analysis.plan import plans, reconcile_targets
from fivecolor.analysis.projects import project_progress
from fivecolor.scoring.pipeline import ScoreResult

__all__ = ["action_tables"]


def action_tables(
    result: ScoreResult,
    projects: pd.DataFrame | None = None,
    found_pairs: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """The month's action tables by file name, as published in ``actions/``.

    ``next_colour`` (required values rounded to 4 decimals toward the better side, so they still
    reach the colour), ``plan`` (:mod:`fivecolor.analysis.plan`, one target per indicator, rounded
    the same way), ``pairing`` (pairs, then unpaired stations), ``departments``, ``stages``,
    ``forecast`` (:mod:`fivecolor.analysis.forecast`) and, when ``projects`` (see
    :func:`fivecolor.data.projects.load_projects`) is given, ``projects``. Floats are rounded
    to :data:`CSV_DECIMALS` places. ``found_pairs`` is :func:`~fivecolor.analysis.partners.all_pairs`
    of ``result`` when the caller has it already (at thousands of stations it costs seconds).
    """
    options = next_colour(result)
    sign = (
        options["indicator"]
        .map(
            {
                k: 1.0 if s.direction == "higher" else -1.0
                for k, s in result.params.indicators.items()
            }
        )
        .astype(float)  # an empty table maps to text: no station has a one-indicator path
    )
    options["required"] = np.ceil(options["required"] * sign * 1e4) / 1e4 * sign  # outward
    pairs, alone = all_pairs(result) if found_pairs is None else found_pairs
    departments = department_help(result)
    progress = project_progress(result, projects) if projects is not None else None
    stations, rows = plans(result)
    plan = reconcile_targets(result, stations, rows, departments, progress)
    sign = plan["indicator"].map(_signs(result)).astype(float)
    plan["target"] = np.ceil(np.round(plan["target"] * sign * 1e4, 6)) / 1e4 * sign  # outward
    tables = {
        "next_colour": options,
        "plan": plan,
        "pairing": pd.concat([pairs, alone], ignore_index=True) if len(alone) else pairs,
        "departments": departments,
        "stages": stage_progress(result),
        "forecast": stage_forecast(result, departments),
    }
    if progress is not None:
        tables["projects"] = progress
    return {name: _tidy(frame) for name, frame in tables.items()}


def _signs(result: ScoreResult) -> dict[str, float]:
    """+1 where higher is better, -1 where lower is, by indicator key."""
    return {
        k: 1.0 if s.direction == "higher" else -1.0 for k, s in result.params.indicators.items()
    }


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns rounded to :data:`CSV_DECIMALS` places: no binary noise (5.4000000000006) in files."""
    floats = frame.select_dtypes(include="float").columns
    return frame.assign(**{c: frame[c].round(CSV_DECIMALS) for c in floats})
