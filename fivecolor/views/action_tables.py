"""The action tables of the overview and station pages: the plan and the path to the next
colour, the pairs and the stations left unpaired, department help, improvement projects, the
stages toward all red and their forecast.

Each function takes a :class:`~fivecolor.scoring.pipeline.ScoreResult` and the frame the
:mod:`fivecolor.analysis.actions` function named in its docstring returned, and gives it
localised headers, grade names and station names; those with a ``station_id`` show that
station's rows only (for its page).
"""

from __future__ import annotations

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.common import (
    band_label_or_empty,
    indicator_labels,
    names_of,
    percent,
    station_position,
)
from fivecolor.views.table_html import mark_columns, table_html
from fivecolor.views.text import BANDS, text

__all__ = [
    "DEPARTMENT_LISTS_ID",
    "department_lists_html",
    "department_summary_table",
    "department_table",
    "forecast_sentence",
    "next_colour_table",
    "pairing_table",
    "plan_sentence",
    "plan_table",
    "plan_targets",
    "projects_table",
    "stage_table",
    "unpaired_table",
]


def _values_text(values, decimals: int = 2) -> np.ndarray:
    """Raw values rounded for reading: up to ``decimals`` places, trailing zeros dropped."""
    values = np.asarray(values, dtype=float)
    return np.array(
        ["" if np.isnan(v) else f"{round(v, decimals):g}" for v in values], dtype=object
    )


def _outward(values, better_sign, decimals: int = 2) -> np.ndarray:
    """Round required values toward the better side, so the shown value still reaches the colour."""
    scale = 10.0**decimals
    sign = np.asarray(better_sign, dtype=float)
    return np.ceil(np.round(np.asarray(values, dtype=float) * sign * scale, 6)) / scale * sign


def next_colour_table(
    result: ScoreResult, frame: pd.DataFrame, station_id: str | None = None
) -> pd.DataFrame:
    """Options to reach the next colour (from :func:`fivecolor.analysis.actions.next_colour`), easiest first.

    Columns: station (all stations only), option, indicator, unit, current value, value
    required (rounded toward the better side, so it still reaches the colour), change
    needed, grade reached, effort. With ``station_id``, that station's options only.
    """
    language = result.params.language
    if station_id is not None:
        station_position(result, station_id)
        frame = frame[frame["station_id"] == station_id]
    sign = frame["indicator"].map(
        {
            key: 1.0 if spec.direction == "higher" else -1.0
            for key, spec in result.params.indicators.items()
        }
    )
    required = _outward(frame["required"], sign)
    columns = {
        "table.station": names_of(result, frame["station_id"]),
        "action.option": frame["option"].to_numpy(),
        "table.indicator": indicator_labels(result).reindex(frame["indicator"]).to_numpy(),
        "table.unit": frame["unit"].to_numpy(dtype=object),
        "action.current": _values_text(frame["current"]),
        "action.required": _values_text(required),
        "action.change_needed": _values_text(required - frame["current"].to_numpy(dtype=float)),
        "action.reaches": band_label_or_empty(frame["band_to"], language),
        "action.effort": np.round(frame["effort"].to_numpy(dtype=float), 2),
    }
    table = pd.DataFrame({text(key, language): values for key, values in columns.items()})
    if station_id is not None:
        return table.drop(columns=text("table.station", language)).reset_index(drop=True)
    table = table.reset_index(drop=True)
    return mark_columns(table, links={text("table.station", language): frame["station_id"]})


def _targets_text(result: ScoreResult, targets) -> list[str]:
    labels = indicator_labels(result)
    sep = "、" if result.params.language == "zh" else "; "
    return [
        sep.join(labels.get(key, key) for key in str(value).split(";") if key)
        if isinstance(value, str)
        else ""
        for value in targets
    ]


