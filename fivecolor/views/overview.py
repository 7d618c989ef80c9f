"""The overview page: the month's colours, movers, league, heat maps, weak indicators, colour
history and data findings, as charts and tables.

The page's map is in :mod:`fivecolor.views.maps`, its action tables in
:mod:`fivecolor.views.action_tables`. Every function takes a
:class:`~fivecolor.scoring.pipeline.ScoreResult`; charts are Altair specs with their data inline
and rounded, tables are :class:`pandas.DataFrame` with headers in the report's language.

Examples
--------
>>> from fivecolor import load_params, load_data, score  # doctest: +SKIP
>>> params = load_params("params/2020-05.yaml")  # doctest: +SKIP
>>> league_table(score(load_data(params), params)).head()  # doctest: +SKIP
"""

from __future__ import annotations

import json
from typing import cast

import altair as alt
import numpy as np
import pandas as pd

from fivecolor.analysis import month as analysis
from fivecolor.analysis.sensitivity.cutoffs import cutoff_distances
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.common import (
    band_labels,
    change_labels,
    county_bands,
    county_names,
    headers,
    month_frame,
    raw_text,
    station_names,
)
from fivecolor.views.large_month import is_large
from fivecolor.views.table_html import mark_columns
from fivecolor.views.text import BAND_LABELS, BANDS, SEVERITY_LABELS, Language, text
from fivecolor.views.theme import BAND_COLOURS, PERIOD_UNIT, band_color, month_date

__all__ = [
    "colour_history",
    "county_heatmap",
    "county_summary_table",
    "findings_table",
    "indicator_heatmap",
    "league_table",
    "movers_table",
    "overview_heatmap",
    "weak_indicator_chart",
]

REASON_COLOURS = ("#7f3b08", "#b2abd2")


# --------------------------------------------------------------------------- movers and league
def movers_table(result: ScoreResult) -> pd.DataFrame:
    """Stations whose grade changed since last month, biggest moves up first, then the falls.

    Columns: change (up/down), name, county, from grade, to grade, score, and the points the
    score lies past the cut-off it crossed, marked borderline within ``bands.borderline``.
    """
    language = result.params.language
    moved = analysis.movers(result)
    distances = cutoff_distances(result).set_index("station_id").loc[moved["station_id"]]
    # up: the score's lead over its new colour's boundary; down: its gap below the old one
    past = np.where(
        (moved["change"] == "up").to_numpy(), distances["distance_down"], distances["distance_up"]
    ).astype(float)
    borderline = text("table.borderline_mark", language)
    frame = pd.DataFrame(
        {
            "change": change_labels(moved["change"], language),
            "station": station_names(result).loc[moved["station_id"]].to_numpy(),
            "county": county_names(result).loc[moved["station_id"]].to_numpy(),
            "from_band": band_labels(moved["prev_band"], language),
            "to_band": band_labels(moved["band"], language),
            "score": np.round(moved["score"].to_numpy(dtype=float), 1),
            "past_cutoff": [
                f"{p:.2f}{borderline if p <= result.params.bands.borderline else ''}" for p in past
            ],
        }
    )
    table = frame.rename(
        columns=headers(
            language,
            change="table.change",
            station="table.station",
            county="table.county",
            from_band="table.from_band",
            to_band="table.to_band",
            score="table.score",
            past_cutoff="table.past_cutoff",
        )
    )
    return mark_columns(
        table,
        links={text("table.station", language): moved["station_id"].to_numpy()},
        chips={
            text("table.from_band", language): moved["prev_band"].to_numpy(),
            text("table.to_band", language): moved["band"].to_numpy(),
        },
    )


def league_table(result: ScoreResult) -> pd.DataFrame:
    """All stations by rank: rank, name, county, score, grade, change, last month's grade."""
    language = result.params.language
    frame = month_frame(result)
    columns = headers(
        language,
        rank="table.rank",
        station="table.station",
        county="table.county",
        score="table.score",
        band_label="table.band",
        change_label="table.change",
        prev_band_label="table.previous_band",
    )
    arrows = frame["change"].map({"up": "▲ ", "down": "▼ "}).fillna("")
    frame = frame.assign(change_label=arrows + frame["change_label"])
    table = frame[list(columns)].rename(columns=columns).reset_index(drop=True)
    return mark_columns(
        table,
        links={columns["station"]: frame["station_id"].to_numpy()},
        chips={columns["band_label"]: frame["band"].to_numpy()},
    )


