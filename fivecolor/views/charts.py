"""Charts of a scored month, as Altair (Vega-Lite 6) specs that render offline.

Every function takes a :class:`~fivecolor.scoring.pipeline.ScoreResult` and returns a chart; none
saves or shows. Texts come from :mod:`fivecolor.views.text` in ``result.params.language``;
every chart coloured by grade uses :func:`band_scale`, so legends name the grades (colour
alone never carries meaning). Data go inline, rounded; the map's GeoJSON appears once per
chart and scores are joined to it with ``transform_lookup``.

Examples
--------
>>> from fivecolor import charts, load_params, load_data, score  # doctest: +SKIP
>>> charts.setup()  # doctest: +SKIP
>>> params = load_params("params/2020-05.yaml")  # doctest: +SKIP
>>> charts.colour_map(score(load_data(params), params))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re

import altair as alt
import numpy as np
import pandas as pd

from fivecolor.analysis import month as analysis
from fivecolor.data import geography as geo
from fivecolor.views.text import BAND_COLOURS, BAND_LABELS, BANDS, text
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.tables import (
    county_bands,
    cutoff_labels,
    cutoff_shift_header,
    month_frame,
    sobol_input_labels,
    station_indicators_frame,
    station_names,
)

__all__ = [
    "THEME_NAME",
    "band_scale",
    "colour_counts_chart",
    "colour_history",
    "colour_map",
    "colour_probabilities",
    "county_heatmap",
    "county_map",
    "cutoff_shift_chart",
    "indicator_heatmap",
    "is_large",
    "overview_heatmap",
    "overview_map",
    "rank_intervals",
    "setup",
    "sobol_chart",
    "station_history",
    "station_indicators",
    "weak_indicator_chart",
    "widget_map",
]

THEME_NAME = "fivecolor"
#: CJK fallbacks after the first choice, so Chinese names render on any reader's system.
CJK_FONTS = "Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC"
LATIN_FONTS = "Helvetica Neue, Arial, Liberation Sans"
NO_SCORE_COLOUR = "#bdbdbd"
BORDER_COLOUR = "#333333"
#: Comparison series of the station chart: the station, the median, the best station.
COMPARISON_COLOURS = ("#6b8fb3", "#222222", "#8e44ad")
REASON_COLOURS = ("#7f3b08", "#b2abd2")
_PERIOD_UNIT = "utcyearmonth"  # months are parsed as UTC dates: no time-zone shift


# --------------------------------------------------------------------------- theme
def _font(language: str | None) -> str:
    """Font list: CJK faces first for zh, Latin first for en; always a CJK fallback."""
    first = CJK_FONTS if language in (None, "zh") else f"{LATIN_FONTS}, {CJK_FONTS}"
    return f"{first}, sans-serif"


def _theme_config(language: str | None) -> dict:
    return {
        "config": {
            "font": _font(language),
            "view": {"stroke": None},
            "title": {
                "fontSize": 15,
                "subtitleFontSize": 11,
                "subtitleColor": "#555555",
                "anchor": "start",
                "offset": 8,
            },
            "axis": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "gridColor": "#e6e6e6",
            },
            "legend": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "labelLimit": 240,
            },
            "header": {"labelFontSize": 12, "titleFontSize": 12},
        }
    }


def setup(language: str | None = None) -> None:
    """Register and enable the ``fivecolor`` Altair theme and the offline chart renderer.

    Parameters
    ----------
    language
        ``"zh"`` (default) puts CJK fonts first, ``"en"`` Latin fonts first; both keep the
        CJK fallback list. Calling again replaces the theme with the same name (idempotent).
    """
    from fivecolor.views.embed import enable_offline_charts

    config = _theme_config(language)

    def fivecolor_theme() -> dict:
        return config

    alt.theme.register(THEME_NAME, enable=True)(fivecolor_theme)
    enable_offline_charts()


# --------------------------------------------------------------------------- shared pieces
def band_scale(language: str, missing: bool = False) -> alt.Scale:
    """The grade colour scale: the five grade names best first, mapped to :data:`BAND_COLOURS`.

    Parameters
    ----------
    language
        ``"zh"`` or ``"en"``.
    missing
        Add a grey "no score" entry after the five grades.
    """
    domain = [BAND_LABELS[band][language] for band in BANDS]
    colours = [BAND_COLOURS[band] for band in BANDS]
    if missing:
        domain.append(text("table.no_score", language))
        colours.append(NO_SCORE_COLOUR)
    return alt.Scale(domain=domain, range=colours)


def _band_color(language: str, missing: bool = False, legend=alt.Undefined) -> alt.Color:
    """Colour by ``band_label`` on :func:`band_scale`; ``legend=None`` hides the legend."""
    return alt.Color(
        "band_label:N",
        scale=band_scale(language, missing),
        title=text("table.band", language),
        legend=legend,
    )


def _caption_lines(language: str) -> list[str]:
    """The schematic label, then the data credits one source per line."""
    credits = re.split(r"[；;]\s*", text("map.attribution", language))
    return [text("map.schematic", language), *(c[:1].upper() + c[1:] for c in credits)]


def _month_date(periods) -> list[str]:
    """``YYYY-MM`` to an ISO date string that Vega parses the same in every time zone."""
    return [f"{period}-01" for period in periods]


def _stripped(features: list[dict], keep: tuple[str, ...] = ()) -> list[dict]:
    """Features with only the *keep* properties (the map joins everything else by id)."""
    return [
        {
            "type": "Feature",
            "geometry": feature["geometry"],
            "properties": {key: str(feature["properties"][key]) for key in keep},
        }
        for feature in features
    ]


def _station_frame(result: ScoreResult) -> pd.DataFrame:
    """Per station this month, for maps: id, labels, score, rank, band, lat/lon (rounded)."""
    frame = month_frame(result)
    frame = frame.assign(
        lat=frame["lat"].round(4), lon=frame["lon"].round(4), rank=frame["rank"].astype("float")
    )
    return frame[
        [
            "station_id",
            "station",
            "county",
            "score",
            "rank",
            "band_label",
            "change_label",
            "lat",
            "lon",
        ]
    ]


def _station_tooltip(language: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("station:N", title=text("table.station", language)),
        alt.Tooltip("county:N", title=text("table.county", language)),
        alt.Tooltip("score:Q", title=text("table.score", language), format=".1f"),
        alt.Tooltip("rank:Q", title=text("table.rank", language), format="d"),
        alt.Tooltip("band_label:N", title=text("table.band", language)),
        alt.Tooltip("change_label:N", title=text("table.change", language)),
    ]


# --------------------------------------------------------------------------- maps
def _map(
    result: ScoreResult,
    areas: dict | None,
    counties: dict | None,
    width: int,
    height: int,
    legend: alt.Legend | None,
    title: alt.TitleParams,
    point_size: float,
) -> alt.LayerChart:
    language = result.params.language
    frame = _station_frame(result)
    if areas is None:
        areas = geo.station_areas(result.data.stations.reset_index(), result.params.data.boundaries)
    if counties is None:
        counties = geo.county_boundaries()
    area_data = alt.Data(values=_stripped(geo.orient_clockwise(areas)["features"], ("station_id",)))
    county_data = alt.Data(values=_stripped(geo.orient_clockwise(counties)["features"]))
    fields = [c for c in frame.columns if c not in ("station_id", "lat", "lon")]
    missing = bool((frame["band_label"] == text("table.no_score", language)).any())
    colour = _band_color(language, missing, legend)
    tooltip = _station_tooltip(language)

    cells = (
        alt.Chart(area_data)
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(
            color=colour,
            tooltip=tooltip,
        )
        .transform_lookup(
            lookup="properties.station_id",
            from_=alt.LookupData(frame, "station_id", fields),
        )
        .transform_calculate(  # an area without a scored station still shows, grey and labelled
            band_label=f"datum.band_label || {json.dumps(text('table.no_score', language))}",
        )
    )
    borders = alt.Chart(county_data).mark_geoshape(
        filled=False, stroke=BORDER_COLOUR, strokeWidth=1.1
    )
    points = (
        alt.Chart(frame)
        .mark_circle(size=point_size, color="#1a1a1a", opacity=0.85)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            tooltip=tooltip,
        )
    )
    return (
        alt.layer(cells, borders, points)
        .project(type="mercator")
        .properties(
            width=width,
            height=height,
            title=title,
        )
    )


def colour_map(
    result: ScoreResult,
    areas: dict | None = None,
    counties: dict | None = None,
    width: int = 560,
    height: int = 520,
    legend: bool = True,
) -> alt.LayerChart:
    """The five-colour map: service areas filled by grade, county borders, station points.

    Parameters
    ----------
    result
        A scored month.
    areas
        Service areas (FeatureCollection with a ``station_id`` property per feature);
        default the parameters' ``data.boundaries``, else :func:`fivecolor.data.geography.service_areas`.
    counties
        County borders drawn on top; default :func:`fivecolor.data.geography.county_boundaries`.
    width, height
        Size of the map area in pixels.
    legend
        Show the grade legend.

    Returns
    -------
    alt.LayerChart
        Areas (tooltips: name, county, score, rank, grade, change), borders and points, in
        Mercator; the subtitle says it is a schematic and credits the map data.
    """
    language = result.params.language
    title = alt.TitleParams(
        text("chart.map", language, period=result.params.period), subtitle=_caption_lines(language)
    )
    legend_spec = alt.Legend(orient="top-right", fillColor="white", padding=6) if legend else None
    return _map(result, areas, counties, width, height, legend_spec, title, point_size=14)


#: Above this many stations the overview shows counties instead of service areas and stations.
LARGE_MONTH = 300
#: Above this many stations the county map leaves the station points out (the page stays light).
MAX_POINTS = 5000


def is_large(result: ScoreResult) -> bool:
    """Whether the month has more than :data:`LARGE_MONTH` stations."""
    return len(result.data.station_ids) > LARGE_MONTH


def county_map(result: ScoreResult, width: int = 560, height: int = 520, points: bool | None = None
               ) -> alt.LayerChart:
    """The five-colour map of a large company: each county filled with its median grade.

    Tooltips give the county's stations and how many are of each grade; the stations are small
    dots in their own grade's colour (up to :data:`MAX_POINTS` stations, or as ``points`` says).
    No service area is drawn, so the chart's size grows with the counties, not the stations.
    """
    language = result.params.language
    summary = county_bands(result)
    labels = {band: BAND_LABELS[band][language] for band in BANDS}
    by_county = pd.DataFrame({
        "name": summary.index.to_numpy(dtype=object),
        "county": summary["county_label"].to_numpy(dtype=object),
        "stations": summary["stations"].to_numpy(),
        "median_score": summary["median_score"].to_numpy(),
        "band_label": [labels.get(b, text("table.no_score", language)) for b in summary["median_band"]],
        **{f"n_{band}": summary[band].to_numpy() for band in BANDS},
    })
    counties = geo.orient_clockwise(geo.county_boundaries())
    county_data = alt.Data(values=_stripped(counties["features"], ("name",)))
    missing = bool((by_county["band_label"] == text("table.no_score", language)).any())
    legend = alt.Legend(orient="top-right", fillColor="white", padding=6)
    tooltip = [alt.Tooltip("county:N", title=text("table.county", language)),
               alt.Tooltip("stations:Q", title=text("table.stations_count", language)),
               alt.Tooltip("median_score:Q", title=text("table.score", language), format=".1f"),
               alt.Tooltip("band_label:N", title=text("table.band", language)),
               *(alt.Tooltip(f"n_{band}:Q", title=labels[band]) for band in BANDS)]
    areas = (
        alt.Chart(county_data)
        .mark_geoshape(stroke=BORDER_COLOUR, strokeWidth=1.1, fillOpacity=0.55)
        .encode(color=_band_color(language, missing, legend), tooltip=tooltip)
        .transform_lookup(lookup="properties.name",
                          from_=alt.LookupData(by_county, "name", [c for c in by_county if c != "name"]))
    )
    layers = [areas]
    if points if points is not None else len(result.data.station_ids) <= MAX_POINTS:
        frame = _station_frame(result)[["station", "band_label", "lat", "lon"]]
        layers.append(
            alt.Chart(frame).mark_circle(size=8, opacity=0.9, stroke="#1a1a1a", strokeWidth=0.2)
            .encode(longitude="lon:Q", latitude="lat:Q", color=_band_color(language, missing, None),
                    tooltip=[alt.Tooltip("station:N", title=text("table.station", language)),
                             alt.Tooltip("band_label:N", title=text("table.band", language))])
        )
    title = alt.TitleParams(text("chart.map", language, period=result.params.period),
                            subtitle=_caption_lines(language))
    return alt.layer(*layers).project(type="mercator").properties(width=width, height=height, title=title)


def overview_map(result: ScoreResult) -> alt.LayerChart:
    """The overview's map: :func:`colour_map` (service areas), or :func:`county_map` for a
    month of more than :data:`LARGE_MONTH` stations."""
    return county_map(result) if is_large(result) else colour_map(result)


def widget_map(result: ScoreResult, width: int = 380, height: int = 260) -> alt.LayerChart:
    """A compact :func:`colour_map` for the home page's 400×300 window.

    The legend sits inside the map's top-right corner (the sea) in small type; the schematic
    label and the data credits run under the map in small type.
    """
    language = result.params.language
    schematic, first_credit, *other_credits = _caption_lines(language)
    joiner = "；" if language == "zh" else "; "
    title = alt.TitleParams(  # two credit lines keep the whole widget within 400×300
        f"{schematic} · {result.params.period}",
        subtitle=[first_credit, joiner.join(other_credits)],
        orient="bottom",
        anchor="start",
        fontSize=10,
        fontWeight="normal",
        subtitleFontSize=7,
        subtitleLineHeight=8,
        offset=2,
    )
    legend = alt.Legend(
        orient="top-right",
        title=None,
        labelFontSize=9,
        symbolSize=60,
        rowPadding=1,
        fillColor="white",
        padding=3,
        labelLimit=150,
    )
    return _map(result, None, None, width, height, legend, title, point_size=5).properties(
        padding={"left": 2, "right": 2, "top": 2, "bottom": 2}
    )


# --------------------------------------------------------------------------- colour counts
def colour_counts_chart(result: ScoreResult) -> alt.LayerChart:
    """Stations per grade this month beside last month's (lighter bar), counts written on."""
    language = result.params.language
    summary = analysis.colour_summary(result)
    now, before = (
        result.params.period,
        result.periods[p] if (p := result.previous_index()) is not None else None,
    )
    labels = [BAND_LABELS[band][language] for band in BANDS]
    frames = [
        pd.DataFrame({"band_label": labels, "month": now, "count": summary["count"].to_numpy()})
    ]
    if before is not None:
        frames.insert(
            0,
            pd.DataFrame(
                {"band_label": labels, "month": before, "count": summary["previous"].to_numpy()}
            ),
        )
    data = pd.concat(frames, ignore_index=True)
    months = [m for m in (before, now) if m is not None]
    opacity = alt.Opacity(
        "month:O",
        title=text("table.month", language),
        scale=alt.Scale(domain=months, range=[0.45, 1.0][-len(months) :]),
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "band_label:N", sort=labels, title=text("table.band", language), axis=alt.Axis(labelAngle=0)
        ),
        xOffset=alt.XOffset("month:N", sort=months),
        y=alt.Y("count:Q", title=text("table.stations_count", language)),
        tooltip=[
            alt.Tooltip("band_label:N", title=text("table.band", language)),
            alt.Tooltip("month:N", title=text("table.month", language)),
            alt.Tooltip("count:Q", title=text("table.stations_count", language)),
        ],
    )
    bars = base.mark_bar().encode(color=_band_color(language), opacity=opacity)
    counts = base.mark_text(dy=-6, fontSize=10).encode(text="count:Q")
    return alt.layer(bars, counts).properties(
        width=alt.Step(46), height=240, title=text("chart.counts", language, period=now)
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
    long = counts.rename(columns=dict(zip(BANDS, labels))).rename_axis(columns="band_label").stack()
    data = (
        long.rename("count")
        .reset_index()
        .assign(
            date=lambda f: _month_date(f["period"]),
            code=lambda f: f["band_label"].map(labels.index),
        )
    )
    period_x = alt.X(
        f"{_PERIOD_UNIT}(date):T",
        title=text("table.month", language),
        axis=alt.Axis(format="%Y-%m", labelAngle=-45),
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=period_x,
            y=alt.Y("count:Q", stack="zero", title=text("table.stations_count", language)),
            color=_band_color(language),
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
            "date": _month_date(counts.index),
            "share": share.to_numpy(),
            "series": text("table.red_share", language),
        }
    ).dropna(subset=["share"])
    plan = result.params.actions.stages if stages else ()
    series = [text("table.red_share", language), text("table.stage_target", language)][: 2 if plan else 1]
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=series, range=[BAND_COLOURS["red"], "#444444"][: len(series)]),
    )
    x = alt.X(
        f"{_PERIOD_UNIT}(date):T", title=text("table.month", language), axis=alt.Axis(format="%Y-%m")
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
                "date": _month_date(stage.period for stage in plan),
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
    return alt.layer(*layers).properties(width=560, height=150, title=title)


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


def _raw_text(values: np.ndarray, units) -> list[str]:
    """Raw values as short text with their unit, e.g. ``4.78 %``; empty when missing."""
    return ["" if np.isnan(v) else f"{v:.4g} {u}".strip() for v, u in zip(values, units)]


def indicator_heatmap(result: ScoreResult) -> alt.Chart:
    """Stations (by rank, named) × indicators: this month's normalised scores 0–100.

    Tooltips show the raw value with its unit. Stations and indicators are joined by code so
    the names are not repeated in every cell.
    """
    language = result.params.language
    t = result.period_index
    frame = month_frame(result)
    order = result.data.station_ids.get_indexer(frame["station_id"])  # stations by rank
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
            "raw": _raw_text(raw.ravel(), np.tile(indicators["unit"].to_numpy(), len(frame))),
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
    medians = (pd.DataFrame(result.normalised[t], columns=indicators["indicator"].to_numpy())
               .groupby(county).median().reindex(summary.index))
    cells = pd.DataFrame({
        "county": np.repeat(summary["county_label"].to_numpy(dtype=object), len(indicators)),
        "stations": np.repeat(summary["stations"].to_numpy(), len(indicators)),
        "indicator": np.tile(indicators["indicator"].to_numpy(dtype=object), len(summary)),
        "v": np.round(medians.to_numpy(dtype=float), 1).ravel(),
    })
    low = float(np.floor(np.nanmin(cells["v"], initial=100) / 10) * 10) if len(cells) else 0.0
    return (
        alt.Chart(cells).mark_rect()
        .encode(
            x=alt.X("indicator:N", sort=indicators["indicator"].tolist(), title=text("table.indicator", language),
                    axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=160)),
            y=alt.Y("county:N", sort=summary["county_label"].tolist(), title=text("table.county", language)),
            color=alt.Color("v:Q", title=text("table.normalised", language),
                            scale=alt.Scale(scheme="blues", domain=[low, 100], clamp=True)),
            tooltip=[alt.Tooltip("county:N", title=text("table.county", language)),
                     alt.Tooltip("stations:Q", title=text("table.stations_count", language)),
                     alt.Tooltip("indicator:N", title=text("table.indicator", language)),
                     alt.Tooltip("v:Q", title=text("table.normalised", language), format=".1f")],
        )
        .properties(width=alt.Step(30), height=alt.Step(18),
                    title=text("chart.heatmap", language, period=result.params.period))
    )


