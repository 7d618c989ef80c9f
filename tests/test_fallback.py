"""Every chart's still SVG: the same picture as vl-convert draws it, small, relative links, and
never mistaken for a chart vega-embed drew."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import vl_convert

from fivecolor import load_data, load_params, score
from fivecolor.views import embed, maps, theme
from fivecolor.views.fallback import compact_svg, static_svg

ROOT = Path(__file__).resolve().parents[1]
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.fixture(scope="module")
def map_svgs():
    params = load_params(ROOT / "params" / "2020-05.yaml")
    result = score(load_data(params), params)
    theme.setup("zh")
    spec = maps.colour_map(result).to_dict()
    raw = vl_convert.vegalite_to_svg(spec)
    return raw, compact_svg(raw, "map")


#: vega's paths that draw nothing: hidden (empty, display none) and axes' backgrounds of no size
_NOTHING_DRAWN = re.compile(r'<path[^>]* d="(?:M0,0h0v0h0Z)?"[^>]*>')


def _absolute_points(path: str) -> list[tuple[float, float] | str]:
    """The vertices of an ``M``/``L``/``l``/``z`` path in absolute coordinates, ``"z"`` for a close."""
    points: list[tuple[float, float] | str] = []
    x = y = 0.0
    for command, body in re.findall(r"([MLlZz])([^MLlZz]*)", path):
        if command in "Zz":
            points.append("z")
            continue
        values = [float(v) for v in _NUMBER.findall(body)]
        for k in range(0, len(values), 2):
            if command == "l":
                x, y = x + values[k], y + values[k + 1]
            else:
                x, y = values[k], values[k + 1]
            points.append((x, y))
    return points


def _deduplicated(points):
    kept = []
    for point in points:
        if point == "z" or not kept or kept[-1] == "z" or point != kept[-1]:
            kept.append(point)
    return kept


def test_area_outlines_keep_every_vertex_to_the_pixel(map_svgs):
    raw, small = map_svgs
    raw_paths = [d for d in re.findall(r' d="([^"]*)"', raw) if re.fullmatch(r"[MLZ\d.,e-]+", d)]
    small_paths = [d for d in re.findall(r' d="([^"]*)"', small) if "l" in d]
    assert len(raw_paths) == len(small_paths) >= 60  # one outline per service area at least
    for original, compacted in zip(raw_paths, small_paths, strict=True):
        expected = _deduplicated(
            [p if p == "z" else (round(p[0]), round(p[1])) for p in _absolute_points(original)]
        )
        assert _absolute_points(compacted) == expected


def test_compacting_keeps_the_text_and_the_marks_and_quarters_the_size(map_svgs):
    raw, small = map_svgs
    texts = re.compile(r"<text[^>]*>([^<]*)</text>")
    assert texts.findall(small) == texts.findall(raw)
    for element in ("<text", "<a ", "<rect", "<g"):
        assert small.count(element) == raw.count(element), element
    assert small.count("<path") == raw.count("<path") - len(_NOTHING_DRAWN.findall(raw))
    assert len(small) < len(raw) / 2.5
    assert len(small) < 70_000  # the overview's budget (300 kB) holds the map's picture


def test_the_still_map_links_relative_and_is_no_drawn_chart(map_svgs):
    raw, small = map_svgs
    assert "https://" in raw  # vl-convert puts its default base before the areas' links
    assert "http" not in small.replace("http://www.w3.org/", "")
    assert 'xlink:href="stations/meilin.html"' in small
    assert 'class="marks"' not in small and 'class="marks"' in raw
    assert small.startswith('<svg role="img" aria-label="map" font-family="')
    assert ">宁海县</text>" in small  # text stays text: the reader's fonts draw it


def test_chart_html_carries_the_still_chart_inside_the_div_vega_embed_empties():
    frame = pd.DataFrame({"station": ["海曙所", "江北所"], "score": [91.5, 84.0]})
    chart = alt.Chart(frame, title="综合得分 <b>").mark_bar().encode(x="station:N", y="score:Q")
    embed.reset_chart_ids()
    page = embed.chart_html(chart)
    div = re.match(
        r'<div id="([^"]+)" class="fc-chart"><div class="fc-fallback">(<svg.*?</svg>)</div></div>',
        page,
        re.S,
    )
    assert div is not None
    assert div.group(2) == static_svg(chart.to_dict(), None, f"{div.group(1)}-still")
    assert "海曙所" in div.group(2) and "<b>" not in div.group(2)  # escaped in the picture
    # on failure the script puts the picture back instead of an error line
    assert "still = el.innerHTML" in page and "el.innerHTML = still" in page
    assert "fc-fallback" not in embed.chart_html(chart, fallback=False)


def test_the_still_maps_links_open_where_the_live_ones_do(map_svgs):
    raw, _ = map_svgs
    in_a_tab = compact_svg(raw, link_target="_blank")
    assert in_a_tab.count('<a target="_blank" xlink:href="stations/') == raw.count("<a ") >= 60


@pytest.mark.parametrize(
    ("width", "height", "kind"),
    [
        (600, 200, "fc-chart"),
        (400, 300, "fc-chart fc-chart-tall"),
        (300, 600, "fc-chart fc-chart-tall"),
    ],
)
def test_on_paper_only_strip_shaped_charts_are_marked_to_shrink(width, height, kind):
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    chart = (
        alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q").properties(width=width, height=height)
    )
    svg_size = re.search(r'width="([\d.]+)" height="([\d.]+)"', static_svg(chart.to_dict()))
    assert svg_size is not None
    drawn_width, drawn_height = (float(v) for v in svg_size.groups())
    assert (drawn_height >= 0.6 * drawn_width) == ("tall" in kind)  # axes included
    assert f'class="{kind}">' in embed.chart_html(chart)


def test_a_pictures_ids_are_its_own_whatever_was_drawn_before_it():
    # vl-convert numbers clip paths with a counter that runs on through the process: the same
    # chart must still give the same picture in any worker, and two pictures in a page other ids
    frame = pd.DataFrame({"month": [1, 2, 3], "score": [70.0, 95.0, 120.0]})
    clipped = (
        alt.Chart(frame)
        .mark_line(clip=True)
        .encode(x="month:Q", y=alt.Y("score:Q", scale=alt.Scale(domain=[60, 100])))
    )
    first = static_svg(clipped.to_dict(), id_prefix="fc-a-1-still")
    static_svg(clipped.to_dict())  # moves vl-convert's counter on
    again = static_svg(clipped.to_dict(), id_prefix="fc-a-1-still")
    other = static_svg(clipped.to_dict(), id_prefix="fc-b-1-still")
    assert first == again
    ids = re.findall(r'\sid="([^"]+)"', first)
    assert ids and all(i.startswith("fc-a-1-still-") for i in ids)
    assert set(re.findall(r"url\(#([^)]+)\)", first)) <= set(ids)
    assert not set(ids) & set(re.findall(r'\sid="([^"]+)"', other))


def test_paths_that_draw_nothing_are_left_out_of_the_picture():
    chart = alt.Chart(pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})).mark_bar().encode(x="x", y="y")
    raw = vl_convert.vegalite_to_svg(chart.to_dict())
    small = compact_svg(raw)
    assert _NOTHING_DRAWN.findall(raw) and not _NOTHING_DRAWN.findall(small)
    drawn = [d for d in re.findall(r'<path[^>]* d="([^"]+)"', raw) if d != "M0,0h0v0h0Z"]
    assert len(re.findall(r"<path", small)) == len(drawn) > 0  # the bars and the axes' lines
