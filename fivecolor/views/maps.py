"""The five-colour maps: service areas, or for a large month counties, filled by grade.

Every map takes a :class:`~fivecolor.scoring.pipeline.ScoreResult` and returns an Altair layer
chart in Mercator; none saves or shows. The GeoJSON appears once per chart and scores are joined
to it with ``transform_lookup``; the subtitle says the map is a schematic and credits its data.

Examples
--------
>>> from fivecolor import load_params, load_data, score  # doctest: +SKIP
>>> from fivecolor.views import maps, theme  # doctest: +SKIP
>>> theme.setup()  # doctest: +SKIP
>>> params = load_params("params/2020-05.yaml")  # doctest: +SKIP
>>> maps.colour_map(score(load_data(params), params))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd

from fivecolor.data import geography as geo
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.common import county_bands, month_frame
from fivecolor.views.large_month import MAX_POINTS, is_large
from fivecolor.views.text import BAND_LABELS, BANDS, Language, text
from fivecolor.views.theme import band_color

__all__ = ["BORDER_COLOUR", "colour_map", "county_map", "overview_map", "widget_map"]

BORDER_COLOUR = "#333333"


def _caption_lines(language: Language) -> list[str]:
    """The schematic label, then the data credits one source per line."""
    credits = re.split(r"[；;]\s*", text("map.attribution", language))
    return [text("map.schematic", language), *(c[:1].upper() + c[1:] for c in credits)]


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


def _station_tooltip(language: Language) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("station:N", title=text("table.station", language)),
        alt.Tooltip("county:N", title=text("table.county", language)),
        alt.Tooltip("score:Q", title=text("table.score", language), format=".1f"),
        alt.Tooltip("rank:Q", title=text("table.rank", language), format="d"),
        alt.Tooltip("band_label:N", title=text("table.band", language)),
        alt.Tooltip("change_label:N", title=text("table.change", language)),
    ]


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
    fields = [str(c) for c in frame.columns if c not in ("station_id", "lat", "lon")]
    missing = bool((frame["band_label"] == text("table.no_score", language)).any())
    colour = band_color(language, missing, legend)
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
        alt.LayerChart(layer=[cells, borders, points])
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


def county_map(
    result: ScoreResult, width: int = 560, height: int = 520, points: bool | None = None
) -> alt.LayerChart:
    """The five-colour map of a large company: each county filled with its median grade.

    Tooltips give the county's stations and how many are of each grade; the stations are small
    dots in their own grade's colour (up to :data:`~fivecolor.views.large_month.MAX_POINTS`
    stations, or as ``points`` says).
    No service area is drawn, so the chart's size grows with the counties, not the stations.
    """
    language = result.params.language
    summary = county_bands(result)
    labels = {band: BAND_LABELS[band][language] for band in BANDS}
    by_county = pd.DataFrame(
        {
            "name": summary.index.to_numpy(dtype=object),
            "county": summary["county_label"].to_numpy(dtype=object),
            "stations": summary["stations"].to_numpy(),
            "median_score": summary["median_score"].to_numpy(),
            "band_label": [
                labels.get(b, text("table.no_score", language)) for b in summary["median_band"]
            ],
            **{f"n_{band}": summary[band].to_numpy() for band in BANDS},
        }
    )
    counties = geo.orient_clockwise(geo.county_boundaries())
    county_data = alt.Data(values=_stripped(counties["features"], ("name",)))
    missing = bool((by_county["band_label"] == text("table.no_score", language)).any())
    legend = alt.Legend(orient="top-right", fillColor="white", padding=6)
    tooltip = [
        alt.Tooltip("county:N", title=text("table.county", language)),
        alt.Tooltip("stations:Q", title=text("table.stations_count", language)),
        alt.Tooltip("median_score:Q", title=text("table.score", language), format=".1f"),
        alt.Tooltip("band_label:N", title=text("table.band", language)),
        *(alt.Tooltip(f"n_{band}:Q", title=labels[band]) for band in BANDS),
    ]
    areas = (
        alt.Chart(county_data)
        .mark_geoshape(stroke=BORDER_COLOUR, strokeWidth=1.1, fillOpacity=0.55)
        .encode(color=band_color(language, missing, legend), tooltip=tooltip)
        .transform_lookup(
            lookup="properties.name",
            from_=alt.LookupData(by_county, "name", [str(c) for c in by_county if c != "name"]),
        )
    )
    layers = [areas]
    if points if points is not None else len(result.data.station_ids) <= MAX_POINTS:
        frame = _station_frame(result)[["station", "band_label", "lat", "lon"]]
        layers.append(
            alt.Chart(frame)
            .mark_circle(size=8, opacity=0.9, stroke="#1a1a1a", strokeWidth=0.2)
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                color=band_color(language, missing, None),
                tooltip=[
                    alt.Tooltip("station:N", title=text("table.station", language)),
                    alt.Tooltip("band_label:N", title=text("table.band", language)),
                ],
            )
        )
    title = alt.TitleParams(
        text("chart.map", language, period=result.params.period), subtitle=_caption_lines(language)
    )
    return (
        alt.LayerChart(layer=layers)
        .project(type="mercator")
        .properties(width=width, height=height, title=title)
    )


def overview_map(result: ScoreResult) -> alt.LayerChart:
    """The overview's map: :func:`colour_map` (service areas), or :func:`county_map` for a
    month of more than :data:`~fivecolor.views.large_month.LARGE_MONTH` stations."""
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
