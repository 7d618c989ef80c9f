"""One station's page: its facts, score history, indicators against the company, weak indicators,
changes since last month, colour probability and county peers, as charts and tables.

Its actions are the tables of :mod:`fivecolor.views.action_tables`, given the station's id. Every
function takes a :class:`~fivecolor.scoring.pipeline.ScoreResult` and a station id (optional for
:func:`weak_table`, which then lists every station) and raises ``KeyError`` for an id that is not
among the stations.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import numpy as np
import pandas as pd

from fivecolor.analysis import month as analysis
from fivecolor.scoring.bands import BandRule
from fivecolor.scoring.per_result import once_per_result
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.common import (
    headers,
    indicator_labels,
    month_frame,
    raw_text,
    station_names,
    station_position,
)
from fivecolor.views.table_html import mark_columns
from fivecolor.views.text import BAND_LABELS, BANDS, text
from fivecolor.views.theme import PERIOD_UNIT, band_color, month_date

__all__ = [
    "county_peers",
    "published_probability_text",
    "station_changes",
    "station_facts",
    "station_history",
    "station_indicators",
    "station_indicators_frame",
    "station_probability_table",
    "weak_table",
]

#: Comparison series of the station chart: the station, the median, the best station.
COMPARISON_COLOURS = ("#6b8fb3", "#222222", "#8e44ad")


def station_facts(result: ScoreResult, station_id: str) -> pd.DataFrame:
    """Two columns (item, value): name, county, staff, score, rank, grade, last grade, change."""
    language = result.params.language
    station_position(result, station_id)
    frame = month_frame(result).set_index("station_id")
    row = cast(pd.Series, frame.loc[station_id])  # one row: the station ids are unique
    staff = row["staff"]
    facts = {
        "table.station": row["station"],
        "table.county": row["county"],
        "table.staff": "" if pd.isna(staff) else f"{staff:.0f}",
        "table.score": "" if pd.isna(row["score"]) else f"{row['score']:.1f}",
        "table.rank": "" if pd.isna(row["rank"]) else f"{int(row['rank'])} / {len(frame)}",
        "table.band": row["band_label"],
        "table.previous_band": row["prev_band_label"],
        "table.change": row["change_label"],
    }
    return pd.DataFrame(
        {
            text("table.item", language): [text(key, language) for key in facts],
            text("table.value", language): [str(value) for value in facts.values()],
        }
    )


def station_history(result: ScoreResult, station_id: str) -> alt.LayerChart:
    """The station's composite month by month, points coloured by grade.

    With cut-off bands, the five score ranges are drawn as pale horizontal bands in the
    grade colours behind the line (the legend names them).
    """
    language = result.params.language
    s = station_position(result, station_id)
    labels = np.array(
        [*(BAND_LABELS[band][language] for band in BANDS), text("table.no_score", language)]
    )
    scores = result.composite[:, s]
    data = pd.DataFrame(
        {
            "period": result.periods,
            "date": month_date(result.periods),
            "score": np.round(scores, 1),
            "rank": result.rank[:, s],
            "band_label": labels[result.band[:, s]],
        }
    ).dropna(subset=["score"])
    rule = BandRule.of(result.params.bands)
    # the axis reaches below the lowest cut-off when the ranges are drawn (absolute bands only)
    lowest = rule.boundaries[-1] if rule.is_absolute else 100.0
    bottom = float(np.floor(min(np.nanmin(scores, initial=100), lowest) / 5) * 5 - 5)
    y = alt.Y(
        "score:Q",
        title=text("table.score", language),
        scale=alt.Scale(domain=[max(bottom, 0), 100]),
    )
    x = alt.X(
        f"{PERIOD_UNIT}(date):T", title=text("table.month", language), axis=alt.Axis(format="%Y-%m")
    )
    missing = bool((result.band[:, s] < 0).any())
    # the legend's symbols at full opacity, not the pale ranges'
    colour = band_color(language, missing, alt.Legend(symbolOpacity=1))
    tooltip = [
        alt.Tooltip("period:N", title=text("table.month", language)),
        alt.Tooltip("score:Q", title=text("table.score", language), format=".1f"),
        alt.Tooltip("rank:Q", title=text("table.rank", language), format="d"),
        alt.Tooltip("band_label:N", title=text("table.band", language)),
    ]
    layers = []
    if rule.is_absolute:
        edges = [100.0, *rule.boundaries, max(bottom, 0)]
        ranges = pd.DataFrame({"band_label": labels[:5], "top": edges[:-1], "low": edges[1:]})
        layers.append(
            alt.Chart(ranges)
            .mark_rect(opacity=0.16, clip=True)
            .encode(
                y=alt.Y(
                    "low:Q",
                    scale=alt.Scale(domain=[max(bottom, 0), 100]),
                    title=text("table.score", language),
                ),
                y2="top:Q",
                color=colour,
                tooltip=[
                    alt.Tooltip("band_label:N", title=text("table.cutoff_band", language)),
                    alt.Tooltip("low:Q", title="≥", format=".0f"),
                ],
            )
        )
    layers += [
        alt.Chart(data).mark_line(color="#555555", strokeWidth=1.5).encode(x=x, y=y),
        alt.Chart(data)
        .mark_point(filled=True, size=70, stroke="#333333", strokeWidth=0.6, opacity=1)
        .encode(x=x, y=y, color=colour, tooltip=tooltip),
    ]
    name = station_names(result).iloc[s]
    return alt.LayerChart(layer=layers).properties(
        width=520, height=240, title=text("chart.station_history", language, name=name)
    )


def station_indicators_frame(result: ScoreResult, station_id: str) -> pd.DataFrame:
    """Per indicator (catalogue order): the station's, the company median's and the best station's
    normalised score and raw value this month (internal names; used by the station chart).

    Columns ``indicator, label, unit, station, station_raw, median, median_raw, best, best_raw``.
    The best station is the month's rank 1.
    """
    s = station_position(result, station_id)
    t = result.period_index
    frame = _company_reference(result)
    frame.insert(3, "station", result.normalised[t, s])
    frame.insert(4, "station_raw", result.filled[t, s])
    return frame


@once_per_result
def _company_reference(result: ScoreResult) -> pd.DataFrame:
    """What every station is compared with, per indicator: the company median and the month's
    best station (columns of :func:`station_indicators_frame` but the station's own)."""
    t = result.period_index
    normalised, raw = result.normalised[t], result.filled[t]
    best = int(np.nanargmin(result.rank[t]))
    keys = list(result.data.indicators)
    return pd.DataFrame(
        {
            "indicator": keys,
            "label": indicator_labels(result).loc[keys].to_numpy(),
            "unit": [result.params.indicators[key].unit_in(result.params.language) for key in keys],
            "median": np.nanmedian(normalised, axis=0),
            "median_raw": np.nanmedian(raw, axis=0),
            "best": normalised[best],
            "best_raw": raw[best],
        }
    ).assign(best_station=station_names(result).iloc[best])


def station_indicators(result: ScoreResult, station_id: str) -> alt.LayerChart:
    """Each indicator's normalised score for the station (bar) against the company median and
    the month's best station (ticks); tooltips give the raw values with units."""
    language = result.params.language
    frame = station_indicators_frame(result, station_id)
    station = station_names(result).iloc[station_position(result, station_id)]
    series = [
        station,
        text("table.company_median", language),
        text("table.best_station", language, name=frame["best_station"].iloc[0]),
    ]
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "indicator": frame["label"],
                    "series": name,
                    "v": frame[column].round(1),
                    "raw": raw_text(frame[f"{column}_raw"].to_numpy(), frame["unit"]),
                }
            )
            for name, column in zip(series, ("station", "median", "best"), strict=True)
        ],
        ignore_index=True,
    )
    colour = alt.Color(
        "series:N",
        title=text("table.comparison", language),
        scale=alt.Scale(domain=series, range=list(COMPARISON_COLOURS)),
        sort=series,
    )
    base = alt.Chart(long).encode(
        y=alt.Y(
            "indicator:N", sort=frame["label"].tolist(), title=text("table.indicator", language)
        ),
        x=alt.X("v:Q", title=text("table.normalised", language), scale=alt.Scale(domain=[0, 100])),
        color=colour,
        tooltip=[
            alt.Tooltip("indicator:N", title=text("table.indicator", language)),
            alt.Tooltip("series:N", title=text("table.comparison", language)),
            alt.Tooltip("v:Q", title=text("table.normalised", language), format=".1f"),
            alt.Tooltip("raw:N", title=text("table.raw_value", language)),
        ],
    )
    bars = base.mark_bar(height={"band": 0.6}).transform_filter(alt.datum.series == station)
    ticks = base.mark_tick(thickness=3, size=16, opacity=1).transform_filter(
        alt.datum.series != station
    )
    return alt.LayerChart(layer=[bars, ticks]).properties(
        width=420,
        height=alt.Step(24),
        title=text("chart.station_indicators", language, name=station, period=result.params.period),
    )