def overview_heatmap(result: ScoreResult) -> alt.Chart:
    """The overview's heat map: stations × indicators, or counties × indicators (medians) for a
    month of more than :data:`LARGE_MONTH` stations."""
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


# --------------------------------------------------------------------------- one station
def _station_index(result: ScoreResult, station_id: str) -> int:
    position = result.data.station_ids.get_indexer([station_id])[0]
    if position < 0:
        raise KeyError(f"station {station_id!r} is not among the stations")
    return int(position)


def station_history(result: ScoreResult, station_id: str) -> alt.LayerChart:
    """The station's composite month by month, points coloured by grade.

    With cut-off bands, the five score ranges are drawn as pale horizontal bands in the
    grade colours behind the line (the legend names them).
    """
    language = result.params.language
    s = _station_index(result, station_id)
    labels = np.array(
        [*(BAND_LABELS[band][language] for band in BANDS), text("table.no_score", language)]
    )
    scores = result.composite[:, s]
    data = pd.DataFrame(
        {
            "period": result.periods,
            "date": _month_date(result.periods),
            "score": np.round(scores, 1),
            "rank": result.rank[:, s],
            "band_label": labels[result.band[:, s]],
        }
    ).dropna(subset=["score"])
    cutoffs = result.params.bands.cutoffs
    bottom = float(np.floor(min(np.nanmin(scores, initial=100), cutoffs[-1]) / 5) * 5 - 5)
    y = alt.Y(
        "score:Q", title=text("table.score", language), scale=alt.Scale(domain=[max(bottom, 0), 100])
    )
    x = alt.X(
        f"{_PERIOD_UNIT}(date):T", title=text("table.month", language), axis=alt.Axis(format="%Y-%m")
    )
    missing = bool((result.band[:, s] < 0).any())
    colour = _band_color(
        language, missing, alt.Legend(symbolOpacity=1)
    )  # not the pale ranges' opacity
    tooltip = [
        alt.Tooltip("period:N", title=text("table.month", language)),
        alt.Tooltip("score:Q", title=text("table.score", language), format=".1f"),
        alt.Tooltip("rank:Q", title=text("table.rank", language), format="d"),
        alt.Tooltip("band_label:N", title=text("table.band", language)),
    ]
    layers = []
    if result.params.bands.method == "cutoffs":
        edges = [100.0, *cutoffs, max(bottom, 0)]
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
    return alt.layer(*layers).properties(
        width=520, height=240, title=text("chart.station_history", language, name=name)
    )


