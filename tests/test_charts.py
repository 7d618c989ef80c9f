"""Charts of the sample month: every spec renders offline in zh and en, grades are named,
English charts carry no Chinese, the map joins the right scores to the right cells."""

from __future__ import annotations

import dataclasses
import json
import re
import string
from pathlib import Path

import altair as alt
import numpy as np
import pytest
import vl_convert as vlc

from fivecolor import load_data, load_params, score
from fivecolor.data import geography as geo
from fivecolor.views import maps, one_station, overview, theme
from fivecolor.views.embed import RENDERER_NAME
from fivecolor.views.text import BAND_LABELS, BANDS, TEXT, map_caption, text
from fivecolor.views.theme import BAND_COLOURS

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
STATION = "chaiqiao"  # 柴桥供电所, Beilun: mid-table, green in May 2020
ENGLISH_GRADES = [
    "Red (excellent)",
    "Orange (good)",
    "Blue (medium)",
    "Green (slightly poor)",
    "Yellow (lagging)",
]
CHINESE_GRADES = ["红色（优秀）", "橙色（较好）", "蓝色（中等）", "绿色（稍差）", "黄色（落后）"]
CHARTS = {
    "colour_map": maps.colour_map,
    "widget_map": maps.widget_map,
    "colour_history": overview.colour_history,
    "indicator_heatmap": overview.indicator_heatmap,
    "weak_indicator_chart": overview.weak_indicator_chart,
    "station_history": lambda r: one_station.station_history(r, STATION),
    "station_indicators": lambda r: one_station.station_indicators(r, STATION),
}
BAND_CHARTS = (
    "colour_map",
    "widget_map",
    "colour_history",
    "station_history",
)


@pytest.fixture(scope="module")
def results():
    params = load_params(ROOT / "params" / "2020-05.yaml")
    data = load_data(params)
    return {"zh": score(data, params), "en": score(data, params.replace(language="en"))}


@pytest.fixture(scope="module", autouse=True)
def restore_altair_globals():
    """setup() switches Altair's theme and renderer for the process: give them back afterwards."""
    theme, renderer = alt.theme.active, alt.renderers.active
    yield
    alt.theme.enable(theme)
    alt.renderers.enable(renderer)


@pytest.fixture(scope="module")
def specs(results):
    """Every chart's Vega-Lite dict, per language, built once under the project theme."""
    theme.setup()
    return {
        (name, lang): make(results[lang]).to_dict()
        for name, make in CHARTS.items()
        for lang in results
    }


# --------------------------------------------------------------------------- helpers
def walk(node, skip_data: bool = True):
    """Every dict in a spec, depth first; inline data left out unless asked."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if skip_data and key in ("datasets", "data", "values", "from"):
                continue
            yield from walk(value, skip_data)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value, skip_data)


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def band_colour_scales(spec: dict) -> list[dict]:
    return [d["scale"] for d in walk(spec) if d.get("field") == "band_label" and "scale" in d]


def inline_rows(spec: dict) -> list[list]:
    """Every inline dataset of a spec (top-level ``datasets`` and ``data.values``)."""
    found = list(spec.get("datasets", {}).values())
    found += [d["values"] for d in walk(spec, skip_data=False) if isinstance(d.get("values"), list)]
    return found


def titles(spec: dict) -> list[str]:
    """Chart titles and subtitles, axis, legend and tooltip titles (the theme's config left out)."""
    out = []
    for d in walk({k: v for k, v in spec.items() if k != "config"}):
        title = d.get("title")
        if isinstance(title, dict):
            out += [*strings(title.get("text", [])), *strings(title.get("subtitle", []))]
        elif title is not None:
            out += list(strings(title))
    return out


def svg(spec: dict, capfd) -> str:
    image = vlc.vegalite_to_svg(spec, show_warnings=True)
    assert "WARN" not in capfd.readouterr().err
    return image


def signed_area(ring) -> float:
    """Shoelace area in lon/lat: positive counter-clockwise (written here, not taken from geo)."""
    xy = np.asarray(ring, dtype=float)
    return 0.5 * float(np.sum(xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1]))


def exterior_rings(features: list[dict]):
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            yield polygon[0]


def map_features(spec: dict) -> list[list[dict]]:
    return [rows for rows in inline_rows(spec) if rows and rows[0].get("type") == "Feature"]


# --------------------------------------------------------------------------- every chart
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_renders_to_svg_without_warnings(specs, name, lang, capfd):
    image = svg(specs[name, lang], capfd)
    assert image.startswith("<svg") and "<path" in image