def weak_table(result: ScoreResult, station_id: str | None = None) -> pd.DataFrame:
    """Weak indicators (see :func:`fivecolor.analysis.month.weak_indicators`) of all stations or one.

    Columns: station (only for all stations), indicator, normalised score, points lost and
    whether the station is in the indicator's bottom band.
    """
    language = result.params.language
    weak = analysis.weak_indicators(result)
    if station_id is not None:
        station_position(result, station_id)
        weak = weak[weak["station_id"] == station_id]
    yes_no = np.array([text("table.no", language), text("table.yes", language)], dtype=object)
    frame = pd.DataFrame(
        {
            "station": station_names(result).loc[weak["station_id"]].to_numpy(),
            "indicator": indicator_labels(result).loc[weak["indicator"]].to_numpy(),
            "normalised": np.round(weak["normalised"].to_numpy(dtype=float), 1),
            "points_lost": np.round(weak["points_lost"].to_numpy(dtype=float), 2),
            "bottom_band": yes_no[weak["bottom_band"].to_numpy(dtype=int)],
        }
    )
    if station_id is not None:
        frame = frame.drop(columns="station")
    return frame.rename(
        columns=headers(
            language,
            station="table.station",
            indicator="table.indicator",
            normalised="table.normalised",
            points_lost="table.points_lost",
            bottom_band="table.bottom_band",
        )
    ).reset_index(drop=True)