def station_indicators(result: ScoreResult, station_id: str) -> alt.LayerChart:
    """Each indicator's normalised score for the station (bar) against the company median and
    the month's best station (ticks); tooltips give the raw values with units."""
    language = result.params.language
    frame = station_indicators_frame(result, station_id)
    station = station_names(result).iloc[_station_index(result, station_id)]
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
                    "raw": _raw_text(frame[f"{column}_raw"].to_numpy(), frame["unit"]),
                }
            )
            for name, column in zip(series, ("station", "median", "best"))
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
        y=alt.Y("indicator:N", sort=frame["label"].tolist(), title=text("table.indicator", language)),
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
    return alt.layer(bars, ticks).properties(
        width=420,
        height=alt.Step(24),
        title=text("chart.station_indicators", language, name=station, period=result.params.period),
    )


# --------------------------------------------------------------------------- robustness
#: Stations drawn in a large month's rank-interval and colour-probability charts.
UNCERTAIN_SHOWN = 100


def _uncertainty_frame(result: ScoreResult, uncertainty: pd.DataFrame) -> pd.DataFrame:
    """Per scored station: name, published rank and grade label, and the uncertainty columns.

    In a large month (:func:`is_large`), only the :data:`UNCERTAIN_SHOWN` stations least likely
    to keep their published grade (every station is in ``fivecolor sensitivity``'s table).
    """
    language = result.params.language
    frame = uncertainty[uncertainty["band"].astype(str) != ""]
    if is_large(result):  # one row per station would be unreadable: the least certain stations
        frame = frame.sort_values(["p_published", "median_rank"], kind="stable").head(UNCERTAIN_SHOWN)
    position = result.data.station_ids.get_indexer(frame["station_id"])
    return pd.DataFrame(
        {
            "station": station_names(result).iloc[position].to_numpy(),
            "rank": result.rank[result.period_index][position],
            "band_label": [BAND_LABELS[band][language] for band in frame["band"]],
            "median_rank": frame["median_rank"].to_numpy(dtype=float),
            "rank_p05": frame["rank_p05"].to_numpy(dtype=float),
            "rank_p95": frame["rank_p95"].to_numpy(dtype=float),
            "p_published": frame["p_published"].round(4).to_numpy(),
            **{f"p_{band}": frame[f"p_{band}"].round(4).to_numpy() for band in BANDS},
        }
    )


