"""The five-colour maps: service areas, or for a large month counties, filled by grade.

Every map takes a :class:`~fivecolor.scoring.pipeline.ScoreResult` and returns an Altair layer
chart in Mercator; none saves or shows. The shapes are named datasets of the chart, stored once
for the site's pages (:func:`map_datasets`, :mod:`fivecolor.views.shared_data`), and scores are
joined to them with ``transform_lookup``; the subtitle says the map is a schematic and credits
its data.

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
import numpy as np
import pandas as pd
import shapely.geometry
from scipy.spatial import KDTree

from fivecolor.analysis.sensitivity.cutoffs import cutoff_distances
from fivecolor.data import geography as geo
from fivecolor.scoring.bands import BandRule
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.common import county_bands, month_frame
from fivecolor.views.large_month import MAX_POINTS, is_large
from fivecolor.views.shared_data import shared_name
from fivecolor.views.text import BAND_LABELS, BANDS, Language, text
from fivecolor.views.theme import band_color

__all__ = [
    "BORDER_COLOUR",
    "STATION_PAGE",
    "colour_map",
    "county_map",
    "map_datasets",
    "overview_map",
    "station_marks",
    "widget_map",
]

BORDER_COLOUR = "#333333"
#: Where a station's page is, from the pages that show the map (the month's folder).
STATION_PAGE = "stations/"
#: Candidate points per side where a county's name may go.
_LABEL_GRID = 40


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


def _signed(values: np.ndarray, decimals: int = 2) -> list[str]:
    r"""Numbers as text with their sign (``+1.25``, ``\u22120.40``); empty where missing."""
    minus = "\u2212"  # a typographic minus lines up with the plus sign
    return ["" if not np.isfinite(v) else f"{v:+.{decimals}f}".replace("-", minus) for v in values]


def _plain(values: np.ndarray, decimals: int = 2) -> list[str]:
    return ["" if not np.isfinite(v) else f"{v:.{decimals}f}" for v in values]


def station_marks(result: ScoreResult, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """What the map says about each station beyond its colour, one row per station of
    ``frame`` (the month's :func:`~fivecolor.views.common.month_frame`, made when not given).

    Columns ``station_id``, ``mark`` (the grade's character, then ▲ or ▼ for a station that
    moved up or down since last month), ``borderline`` (within ``bands.borderline`` points of
    a colour's boundary, on either side), ``score_change`` (points since last month),
    ``to_next`` (points to the next colour up) and ``above_lower`` (points above the boundary
    of the colour below). The grade's character keeps the five grades apart in greyscale and
    for colour-blind readers.
    """
    language = result.params.language
    frame = month_frame(result) if frame is None else frame
    position = result.data.station_ids.get_indexer(pd.Index(frame["station_id"]))
    t, p = result.period_index, result.previous_index()
    now = result.composite[t][position]
    before = result.composite[p][position] if p is not None else np.full(len(frame), np.nan)
    distances = cutoff_distances(result).set_index("station_id").loc[frame["station_id"]]
    up = distances["distance_up"].to_numpy(float)
    down = distances["distance_down"].to_numpy(float)
    margin = result.params.bands.borderline
    with np.errstate(invalid="ignore"):
        borderline = (up <= margin) | (down <= margin)
    letters = dict(zip(BANDS, text("map.grade_marks", language).split(), strict=True))
    arrows = frame["change"].map({"up": "▲", "down": "▼"}).fillna("")
    return pd.DataFrame(
        {
            "station_id": frame["station_id"].to_numpy(),
            "mark": (frame["band"].map(letters).fillna("") + arrows).to_numpy(),
            "borderline": borderline,
            "score_change": _signed(now - before),
            "to_next": _plain(up),
            "above_lower": _plain(down),
        }
    )


def _shapes(
    result: ScoreResult, areas: dict | None = None, counties: dict | None = None
) -> dict[str, list[dict]]:
    """The service areas' and the counties' shapes as the maps draw them, each named by its
    content (:func:`~fivecolor.views.shared_data.shared_name`): the areas first, then the
    counties. Defaults as in :func:`colour_map`."""
    if areas is None:
        areas = geo.station_areas(result.data.stations.reset_index(), result.params.data.boundaries)
    if counties is None:
        counties = geo.county_boundaries()
    area_values = _stripped(geo.orient_clockwise(areas)["features"], ("station_id",))
    county_values = _stripped(geo.orient_clockwise(counties)["features"])
    return {shared_name(values): values for values in (area_values, county_values)}


def _named_counties() -> list[dict]:
    """The counties' shapes with their names, as :func:`county_map` joins its figures to them."""
    return _stripped(geo.orient_clockwise(geo.county_boundaries())["features"], ("name",))


def map_datasets(result: ScoreResult) -> dict[str, list[dict]]:
    """The shapes the month's maps draw, by name: what the site stores once in its assets
    (:mod:`fivecolor.views.shared_data`). The service areas and the county borders; for a large
    month also the named counties of :func:`county_map`."""
    shapes = _shapes(result)
    if is_large(result):
        counties = _named_counties()
        shapes[shared_name(counties)] = counties
    return shapes


def _station_frame(result: ScoreResult) -> pd.DataFrame:
    """Per station this month, for maps: id, labels, score, rank, band, lat/lon (rounded),
    the marks of :func:`station_marks` and the link to the station's page."""
    frame = month_frame(result)
    frame = frame.assign(
        lat=frame["lat"].round(4),
        lon=frame["lon"].round(4),
        rank=frame["rank"].astype("float"),
        page=STATION_PAGE + frame["station_id"] + ".html",
    )
    marks = station_marks(result, frame).drop(columns="station_id")
    columns = ["station_id", "station", "county", "score", "rank", "band_label", "change_label"]
    return pd.concat(
        [frame[[*columns, "lat", "lon", "page"]].reset_index(drop=True), marks], axis=1
    )


def _station_tooltip(language: Language) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("station:N", title=text("table.station", language)),
        alt.Tooltip("county:N", title=text("table.county", language)),
        alt.Tooltip("score:Q", title=text("table.score", language), format=".1f"),
        alt.Tooltip("rank:Q", title=text("table.rank", language), format="d"),
        alt.Tooltip("band_label:N", title=text("table.band", language)),
        alt.Tooltip("change_label:N", title=text("table.change", language)),
        alt.Tooltip("score_change:N", title=text("map.score_change", language)),
        alt.Tooltip("to_next:N", title=text("map.to_next", language)),
        alt.Tooltip("above_lower:N", title=text("map.above_lower", language)),
    ]


def _legend_ranges(result: ScoreResult) -> dict[str, str]:
    """Each grade's score range for the legend: the cut-offs, or this month's scores for
    quantile bands (whose boundaries move with the stations)."""
    language = result.params.language
    rule = BandRule.of(result.params.bands)
    if rule.is_absolute:
        cut = [float(c) for c in rule.boundaries]
        low = [*cut, None]
        high = [None, *cut]
    else:
        t = result.period_index
        scores = pd.Series(result.composite[t]).groupby(result.band[t]).agg(["min", "max"])
        low = [scores["min"].get(i) for i in range(len(BANDS))]
        high = [scores["max"].get(i) for i in range(len(BANDS))]
    ranges = {}
    shown = "{:g}" if rule.is_absolute else "{:.1f}"
    for band, lo, hi in zip(BANDS, low, high, strict=True):
        if lo is not None and hi is not None:
            ranges[band] = text(
                "map.range_between", language, low=shown.format(lo), high=shown.format(hi)
            )
        elif rule.is_absolute and lo is not None:  # red: no upper end
            ranges[band] = text("map.range_at_least", language, low=shown.format(lo))
        elif rule.is_absolute and hi is not None:  # yellow: no lower end
            ranges[band] = text("map.range_below", language, high=shown.format(hi))
        else:  # a quantile band without a station this month
            ranges[band] = ""
    return ranges


def _legend_labels(result: ScoreResult) -> str:
    """A Vega expression giving each grade's legend entry: its mark, name and score range."""
    language = result.params.language
    letters = text("map.grade_marks", language).split()
    entries = {
        BAND_LABELS[band][language]: f"{letter}  {BAND_LABELS[band][language]}  {shown}".rstrip()
        for band, letter, shown in zip(BANDS, letters, _legend_ranges(result).values(), strict=True)
    }
    expression = "datum.label"
    for label, entry in reversed(entries.items()):
        expression = f"datum.label === {json.dumps(label)} ? {json.dumps(entry)} : ({expression})"
    return expression


def _county_labels(counties: dict, stations: pd.DataFrame, language: Language) -> pd.DataFrame:
    """Where each county's name goes, and the name to show (English on English pages).

    Among a grid of points inside the county's largest part, the one farthest from both the
    stations' marks and the county's border, so that the name covers no station.
    """
    tree = KDTree(stations[["lon", "lat"]].to_numpy(float))
    rows = []
    for feature in counties["features"]:
        props = feature.get("properties") or {}
        geometry = shapely.geometry.shape(feature["geometry"])
        largest = max(getattr(geometry, "geoms", [geometry]), key=lambda g: g.area)
        x0, y0, x1, y1 = largest.bounds
        xs, ys = np.meshgrid(np.linspace(x0, x1, _LABEL_GRID), np.linspace(y0, y1, _LABEL_GRID))
        xs, ys = xs.ravel(), ys.ravel()
        inside = shapely.contains_xy(largest, xs, ys)
        if not inside.any():
            point = largest.representative_point()
            x, y = point.x, point.y
        else:
            xs, ys = xs[inside], ys[inside]
            from_border = shapely.distance(largest.boundary, shapely.points(xs, ys))
            from_station, _ = tree.query(np.column_stack([xs, ys]))
            best = np.argmax(np.minimum(from_border, from_station))
            x, y = xs[best], ys[best]
        name = props.get("name_en" if language == "en" else "name") or props.get("name", "")
        rows.append({"county_name": str(name), "lon": x, "lat": y})
    return pd.DataFrame(rows, columns=["county_name", "lon", "lat"]).round(4)


def _map(
    result: ScoreResult,
    areas: dict | None,
    counties: dict | None,
    width: int,
    height: int,
    legend: alt.Legend | None,
    title: alt.TitleParams,
    font_size: float,
    county_names: bool = True,
) -> alt.LayerChart:
    ring_size = (2.2 * font_size) ** 2
    language = result.params.language
    frame = _station_frame(result)
    shapes = _shapes(result, areas, counties)
    area_name, county_name = shapes
    if counties is None:
        counties = geo.county_boundaries()
    fields = [str(c) for c in frame.columns if c not in ("station_id", "lat", "lon")]
    missing = bool((frame["band_label"] == text("table.no_score", language)).any())
    colour = band_color(language, missing, legend)
    tooltip = _station_tooltip(language)

    cells = (
        alt.Chart(alt.NamedData(name=area_name))
        .mark_geoshape(stroke="white", strokeWidth=0.6, cursor="pointer")
        .encode(color=colour, tooltip=tooltip, href="page:N")
        .transform_lookup(
            lookup="properties.station_id",
            from_=alt.LookupData(frame, "station_id", fields),
        )
        .transform_calculate(  # an area without a scored station still shows, grey and labelled
            band_label=f"datum.band_label || {json.dumps(text('table.no_score', language))}",
        )
    )
    # fill=None: an unfilled shape would otherwise take every pointer event over the areas
    borders = alt.Chart(alt.NamedData(name=county_name)).mark_geoshape(
        filled=False, fill=None, stroke=BORDER_COLOUR, strokeWidth=1.1
    )
    ring = (
        alt.Chart(frame)
        .transform_filter("datum.borderline")
        .mark_circle(
            filled=False,
            fill=None,
            size=ring_size,
            stroke="#1a1a1a",
            strokeWidth=1,
            strokeDash=[2, 2],
        )
        .encode(longitude="lon:Q", latitude="lat:Q")
    )
    mark = alt.Chart(frame).encode(
        longitude="lon:Q", latitude="lat:Q", text="mark:N", tooltip=tooltip, href="page:N"
    )
    halo = mark.mark_text(
        fontSize=font_size, fontWeight="bold", stroke="white", strokeWidth=2.5, opacity=0.9
    )
    letters = mark.mark_text(
        fontSize=font_size, fontWeight="bold", color="#1a1a1a", cursor="pointer"
    )
    layers = [cells, borders, ring, halo, letters]
    if county_names:
        names = alt.Chart(_county_labels(counties, frame, language)).encode(
            longitude="lon:Q", latitude="lat:Q", text="county_name:N"
        )
        layers[2:2] = [
            names.mark_text(fontSize=11, stroke="white", strokeWidth=3, opacity=0.8),
            names.mark_text(fontSize=11, color="#444444"),
        ]
    return (
        alt.LayerChart(layer=layers, datasets=shapes)
        .project(type="mercator")
        .properties(width=width, height=height, title=title)
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
    marks_key = text("map.marks_key", language, margin=f"{result.params.bands.borderline:g}")
    title = alt.TitleParams(
        text("chart.map", language, period=result.params.period),
        subtitle=[*_caption_lines(language), marks_key],
    )
    legend_spec = (
        alt.Legend(
            orient="top-right", fillColor="white", padding=6, labelExpr=_legend_labels(result)
        )
        if legend
        else None
    )
    return _map(result, areas, counties, width, height, legend_spec, title, font_size=10)


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
    counties = _named_counties()
    county_name = shared_name(counties)
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
        alt.Chart(alt.NamedData(name=county_name))
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
        alt.LayerChart(layer=layers, datasets={county_name: counties})
        .project(type="mercator")
        .properties(width=width, height=height, title=title)
    )


def overview_map(result: ScoreResult) -> alt.LayerChart:
    """The overview's map: :func:`colour_map` (service areas), or :func:`county_map` for a
    month of more than :data:`~fivecolor.views.large_month.LARGE_MONTH` stations."""
    return county_map(result) if is_large(result) else colour_map(result)


def _grade_words(language: Language) -> str:
    """A Vega expression giving each grade's legend entry as its word alone (优秀, excellent):
    the short labels that fit five in a row in the home page's window."""
    expression = "datum.label"
    for band in reversed(BANDS):
        label = BAND_LABELS[band][language]
        word = re.search(r"[（(]([^）)]+)[）)]", label)
        short = word.group(1) if word else label
        expression = f"datum.label === {json.dumps(label)} ? {json.dumps(short)} : ({expression})"
    return expression


def widget_map(result: ScoreResult, width: int = 300, height: int = 225) -> alt.LayerChart:
    """A compact :func:`colour_map` for the home page's 400×300 window.

    The legend is one row under the map in 12 px type; the schematic label and the data
    credits are the window's own text (:mod:`fivecolor.views.widget`), not the chart's.
    """
    language = result.params.language
    legend = alt.Legend(
        orient="bottom",
        direction="horizontal",
        columns=len(BANDS),
        title=None,
        labelFontSize=12,
        labelExpr=_grade_words(language),
        symbolSize=80,
        columnPadding=8,
        padding=0,
        offset=4,
        labelLimit=120,
    )
    return _map(
        result,
        None,
        None,
        width,
        height,
        legend,
        alt.TitleParams(""),
        font_size=7,
        county_names=False,
    ).properties(padding={"left": 2, "right": 2, "top": 2, "bottom": 2})