@pytest.mark.parametrize("name", list(CHARTS))
def test_english_charts_hold_no_chinese_at_all(specs, name):
    # The sample has English station names, so not even the data may hold CJK text in en.
    found = CJK.findall(json.dumps(specs[name, "en"], ensure_ascii=False))
    assert found == []


@pytest.mark.parametrize("name", list(CHARTS))
def test_chinese_charts_have_chinese_titles(specs, name):
    shown = titles(specs[name, "zh"])
    worded = [
        t for t in shown if re.search("[A-Za-z]{3}", t)
    ]  # e.g. "2020-05" or "≥" need no words
    assert shown and all(CJK.search(t) for t in worded), worded


def test_english_titles_are_the_catalogue_entries(specs, results):
    period = results["en"].params.period
    assert (
        titles(specs["indicator_heatmap", "en"])[0]
        == f"Normalised indicator scores by station ({period}, by rank)"
    )
    history = titles(specs["colour_history", "en"])
    assert {
        "Stations per colour, month by month",
        "Share red and the stage targets toward all red",
        "Stations",
        "Share red",
        "Month",
    } <= set(history)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", BAND_CHARTS)
def test_band_legends_list_the_five_grade_names_best_first(specs, name, lang):
    expected = ENGLISH_GRADES if lang == "en" else CHINESE_GRADES
    scales = band_colour_scales(specs[name, lang])
    assert scales
    for scale in scales:
        assert scale["domain"] == expected
        assert scale["range"] == ["#d7301f", "#fc8d28", "#3a7bd5", "#2ca25f", "#f2d43d"]


def test_band_scale_is_the_catalogue_in_order():
    for lang, expected in (("en", ENGLISH_GRADES), ("zh", CHINESE_GRADES)):
        scale = theme.band_scale(lang).to_dict()
        assert scale == {"domain": expected, "range": [BAND_COLOURS[b] for b in BANDS]}
        with_missing = theme.band_scale(lang, missing=True).to_dict()
        assert with_missing["domain"] == [*expected, text("table.no_score", lang)]
        assert with_missing["range"][-1] == theme.NO_SCORE_COLOUR


def test_setup_is_idempotent_and_enables_theme_and_offline_renderer(results):
    theme.setup("en")
    theme.setup("en")
    assert alt.theme.active == "fivecolor" and alt.renderers.active == RENDERER_NAME
    config = overview.weak_indicator_chart(results["en"]).to_dict()["config"]
    assert config["font"].startswith("Helvetica") and "WenQuanYi Micro Hei" in config["font"]
    assert config["view"]["stroke"] is None
    theme.setup()
    config = overview.weak_indicator_chart(results["zh"]).to_dict()["config"]
    assert config["font"].startswith("Noto Sans CJK SC") and config["font"].endswith("sans-serif")


def test_overview_specs_stay_small(specs):
    # The overview page shows every chart once: compact JSON must leave room in ~400 KB of HTML.
    sizes = {
        name: len(json.dumps(specs[name, "zh"], ensure_ascii=False, separators=(",", ":")).encode())
        for name in CHARTS
    }
    assert sum(sizes.values()) < 320_000, sizes
    assert sizes["colour_map"] < 120_000


# --------------------------------------------------------------------------- the map
@pytest.mark.parametrize("name", ["colour_map", "widget_map"])
def test_map_geometry_is_inline_once_with_clockwise_rings(specs, name):
    features = map_features(specs[name, "zh"])
    assert sorted(len(f) for f in features) == [10, 60]  # counties and cells, each once
    rings = list(exterior_rings([f for group in features for f in group]))
    assert len(rings) >= 70 and all(signed_area(ring) < 0 for ring in rings)