def rank_intervals(result: ScoreResult, uncertainty: pd.DataFrame) -> alt.LayerChart:
    """Each station's median simulated rank (point) and 5–95% rank interval (rule).

    Stations run down the chart by this month's rank; points and rules take the colour of the
    published grade (legend with the grade names). ``uncertainty`` is
    :func:`fivecolor.analysis.sensitivity.station_uncertainty`; the tooltip adds the probability of
    the published grade.
    """
    language = result.params.language
    data = _uncertainty_frame(result, uncertainty)
    n = len(result.data.station_ids)
    y = alt.Y(
        "station:N",
        sort=alt.EncodingSortField("rank", op="min"),
        title=text("table.station", language),
        axis=alt.Axis(labelFontSize=10),
    )
    x_scale = alt.Scale(domain=[1, max(n, 2)], nice=False)
    colour = _band_color(language)
    tooltip = [
        alt.Tooltip("station:N", title=text("table.station", language)),
        alt.Tooltip("rank:Q", title=text("sens.published_rank", language), format="d"),
        alt.Tooltip("band_label:N", title=text("table.band", language)),
        alt.Tooltip("median_rank:Q", title=text("sens.median_rank", language), format=".1f"),
        alt.Tooltip("rank_p05:Q", title="5%", format=".0f"),
        alt.Tooltip("rank_p95:Q", title="95%", format=".0f"),
        alt.Tooltip("p_published:Q", title=text("sens.p_published_short", language), format=".0%"),
    ]
    base = alt.Chart(data).encode(y=y, color=colour, tooltip=tooltip)
    rules = base.mark_rule(strokeWidth=2.5, opacity=0.75).encode(
        x=alt.X("rank_p05:Q", scale=x_scale, title=text("table.rank", language)), x2="rank_p95:Q"
    )
    points = base.mark_point(
        filled=True, size=45, stroke="#333333", strokeWidth=0.5, opacity=1
    ).encode(x=alt.X("median_rank:Q", scale=x_scale, title=text("table.rank", language)))
    title = alt.TitleParams(
        text("chart.rank_intervals", language), subtitle=text("sens.interval", language)
    )
    return alt.layer(rules, points).properties(width=460, height=alt.Step(12), title=title)