def _median_of(label: str, language: Language) -> str:
    return text("table.median_of", language, label=label if language == "zh" else label.lower())


def county_summary_table(result: ScoreResult) -> pd.DataFrame:
    """Per county: stations, how many of each grade, median score and median grade (localised)."""
    language = result.params.language
    summary = county_bands(result)
    columns = {
        text("table.county", language): summary["county_label"].to_numpy(dtype=object),
        text("table.stations_count", language): summary["stations"].to_numpy(),
        **{BAND_LABELS[band][language]: summary[band].to_numpy() for band in BANDS},
        _median_of(text("table.score", language), language): summary["median_score"].to_numpy(),
        _median_of(text("table.band", language), language): band_labels(
            summary["median_band"], language
        ),
    }
    return pd.DataFrame(columns)


# --------------------------------------------------------------------------- indicators
def _indicator_table(result: ScoreResult) -> pd.DataFrame:
    params = result.params
    return pd.DataFrame(
        {
            "i": np.arange(len(params.indicators)),
            "indicator": [params.label(spec.label) for spec in params.indicators.values()],
            "unit": [spec.unit_in(params.language) for spec in params.indicators.values()],
        }
    )


def indicator_heatmap(result: ScoreResult) -> alt.Chart:
    """Stations (by rank, named) × indicators: this month's normalised scores 0–100.

    Tooltips show the raw value with its unit. Stations and indicators are joined by code so
    the names are not repeated in every cell.
    """
    language = result.params.language
    t = result.period_index
    frame = month_frame(result)
    order = result.data.station_ids.get_indexer(pd.Index(frame["station_id"]))  # stations by rank
    stations = pd.DataFrame(
        {
            "s": np.arange(len(frame)),
            "station": frame["station"].to_numpy(),
            "rank": frame["rank"].astype(float).to_numpy(),
        }
    )
    indicators = _indicator_table(result)
    s, i = np.meshgrid(np.arange(len(frame)), indicators["i"].to_numpy(), indexing="ij")
    normalised = np.round(result.normalised[t][order], 1)
    raw = result.data.values[t][order]
    cells = pd.DataFrame(
        {
            "s": s.ravel(),
            "i": i.ravel(),
            "v": normalised.ravel(),
            "raw": raw_text(raw.ravel(), np.tile(indicators["unit"].to_numpy(), len(frame))),
        }
    )
    labels = indicators["indicator"].tolist()
    # Scores bunch near the top: start the colour ramp at the lowest tens, not at 0.
    low = float(np.floor(np.nanmin(normalised, initial=100) / 10) * 10) if normalised.size else 0.0
    return (
        alt.Chart(cells)
        .mark_rect()
        .encode(
            x=alt.X(
                "indicator:N",
                sort=labels,
                title=text("table.indicator", language),
                axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=160),
            ),
            y=alt.Y(
                "station:N",
                sort=alt.EncodingSortField("rank", op="min"),
                title=text("table.station", language),
            ),
            color=alt.Color(
                "v:Q",
                title=text("table.normalised", language),
                scale=alt.Scale(scheme="blues", domain=[low, 100], clamp=True),
            ),
            tooltip=[
                alt.Tooltip("station:N", title=text("table.station", language)),
                alt.Tooltip("rank:Q", title=text("table.rank", language), format="d"),
                alt.Tooltip("indicator:N", title=text("table.indicator", language)),
                alt.Tooltip("v:Q", title=text("table.normalised", language), format=".1f"),
                alt.Tooltip("raw:N", title=text("table.raw_value", language)),
            ],
        )
        .transform_lookup(
            lookup="s",
            from_=alt.LookupData(stations, "s", ["station", "rank"]),
        )
        .transform_lookup(
            lookup="i",
            from_=alt.LookupData(indicators, "i", ["indicator"]),
        )
        .properties(
            width=alt.Step(30),
            height=alt.Step(12),
            title=text("chart.heatmap", language, period=result.params.period),
        )
    )