def pairing_table(
    result: ScoreResult, frame: pd.DataFrame, station_id: str | None = None
) -> pd.DataFrame:
    """The pairs (from :func:`fivecolor.analysis.partners.pairing`): red with yellow, orange with green.

    Columns: pair type ("Red (excellent) helps Yellow (lagging)"), mentor, partner, distance
    (km, one decimal), complementarity (points, one decimal) and the indicators to work on.
    With ``station_id``, the pairs the station is in, with its role and the other station
    first.
    """
    language = result.params.language
    if station_id is not None:
        station_position(result, station_id)
        # the station's own pairs, before describing them: a month of thousands of stations
        # has thousands of pairs
        mine = (frame["mentor_id"] == station_id) | (frame["partner_id"] == station_id)
        frame = frame[mine.to_numpy()]
    mentor_label = band_label_or_empty(frame["mentor_band"], language)
    partner_label = band_label_or_empty(frame["partner_band"], language)
    pair_type = [
        text("action.pair_type_value", language, mentor=m, partner=p)
        for m, p in zip(mentor_label, partner_label, strict=True)
    ]
    mentor = names_of(result, frame["mentor_id"])
    partner = names_of(result, frame["partner_id"])
    details = {
        text("action.distance_km", language): np.round(
            frame["distance_km"].to_numpy(dtype=float), 1
        ),
        text("action.complementarity", language): np.round(
            frame["complementarity"].to_numpy(dtype=float), 1
        ),
        text("action.targets", language): _targets_text(result, frame["targets"]),
        text("action.pair_months", language): frame["months"].to_numpy(),
    }
    if station_id is None:
        table = pd.DataFrame(
            {
                text("action.pair_type", language): pair_type,
                text("action.mentor", language): mentor,
                text("action.partner", language): partner,
                **details,
            }
        )
        return mark_columns(
            table,
            links={
                text("action.mentor", language): frame["mentor_id"],
                text("action.partner", language): frame["partner_id"],
            },
        )
    is_mentor = (frame["mentor_id"] == station_id).to_numpy()
    roles = np.where(
        is_mentor, text("action.role_mentor", language), text("action.role_partner", language)
    )
    table = pd.DataFrame(
        {
            text("action.paired_with", language): np.where(is_mentor, partner, mentor),
            text("action.role", language): roles,
            text("action.pair_type", language): pair_type,
            **details,
        }
    )
    other = np.where(is_mentor, frame["partner_id"], frame["mentor_id"])
    return mark_columns(table, links={text("action.paired_with", language): other})