def colour_probabilities(result: ScoreResult, uncertainty: pd.DataFrame) -> alt.Chart:
    """Stacked horizontal bars: each station's probability of each grade, red first.

    Stations run down the chart by this month's rank; segments take the grade colours with
    the grade legend. ``uncertainty`` is :func:`fivecolor.analysis.sensitivity.station_uncertainty`.
    """
    language = result.params.language
    frame = _uncertainty_frame(result, uncertainty)
    labels = [BAND_LABELS[band][language] for band in BANDS]
    probabilities = frame[[f"p_{band}" for band in BANDS]].to_numpy(dtype=float)
    data = pd.DataFrame(
        {
            "station": np.repeat(frame["station"].to_numpy(), len(BANDS)),
            "rank": np.repeat(frame["rank"].to_numpy(dtype=float), len(BANDS)),
            "published": np.repeat(frame["band_label"].to_numpy(), len(BANDS)),
            "band_label": np.tile(labels, len(frame)),
            "code": np.tile(np.arange(len(BANDS)), len(frame)),
            "p": probabilities.ravel(),
        }
    )
    data = data[data["p"] > 0]  # empty segments add nothing but weight
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "station:N",
                sort=alt.EncodingSortField("rank", op="min"),
                title=text("table.station", language),
                axis=alt.Axis(labelFontSize=10),
            ),
            x=alt.X(
                "p:Q",
                stack="zero",
                title=text("sens.probability", language),
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=_band_color(language),
            order=alt.Order("code:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("station:N", title=text("table.station", language)),
                alt.Tooltip("published:N", title=text("sens.published_band", language)),
                alt.Tooltip("band_label:N", title=text("table.band", language)),
                alt.Tooltip("p:Q", title=text("sens.probability", language), format=".1%"),
            ],
        )
        .properties(
            width=420, height=alt.Step(12), title=text("chart.colour_probabilities", language)
        )
    )