def county_heatmap(result: ScoreResult) -> alt.Chart:
    """Counties × indicators: the median normalised score 0–100 of each county's stations.

    The large month's heat map (:func:`indicator_heatmap` has one row per station); counties in
    base-map order, the tooltip says how many stations each median is over.
    """
    language = result.params.language
    t = result.period_index
    summary = county_bands(result)
    indicators = _indicator_table(result)
    county = result.data.stations["county"].astype(str).reindex(result.data.station_ids).to_numpy()
    medians = (
        pd.DataFrame(result.normalised[t], columns=indicators["indicator"].to_numpy())
        .groupby(county)
        .median()
        .reindex(summary.index)
    )
    cells = pd.DataFrame(
        {
            "county": np.repeat(summary["county_label"].to_numpy(dtype=object), len(indicators)),
            "stations": np.repeat(summary["stations"].to_numpy(), len(indicators)),
            "indicator": np.tile(indicators["indicator"].to_numpy(dtype=object), len(summary)),
            "v": np.round(medians.to_numpy(dtype=float), 1).ravel(),
        }
    )
    low = float(np.floor(np.nanmin(cells["v"], initial=100) / 10) * 10) if len(cells) else 0.0
    return (
        alt.Chart(cells)
        .mark_rect()
        .encode(
            x=alt.X(
                "indicator:N",
                sort=indicators["indicator"].tolist(),
                title=text("table.indicator", language),
                axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=160),
            ),
            y=alt.Y(
                "county:N",
                sort=summary["county_label"].tolist(),
                title=text("table.county", language),
            ),
            color=alt.Color(
                "v:Q",
                title=text("table.normalised", language),
                scale=alt.Scale(scheme="blues", domain=[low, 100], clamp=True),
            ),
            tooltip=[
                alt.Tooltip("county:N", title=text("table.county", language)),
                alt.Tooltip("stations:Q", title=text("table.stations_count", language)),
                alt.Tooltip("indicator:N", title=text("table.indicator", language)),
                alt.Tooltip("v:Q", title=text("table.normalised", language), format=".1f"),
            ],
        )
        .properties(
            width=alt.Step(30),
            height=alt.Step(18),
            title=text("chart.heatmap", language, period=result.params.period),
        )
    )


def overview_heatmap(result: ScoreResult) -> alt.Chart:
    """The overview's heat map: stations × indicators, or counties × indicators (medians) for a
    month of more than :data:`~fivecolor.views.large_month.LARGE_MONTH` stations."""
    return county_heatmap(result) if is_large(result) else indicator_heatmap(result)


def weak_indicator_chart(result: ScoreResult) -> alt.Chart:
    """Per indicator, how many stations have it among their weak indicators, by reason.

    A station in the indicator's bottom band counts as "bottom band"; otherwise the
    indicator is weak because it is among those costing the station the most points.
    """
    language = result.params.language
    weak = analysis.weak_indicators(result)
    indicators = _indicator_table(result)
    reasons = [text("table.reason_bottom", language), text("table.reason_costly", language)]
    counts = pd.crosstab(weak["indicator"], weak["bottom_band"]).reindex(
        index=list(result.data.indicators), columns=[True, False], fill_value=0
    )
    data = pd.DataFrame(
        {
            "indicator": np.repeat(indicators["indicator"].to_numpy(), 2),
            "reason": np.tile(reasons, len(indicators)),
            "count": counts.to_numpy().ravel(),
        }
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("indicator:N", sort="-x", title=text("table.indicator", language)),
            x=alt.X("count:Q", stack="zero", title=text("table.weak_stations", language)),
            color=alt.Color(
                "reason:N",
                title=text("table.weak_reason", language),
                scale=alt.Scale(domain=reasons, range=list(REASON_COLOURS)),
            ),
            order=alt.Order("reason_order:Q"),
            tooltip=[
                alt.Tooltip("indicator:N", title=text("table.indicator", language)),
                alt.Tooltip("reason:N", title=text("table.weak_reason", language)),
                alt.Tooltip("count:Q", title=text("table.weak_stations", language)),
            ],
        )
        .transform_calculate(
            reason_order=f"datum.reason === {json.dumps(reasons[0])} ? 0 : 1",
        )
        .properties(width=380, height=alt.Step(22), title=text("chart.weak", language))
    )