def unpaired_table(result: ScoreResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Stations left without a mentor (from :func:`fivecolor.analysis.partners.unpaired`): station, grade, reason."""
    language = result.params.language
    capacity = frame["status"].astype(str).str.endswith("capacity exhausted").to_numpy()
    mentor_band = band_label_or_empty(frame["mentor_band"], language)
    reason = [
        text("action.reason_capacity", language)
        if full
        else text("action.reason_no_mentor", language, band=band)
        for full, band in zip(capacity, mentor_band, strict=True)
    ]
    table = pd.DataFrame(
        {
            text("table.station", language): names_of(result, frame["partner_id"]),
            text("table.band", language): band_label_or_empty(frame["partner_band"], language),
            text("action.reason", language): reason,
        }
    )
    return mark_columns(
        table,
        links={text("table.station", language): frame["partner_id"]},
        chips={text("table.band", language): frame["partner_band"]},
    )


def _department_labels(result: ScoreResult, keys) -> np.ndarray:
    params = result.params
    return np.array(
        [params.label(params.departments[k]) if k in params.departments else str(k) for k in keys],
        dtype=object,
    )


def department_table(
    result: ScoreResult, frame: pd.DataFrame, station_id: str | None = None
) -> pd.DataFrame:
    """Department help (from :func:`fivecolor.analysis.actions.department_help`), grouped by department.

    Rows in the parameters' department order, then indicator order, the largest gap first.
    Columns: department, indicator, station (all stations only), grade, score, score to reach,
    gap (points), current value, target value, unit.
    """
    language = result.params.language
    if station_id is not None:
        station_position(result, station_id)
        frame = frame[frame["station_id"] == station_id]
    departments = [
        *result.params.departments,
        *sorted(set(frame["department"]) - set(result.params.departments)),
    ]
    order = frame.assign(
        _d=frame["department"].map({d: k for k, d in enumerate(departments)}),
        _i=frame["indicator"].map({k: n for n, k in enumerate(result.params.indicator_keys)}),
    ).sort_values(
        ["_d", "_i", "gap_points", "station_id"], ascending=[True, True, False, True], kind="stable"
    )
    columns = {
        "action.department": _department_labels(result, order["department"]),
        "table.indicator": indicator_labels(result).reindex(order["indicator"]).to_numpy(),
        "table.station": names_of(result, order["station_id"]),
        "table.band": band_label_or_empty(order["band"], language),
        "table.normalised": np.round(order["normalised"].to_numpy(dtype=float), 1),
        "action.level": np.round(order["level"].to_numpy(dtype=float), 1),
        "action.gap_points": np.round(order["gap_points"].to_numpy(dtype=float), 1),
        "action.current": _values_text(order["current"]),
        "action.target_value": _values_text(order["target"]),
        "table.unit": order["unit"].to_numpy(dtype=object),
    }
    table = pd.DataFrame({text(key, language): values for key, values in columns.items()})
    if station_id is not None:
        table = table.drop(columns=[text("table.station", language), text("table.band", language)])
        return table.reset_index(drop=True)
    return mark_columns(
        table.reset_index(drop=True),
        links={text("table.station", language): order["station_id"]},
        chips={text("table.band", language): order["band"]},
    )


#: The anchor of the full department lists on the action tables page (``actions/index.html``).
DEPARTMENT_LISTS_ID = "departments"

_DEPARTMENT_LISTS = jinja2.Environment(autoescape=True).from_string(
    "{% for heading, table in lists %}<h3>{{ heading }}</h3>\n{{ table }}\n{% endfor %}"
)


def department_lists_html(result: ScoreResult, frame: pd.DataFrame, pages: str) -> str:
    """Every row of department help (:func:`department_table`) as one table per department
    under its name, never folded; station names link to ``pages + id + ".html"``."""
    language = result.params.language
    tables = [department_table(result, rows) for _, rows in frame.groupby("department", sort=False)]
    lists = [
        (str(table.iloc[0, 0]), Markup(table_html(table.iloc[:, 1:], language, pages, fold=None)))
        for table in tables
    ]
    return _DEPARTMENT_LISTS.render(lists=lists)


def department_summary_table(result: ScoreResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Department help at a glance (from :func:`fivecolor.analysis.actions.department_help`): one
    row per department, in the parameters' order.

    Columns: department, stations helped, of them per colour (best first), targets (rows of
    the full table), and the largest gap (station, indicator and points).
    """
    language = result.params.language
    departments = [
        *(d for d in result.params.departments if d in set(frame["department"])),
        *sorted(set(frame["department"]) - set(result.params.departments)),
    ]
    stations = frame.drop_duplicates(["department", "station_id"])
    by_colour = pd.crosstab(stations["department"], stations["band"]).reindex(
        index=departments, columns=list(BANDS), fill_value=0
    )
    largest = frame.sort_values(
        ["gap_points", "station_id"], ascending=[False, True], kind="stable"
    )
    largest = largest.drop_duplicates("department").set_index("department").reindex(departments)
    gap = [
        f"{name} · {indicator} {points:.1f}"
        for name, indicator, points in zip(
            names_of(result, largest["station_id"]),
            indicator_labels(result).reindex(largest["indicator"]).to_numpy(),
            largest["gap_points"].to_numpy(dtype=float),
            strict=True,
        )
    ]
    table = pd.DataFrame(
        {
            text("action.department", language): _department_labels(result, departments),
            text("action.stations_helped", language): by_colour.sum(axis=1).to_numpy(),
            **{
                band_label_or_empty([band], language)[0]: by_colour[band].to_numpy()
                for band in BANDS
            },
            text("action.targets_count", language): frame.groupby("department")
            .size()
            .reindex(departments)
            .to_numpy(),
            text("action.largest_gap", language): gap,
        }
    )
    return mark_columns(
        table, links={text("action.largest_gap", language): largest["station_id"].to_numpy()}
    )


_STATUS_KEYS = {
    "met": "action.status_met",
    "not met": "action.status_not_met",
    "not started": "action.status_not_started",
    "no data": "action.status_no_data",
}


def projects_table(
    result: ScoreResult, progress: pd.DataFrame | None, station_id: str | None = None
) -> pd.DataFrame:
    """Improvement projects (from :func:`fivecolor.analysis.actions.project_progress`); empty for ``None``.

    Columns: station (all stations only), project, indicator, unit, start, target, before
    (3-month mean), this month, improved (yes/no), status (met, not met, not started, no data).
    """
    language = result.params.language
    if progress is None:
        progress = pd.DataFrame(
            columns=[
                "station_id",
                "indicator",
                "title",
                "unit",
                "start",
                "target",
                "before",
                "latest",
                "improved",
                "status",
            ]
        )
    if station_id is not None:
        station_position(result, station_id)
        progress = progress[progress["station_id"] == station_id]
    yes_no = {True: text("table.yes", language), False: text("table.no", language)}

    def status_text(status: str) -> str:
        """A status the catalogue names, in the report's language; any other as it is."""
        return text(_STATUS_KEYS[status], language) if status in _STATUS_KEYS else status

    columns = {
        "table.station": names_of(result, progress["station_id"]),
        "action.project": progress["title"].to_numpy(dtype=object),
        "table.indicator": indicator_labels(result).reindex(progress["indicator"]).to_numpy(),
        "table.unit": progress["unit"].to_numpy(dtype=object),
        "action.start": progress["start"].to_numpy(dtype=object),
        "action.target_value": _values_text(progress["target"]),
        "action.before": _values_text(progress["before"]),
        "action.latest": _values_text(progress["latest"]),
        "action.improved": progress["improved"]
        .astype(object)
        .map(yes_no)
        .fillna("")
        .to_numpy(dtype=object),
        "action.status": progress["status"].map(status_text).to_numpy(dtype=object),
    }
    table = pd.DataFrame({text(key, language): values for key, values in columns.items()})
    if station_id is not None:
        return table.drop(columns=text("table.station", language)).reset_index(drop=True)
    return mark_columns(
        table.reset_index(drop=True),
        links={text("table.station", language): progress["station_id"].to_numpy()},
    )


def stage_table(result: ScoreResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Stages toward all red (from :func:`fivecolor.analysis.actions.stage_progress`): stage, deadline,
    target share (%) and count, red stations and share (%) now, still to go, months left, met."""
    language = result.params.language
    yes_no = np.array([text("table.no", language), text("table.yes", language)], dtype=object)
    labels = [
        label or str(stage) for label, stage in zip(frame["label"], frame["stage"], strict=True)
    ]
    columns = {
        "table.stage": labels,
        "action.deadline": frame["period"].to_numpy(dtype=object),
        "action.target_share": percent(frame["target_share"], 0),
        "action.target_count": frame["target_count"].to_numpy(),
        "action.red_count": frame["red_count"].to_numpy(),
        "action.red_share_now": percent(frame["red_share"]),
        "action.stations_to_go": frame["stations_to_go"].to_numpy(),
        "action.months_left": frame["months_left"].to_numpy(),
        "action.met": yes_no[frame["met"].to_numpy(dtype=bool).astype(int)],
    }
    return pd.DataFrame({text(key, language): values for key, values in columns.items()})


_SOURCE_KEYS = {
    "plan": "plan.source_plan",
    "department": "plan.source_department",
    "project": "plan.source_project",
}


def plan_table(result: ScoreResult, frame: pd.DataFrame, station_id: str) -> pd.DataFrame:
    """A station's plan (the ``plan`` table of :func:`fivecolor.analysis.action_files.action_tables`):
    one target per indicator.

    Columns: indicator, unit, current value, target (rounded toward the better side), change,
    the source that set the target, the other sources' targets where they differ, and whether
    the target is at the realistic limit.
    """
    language = result.params.language
    station_position(result, station_id)
    frame = frame[(frame["station_id"] == station_id) & frame["indicator"].notna()]
    sign = frame["indicator"].map(
        {k: 1.0 if s.direction == "higher" else -1.0 for k, s in result.params.indicators.items()}
    )
    target = _outward(frame["target"], sign)
    sources = ("plan", "project", "department")
    targets = frame[[f"{name}_target" for name in sources]].to_numpy(dtype=float)
    chosen = frame["target"].to_numpy(dtype=float)
    differ = (
        ~np.isnan(targets)
        & (np.round(targets, 2) != np.round(chosen, 2)[:, None])
        & (frame["source"].to_numpy(dtype=object)[:, None] != np.array(sources, dtype=object))
    )
    labels = [text(_SOURCE_KEYS[name], language) for name in sources]
    sep = "；" if language == "zh" else "; "
    others = [
        sep.join(
            f"{label} {value:g}" for label, value, d in zip(labels, row, mask, strict=True) if d
        )
        for row, mask in zip(np.round(targets, 2), differ, strict=True)
    ]
    yes = text("table.yes", language)
    columns = {
        "table.indicator": indicator_labels(result).reindex(frame["indicator"]).to_numpy(),
        "table.unit": frame["unit"].to_numpy(dtype=object),
        "action.current": _values_text(frame["current"]),
        "action.target_value": _values_text(target),
        "action.change_needed": _values_text(target - frame["current"].to_numpy(dtype=float)),
        "plan.source": [text(_SOURCE_KEYS[s], language) for s in frame["source"]],
        "plan.other_targets": others,
        "plan.at_bound": np.where(frame["at_bound"].fillna(False).to_numpy(dtype=bool), yes, ""),
    }
    return pd.DataFrame(
        {text(key, language): values for key, values in columns.items()}
    ).reset_index(drop=True)


def plan_targets(result: ScoreResult, frame: pd.DataFrame, station_id: str) -> list[str]:
    """A station's plan in short, one line per indicator: ``安全生产指数 89.7 → 95 分（晋级计划）``
    (the target rounded toward the better side, and the source that set it)."""
    table = plan_table(result, frame, station_id)
    language = result.params.language
    bracket = "（{}）" if language == "zh" else " ({})"
    return [
        f"{label} {now} → {goal} {unit}".rstrip() + bracket.format(origin)
        for label, unit, now, goal, origin in zip(
            table[text("table.indicator", language)],
            table[text("table.unit", language)],
            table[text("action.current", language)],
            table[text("action.target_value", language)],
            table[text("plan.source", language)],
            strict=True,
        )
    ]


def plan_sentence(result: ScoreResult, frame: pd.DataFrame, station_id: str) -> str:
    """One sentence on a station's plan: the colours, the points needed, the effort; or, when no
    plan exists within the bounds, which bound binds and how many points are still missing.
    Empty for a station without a plan (red, or unscored)."""
    language = result.params.language
    station_position(result, station_id)
    mine = frame[frame["station_id"] == station_id]
    if mine.empty:
        return ""
    row = mine.iloc[0]
    if row["status"] == "short":
        settings = result.params.actions.plan
        bound = {
            "percentile": text("plan.bound_percentile", language, q=f"{settings.percentile:g}"),
            "best": text("plan.bound_best", language),
            "goalpost": text("plan.bound_goalpost", language),
        }[row["binding"]]
        return text("plan.short", language, bound=bound, shortfall=f"{row['shortfall']:.2f}")
    return text(
        "plan.reach",
        language,
        band_from=band_label_or_empty([row["band_from"]], language)[0],
        band_to=band_label_or_empty([row["band_to"]], language)[0],
        score=f"{row['score']:.2f}",
        target=f"{row['target_score']:.2f}",
        count=int(mine["plan_target"].notna().sum()),
        effort=f"{row['plan_effort']:.2f}",
    )


_VERDICT_KEYS = {
    "met": "forecast.met",
    "on track": "forecast.on_track",
    "off track": "forecast.off_track",
}


def forecast_sentence(result: ScoreResult, frame: pd.DataFrame) -> str:
    """The stage forecast (:func:`fivecolor.analysis.forecast.stage_forecast`) in one sentence:
    the first stage not yet met, its verdict and what department help alone would do."""
    language = result.params.language
    if frame.empty:
        return ""
    open_stages = frame[frame["verdict"] != "met"]
    if open_stages.empty:
        return text("forecast.all_met", language)
    row = open_stages.iloc[0]
    return text(
        "forecast.sentence",
        language,
        stage=row["label"] or str(row["stage"]),
        period=row["period"],
        need=int(row["target_count"]),
        now=int(row["red_now"]),
        months=int(row["trend_months"]),
        forecast=int(row["forecast_red"]),
        low=int(row["forecast_red_low"]),
        high=int(row["forecast_red_high"]),
        verdict=text(_VERDICT_KEYS[row["verdict"]], language),
        helped=int(row["red_with_department_help"]),
        help=text(
            "forecast.help_reaches" if row["department_help_reaches"] else "forecast.help_short",
            language,
        ),
    )