def sobol_chart(result: ScoreResult, sobol: pd.DataFrame) -> alt.Chart:
    """First-order (S1) and total-effect (ST) Sobol indices per input, at the largest N (2N).

    ``sobol`` is :func:`fivecolor.analysis.sensitivity.sobol` (one output, no ``station_id``). Inputs
    keep the analysis' order; a slightly negative S1 (estimation noise) is drawn at 0 and its
    estimate shown in the tooltip.
    """
    language = result.params.language
    n = int(sobol["n"].max())
    largest = sobol[sobol["n"] == n]
    inputs = sobol_input_labels(result, largest["input"])
    kinds = [text("sens.sobol_first", language), text("sens.sobol_total", language)]
    data = pd.DataFrame(
        {
            "input": np.repeat(inputs, 2),
            "kind": np.tile(kinds, len(largest)),
            "estimate": largest[["S1", "ST"]].to_numpy(dtype=float).round(4).ravel(),
        }
    ).assign(bar=lambda f: f["estimate"].clip(lower=0))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("input:N", sort=list(dict.fromkeys(inputs)), title=text("sens.input", language)),
            yOffset=alt.YOffset("kind:N", sort=kinds),
            x=alt.X("bar:Q", title=text("sens.sobol_index", language), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "kind:N",
                title=text("sens.sobol_kind", language),
                sort=kinds,
                scale=alt.Scale(domain=kinds, range=["#6b8fb3", "#1f3b5a"]),
            ),
            tooltip=[
                alt.Tooltip("input:N", title=text("sens.input", language)),
                alt.Tooltip("kind:N", title=text("sens.sobol_kind", language)),
                alt.Tooltip("estimate:Q", title=text("sens.sobol_index", language), format=".3f"),
            ],
        )
        .properties(width=380, height=alt.Step(9), title=text("chart.sobol", language, n=n))
    )