def test_map_rewinds_counter_clockwise_input(results):
    stations = results["zh"].data.stations.reset_index()
    areas = geo.service_areas(stations)
    for feature in areas["features"]:  # RFC 7946 winding: would fill the whole frame
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            polygon[0] = polygon[0][::-1]
    assert all(signed_area(r) > 0 for r in exterior_rings(areas["features"]))
    spec = maps.colour_map(results["zh"], areas=areas).to_dict()
    cells = next(rows for rows in map_features(spec) if len(rows) == 60)
    assert all(signed_area(r) < 0 for r in exterior_rings(cells))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_draws_every_station_cell_with_its_grade_colour_and_tooltip(
    results, specs, lang, capfd
):
    result = results[lang]
    image = svg(specs["colour_map", lang], capfd)
    cells = re.findall(
        r'<path aria-label="([^"]*)"[^>]*aria-roledescription="geoshape"[^>]*fill="([^"]*)"', image
    )
    assert len(cells) >= 60
    # Fill colours counted from the drawing match the grades counted from the scores.
    t = result.period_index
    fills = [fill for _, fill in cells]
    for code, band in enumerate(BANDS):
        assert fills.count(BAND_COLOURS[band]) == int((result.band[t] == code).sum())
    # Each station's cell carries its name, score (1 decimal), rank and grade.
    labels = {label for label, _ in cells}
    table = result.table().set_index("station_id")
    names = result.data.stations["name" if lang == "zh" else "name_en"]
    for station_id in ("hengjie", STATION, table.index[-1]):
        row = table.loc[station_id]
        expected = [
            f"{text('table.station', lang)}: {names[station_id]}",
            f"{text('table.score', lang)}: {row['score']:.1f}",
            f"{text('table.rank', lang)}: {row['rank']}",
            BAND_LABELS[row["band"]][lang],
        ]
        assert any(all(part in label for part in expected) for label in labels), station_id


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_tooltips_and_caption(specs, lang):
    spec = specs["colour_map", lang]
    tooltip_titles = {
        d["title"] for layer in spec["layer"] for d in layer.get("encoding", {}).get("tooltip", [])
    }
    assert {
        text(k, lang)
        for k in (
            "table.station",
            "table.county",
            "table.score",
            "table.rank",
            "table.band",
            "table.change",
            "map.score_change",
            "map.to_next",
            "map.above_lower",
        )
    } <= tooltip_titles
    *subtitle, marks_key = spec["title"]["subtitle"]
    assert marks_key == text("map.marks_key", lang, margin="0.5")
    assert subtitle[0] == text("map.schematic", lang)
    caption = map_caption(lang)
    assert (
        all(line.lower() in caption.lower() for line in subtitle)
        and sum(map(len, subtitle)) >= len(caption) - 8
    )
    assert spec["projection"]["type"] == "mercator"


def test_map_shows_a_station_without_score_in_grey_with_a_label(results, capfd):
    result = results["en"]
    t = result.period_index
    s = result.data.station_ids.get_loc(STATION)
    composite, rank, band = result.composite.copy(), result.rank.copy(), result.band.copy()
    composite[t, s], rank[t, s], band[t, s] = np.nan, np.nan, -1
    holed = dataclasses.replace(result, composite=composite, rank=rank, band=band)
    spec = maps.colour_map(holed).to_dict()
    (scale,) = band_colour_scales(spec)[:1]
    assert scale["domain"][-1] == "No score" and scale["range"][-1] == theme.NO_SCORE_COLOUR
    image = svg(spec, capfd)
    grey = re.findall(r'<path aria-label="([^"]*)"[^>]*geoshape"[^>]*fill="#bdbdbd"', image)
    assert len(grey) == 1 and "Chaiqiao station" in grey[0] and "No score" in grey[0]


def test_widget_map_fits_the_home_page_window(specs, capfd):
    for lang in ("zh", "en"):
        image = svg(specs["widget_map", lang], capfd)
        width, height = map(
            float, re.search(r'<svg[^>]*width="([\d.]+)" height="([\d.]+)"', image).groups()
        )
        assert width <= 400 and height <= 300


# --------------------------------------------------------------------------- the other charts
def test_colour_history_follows_red_share_and_stage_targets(results, specs):
    result = results["en"]
    spec = specs["colour_history", "en"]
    datasets = inline_rows(spec)
    share_rows = next(
        rows for rows in datasets if rows and "share" in rows[0] and "stage" not in rows[0]
    )
    red_share = (result.band == 0).sum(axis=1) / (result.band >= 0).sum(axis=1)
    assert [r["share"] for r in share_rows] == pytest.approx(red_share, abs=1e-4)
    stages = next(rows for rows in datasets if rows and "stage" in rows[0] and rows[0]["stage"])
    assert [(r["period"], r["share"], r["stage"]) for r in stages] == [
        ("2020-12", 0.3, "Stage 1"),
        ("2021-12", 0.6, "Stage 2"),
        ("2022-12", 1.0, "Stage 3 (all red)"),
    ]
    # Stacks: red (code 0) first, i.e. at the bottom, in every month.
    bars = spec["vconcat"][0]
    assert bars["encoding"]["order"] == {
        "field": "code",
        "type": "quantitative",
        "sort": "ascending",
    }
    counts = next(rows for rows in datasets if rows and "code" in rows[0])
    assert (
        len(counts) == 5 * len(result.periods)
        and sum(r["count"] for r in counts) == result.band.size
    )
    plain = json.dumps(overview.colour_history(result, stages=False).to_dict())
    assert "Stage" not in plain and "stage" not in plain