def station_changes(result: ScoreResult, station_id: str) -> pd.DataFrame:
    """Per indicator: raw value and normalised score last month and this month, and the change.

    Without a previous month the last-month columns and the change are empty (NaN).
    """
    language = result.params.language
    s = station_position(result, station_id)
    t, p = result.period_index, result.previous_index()
    n_indicators = len(result.data.indicators)
    raw_before = result.data.values[p, s] if p is not None else np.full(n_indicators, np.nan)
    norm_before = result.normalised[p, s] if p is not None else np.full(n_indicators, np.nan)
    norm_now = result.normalised[t, s]
    frame = pd.DataFrame(
        {
            "indicator": indicator_labels(result).loc[list(result.data.indicators)].to_numpy(),
            "unit": [
                result.params.indicators[key].unit_in(result.params.language)
                for key in result.data.indicators
            ],
            "raw_last_month": raw_before,
            "raw_this_month": result.data.values[t, s],
            "normalised_last_month": np.round(norm_before, 1),
            "normalised_this_month": np.round(norm_now, 1),
            "normalised_change": np.round(norm_now - norm_before, 1),
        }
    )
    return frame.rename(
        columns=headers(
            language,
            indicator="table.indicator",
            unit="table.unit",
            raw_last_month="table.raw_last_month",
            raw_this_month="table.raw_this_month",
            normalised_last_month="table.normalised_last_month",
            normalised_this_month="table.normalised_this_month",
            normalised_change="table.normalised_change",
        )
    )


def station_probability_table(
    result: ScoreResult, uncertainty: pd.DataFrame, station_id: str
) -> pd.DataFrame:
    """One station's probability (%) of each grade, best grade first: two columns, grade and %."""
    language = result.params.language
    station_position(result, station_id)
    # one row: the station ids are unique
    row = cast(pd.Series, uncertainty.set_index("station_id").loc[station_id])
    return pd.DataFrame(
        {
            text("table.band", language): [BAND_LABELS[band][language] for band in BANDS],
            text("sens.probability", language): [
                "" if np.isnan(row[f"p_{band}"]) else f"{row[f'p_{band}'] * 100:.1f}%"
                for band in BANDS
            ],
        }
    )


def published_probability_text(
    result: ScoreResult, uncertainty: pd.DataFrame, station_id: str
) -> str:
    """``"绿色（稍差）: 62%"``: the station's published grade and its probability ("" without a score)."""
    language = result.params.language
    station_position(result, station_id)
    # one row: the station ids are unique
    row = cast(pd.Series, uncertainty.set_index("station_id").loc[station_id])
    if not row["band"] or np.isnan(row["p_published"]):
        return ""
    return text(
        "station.certainty.published",
        language,
        band=BAND_LABELS[row["band"]][language],
        p=f"{row['p_published']:.0%}",
    )


def county_peers(result: ScoreResult, station_id: str) -> pd.DataFrame:
    """The other stations of the station's county, by rank: name, score, rank, grade."""
    language = result.params.language
    station_position(result, station_id)
    county = result.data.stations.loc[station_id, "county"]
    frame = month_frame(result)
    same_county = result.data.stations.loc[frame["station_id"], "county"].to_numpy() == county
    peers = frame[same_county & (frame["station_id"] != station_id).to_numpy()]
    columns = headers(
        language,
        station="table.station",
        score="table.score",
        rank="table.rank",
        band_label="table.band",
    )
    table = peers[list(columns)].rename(columns=columns).reset_index(drop=True)
    return mark_columns(
        table,
        links={columns["station"]: peers["station_id"].to_numpy()},
        chips={columns["band_label"]: peers["band"].to_numpy()},
    )