def cutoff_shift_chart(result: ScoreResult, counts: pd.DataFrame) -> alt.Chart:
    """Stations changing colour as each cut-off moves alone (in the colour of the grade it
    opens) and as all four move together (black), against the shift.

    ``counts`` is :func:`fivecolor.analysis.sensitivity.cutoff_shift_counts`.
    """
    language = result.params.language
    series = cutoff_labels(result)
    columns = [*BANDS[:4], "all"]
    shifts = counts.index.to_numpy(dtype=float)
    data = pd.DataFrame(
        {
            "shift": np.tile(shifts, len(columns)),
            "series": np.repeat(series, len(shifts)),
            "count": counts[columns].to_numpy().T.ravel(),
        }
    )
    colours = [BAND_COLOURS[band] for band in BANDS[:4]] + ["#222222"]
    shift_title = cutoff_shift_header(result)
    return (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("shift:Q", title=shift_title),
            y=alt.Y("count:Q", title=text("sens.stations_changed", language)),
            color=alt.Color(
                "series:N",
                title=text("sens.moved_cutoff", language),
                sort=series,
                scale=alt.Scale(domain=series, range=colours),
            ),
            tooltip=[
                alt.Tooltip("series:N", title=text("sens.moved_cutoff", language)),
                alt.Tooltip("shift:Q", title=shift_title, format="+.2g"),
                alt.Tooltip("count:Q", title=text("sens.stations_changed", language)),
            ],
        )
        .properties(width=460, height=260, title=text("chart.cutoff_shift", language))
    )