def test_indicator_heatmap_cells_are_this_months_normalised_scores(results, specs):
    result = results["zh"]
    spec = specs["indicator_heatmap", "zh"]
    datasets = inline_rows(spec)
    cells = next(rows for rows in datasets if rows and "v" in rows[0])
    stations = next(rows for rows in datasets if rows and "station" in rows[0])
    assert len(cells) == 60 * 10
    by_code = {r["s"]: r for r in stations}
    assert [by_code[k]["rank"] for k in range(60)] == list(range(1, 61))  # codes follow rank
    first = result.data.station_ids.get_loc(result.table()["station_id"].iloc[0])
    t = result.period_index
    top_row = sorted((c for c in cells if c["s"] == 0), key=lambda c: c["i"])
    assert [c["v"] for c in top_row] == pytest.approx(np.round(result.normalised[t, first], 1))
    unit = result.params.indicators["line_loss"].unit
    assert top_row[3]["raw"] == f"{result.data.values[t, first, 3]:.4g} {unit}"
    assert spec["encoding"]["y"]["sort"] == {"field": "rank", "op": "min"}


def test_weak_indicator_chart_splits_each_count_by_reason(results, specs):
    from fivecolor.analysis.month import weak_indicators

    result = results["en"]
    rows = max(inline_rows(specs["weak_indicator_chart", "en"]), key=len)
    weak = weak_indicators(result)
    assert sum(r["count"] for r in rows) == len(weak)
    bottom = {r["indicator"]: r["count"] for r in rows if r["reason"] == "Bottom band"}
    assert bottom["Line loss"] == int(
        weak[(weak["indicator"] == "line_loss") & weak["bottom_band"]].shape[0]
    )


def test_station_history_draws_the_cutoff_ranges_and_every_month(results, specs):
    result = results["zh"]
    spec = specs["station_history", "zh"]
    ranges = next(rows for rows in inline_rows(spec) if rows and "top" in rows[0])
    assert [r["top"] for r in ranges] == [100, 90, 85, 80, 75]
    assert [r["low"] for r in ranges][:4] == [90, 85, 80, 75]
    assert [r["band_label"] for r in ranges] == CHINESE_GRADES
    points = next(rows for rows in inline_rows(spec) if rows and "score" in rows[0])
    s = result.data.station_ids.get_loc(STATION)
    assert [p["score"] for p in points] == pytest.approx(np.round(result.composite[:, s], 1))
    quantile_params = result.params.replace(bands={"method": "quantiles"})
    quantile = score(result.data, quantile_params)
    assert not any(
        "top" in (rows[0] if rows else {})
        for rows in inline_rows(one_station.station_history(quantile, STATION).to_dict())
    )


def test_station_indicators_compares_with_median_and_best(results, specs):
    result = results["en"]
    rows = max(inline_rows(specs["station_indicators", "en"]), key=len)
    t = result.period_index
    median = [r["v"] for r in rows if r["series"] == "Company median"]
    assert median == pytest.approx(np.round(np.median(result.normalised[t], axis=0), 1))
    best = [r for r in rows if r["series"].startswith("Best station")]
    assert best[0]["series"] == "Best station (Hengjie station)"
    own = [r for r in rows if r["series"] == "Chaiqiao station"]
    assert len(own) == 10 and own[3]["raw"].endswith(" %")
    with pytest.raises(KeyError):
        one_station.station_indicators(result, "nowhere")


# --------------------------------------------------------------------------- the catalogue
def test_text_catalogue_is_complete_in_both_languages():
    for key, entry in TEXT.items():
        assert set(entry) == {"zh", "en"}, key
        assert entry["zh"].strip() and entry["en"].strip(), key
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
            for lang in ("zh", "en")
        ]
        assert fields[0] == fields[1], key
        assert not CJK.search(entry["en"]), key
    assert (
        text("chart.map", "en", period="2020-05") == "Five-colour map of supply stations, 2020-05"
    )