# --------------------------------------------------------------------------- history
def colour_history(result: ScoreResult, stages: bool = True) -> alt.VConcatChart:
    """Stations per grade month by month (stacked, red at the bottom), and the share red.

    The lower chart follows the share of red stations and, when ``stages`` is true and the
    parameters define ``actions.stages``, the stage targets toward "all red" with a dashed
    path from this month to them.
    """
    language = result.params.language
    counts = analysis.colour_counts(result)
    labels = [BAND_LABELS[band][language] for band in BANDS]
    # one level of columns: stacking them gives a Series
    long = cast(
        pd.Series,
        counts.rename(columns=dict(zip(BANDS, labels, strict=True)))
        .rename_axis(columns="band_label")
        .stack(),
    )
    data = (
        long.rename("count")
        .reset_index()
        .assign(
            date=lambda f: month_date(f["period"]),
            code=lambda f: f["band_label"].map(labels.index),
        )
    )
    period_x = alt.X(
        f"{PERIOD_UNIT}(date):T",
        title=text("table.month", language),
        axis=alt.Axis(format="%Y-%m", labelAngle=-45),
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=period_x,
            y=alt.Y("count:Q", stack="zero", title=text("table.stations_count", language)),
            color=band_color(language),
            order=alt.Order("code:Q", sort="ascending"),  # red stacked at the bottom, yellow on top
            tooltip=[
                alt.Tooltip("period:N", title=text("table.month", language)),
                alt.Tooltip("band_label:N", title=text("table.band", language)),
                alt.Tooltip("count:Q", title=text("table.stations_count", language)),
            ],
        )
        .properties(width=560, height=240, title=text("chart.history", language))
    )
    return alt.vconcat(bars, _red_share_chart(result, counts, stages)).resolve_scale(
        color="independent"
    )


def _red_share_chart(result: ScoreResult, counts: pd.DataFrame, stages: bool) -> alt.LayerChart:
    language = result.params.language
    scored = counts.sum(axis=1).replace(0, np.nan)
    share = (counts["red"] / scored).round(4)
    actual = pd.DataFrame(
        {
            "period": counts.index,
            "date": month_date(counts.index),
            "share": share.to_numpy(),
            "series": text("table.red_share", language),
        }
    ).dropna(subset=["share"])
    plan = result.params.actions.stages if stages else ()
    series = [text("table.red_share", language), text("table.stage_target", language)][
        : 2 if plan else 1
    ]
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=series, range=[BAND_COLOURS["red"], "#444444"][: len(series)]),
    )
    x = alt.X(
        f"{PERIOD_UNIT}(date):T", title=text("table.month", language), axis=alt.Axis(format="%Y-%m")
    )
    y = alt.Y(
        "share:Q",
        title=text("table.red_share", language),
        axis=alt.Axis(format=".0%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    tooltip = [
        alt.Tooltip("period:N", title=text("table.month", language)),
        alt.Tooltip("share:Q", title=text("table.red_share", language), format=".0%"),
    ]
    line = (
        alt.Chart(actual)
        .mark_line(point=True, strokeWidth=2)
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
    )
    layers = [line]
    if plan:
        targets = pd.DataFrame(
            {
                "period": [stage.period for stage in plan],
                "date": month_date(stage.period for stage in plan),
                "share": [stage.red_share for stage in plan],
                "stage": [
                    result.params.label(stage.label) if stage.label else stage.period
                    for stage in plan
                ],
                "series": text("table.stage_target", language),
            }
        )
        last = actual.iloc[[-1]].assign(stage="")
        path = pd.concat([last, targets], ignore_index=True)
        layers += [
            alt.Chart(path).mark_line(strokeDash=[4, 3], color="#777777").encode(x=x, y=y),
            alt.Chart(targets)
            .mark_point(shape="diamond", size=90, filled=True)
            .encode(
                x=x,
                y=y,
                color=colour,
                tooltip=[alt.Tooltip("stage:N", title=text("table.stage", language)), *tooltip],
            ),
            alt.Chart(targets)
            .mark_text(align="right", dx=-8, dy=-8, fontSize=10)
            .encode(x=x, y=y, text="stage:N"),
        ]
    title = text("chart.red_share" if plan else "chart.red_share_only", language)
    return alt.LayerChart(layer=layers).properties(width=560, height=150, title=title)


# --------------------------------------------------------------------------- data findings
def findings_table(result: ScoreResult) -> pd.DataFrame:
    """The month's data findings: severity (localised), period, station, indicator, message."""
    language = result.params.language
    findings = result.data.findings
    severity = {key: labels[language] for key, labels in SEVERITY_LABELS.items()}
    frame = pd.DataFrame(
        {
            "severity": findings["severity"]
            .map(severity)
            .fillna(findings["severity"])
            .to_numpy(dtype=object),
            "period": findings["period"].to_numpy(dtype=object),
            "station": findings["station_id"].to_numpy(dtype=object),
            "indicator": findings["indicator"].to_numpy(dtype=object),
            "message": findings["message"].to_numpy(dtype=object),
        }
    )
    return frame.rename(
        columns=headers(
            language,
            severity="table.severity",
            period="table.period",
            station="table.station",
            indicator="table.indicator",
            message="table.message",
        )
    )
