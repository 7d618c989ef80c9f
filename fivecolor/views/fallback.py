"""A chart's static fallback: the same chart drawn once at build time as a small SVG.

The page shows it while scripts cannot run (JavaScript off, an old browser, a page forwarded
without ``assets/``) and on paper; vega-embed replaces it when the interactive chart draws
(:func:`fivecolor.views.embed.chart_html`).

vl-convert draws the SVG with the Vega version the pages load. Its text stays ``<text>``, so
the reader's browser draws Chinese with its own fonts. The raw output repeats each item's
accessibility labels and fonts and writes coordinates to 15 digits, about 180 kB for the map;
:func:`compact_svg` keeps the picture and drops what a still image does not need (about a
quarter of the size for the map).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["compact_svg", "static_svg"]

#: Where vl-convert resolves relative links when no base is given; the pages' links are relative.
_VL_CONVERT_BASE = "https://vega.github.io/vega-datasets/"

_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")
_DECIMAL = re.compile(r"-?\d*\.\d+(?:e[-+]?\d+)?")
_GEOMETRY_ATTRIBUTE = re.compile(
    r'\s(transform|x|y|x1|x2|y1|y2|dx|dy|r|rx|ry|cx|cy|stroke-width|font-size)="([^"]*)"'
)
_PATH_DATA = re.compile(r'\sd="([^"]*)"')
# per-item labels for screen readers: a still image gets one label, on its <svg>
_ITEM_ATTRIBUTE = re.compile(r'\s(?:aria-label|aria-roledescription|role|aria-hidden)="[^"]*"')
_FONT = re.compile(r'\sfont-family="([^"]*)"')
_CLASS = re.compile(r'\sclass="[^"]*"')
_POLYLINE = re.compile(r"^(?:[MLZ][-\d.,e]*)+$", re.IGNORECASE)
# attributes that only restate SVG's defaults
_DEFAULTS = re.compile(r'\s(?:transform="translate\(0,0\)"|opacity="1")(?=[\s/>])')
_RGB = re.compile(r"rgb\((\d+),\s*(\d+),\s*(\d+)\)")
_ID = re.compile(r'\sid="([^"]+)"')
# paths that draw nothing: vega's hidden ones (empty, display none) and its empty axis
# backgrounds (a rectangle of no size, no fill)
_INVISIBLE_PATH = re.compile(
    r'<path d="(?:M0,0h0v0h0Z)?"(?: (?:display|pointer-events)="none")*\s*(?:/>|></path>)'
)


def _short(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return "0" if text in ("-0", "") else text


def _rounded_numbers(text: str, decimals: int) -> str:
    return _DECIMAL.sub(lambda m: _short(float(m.group(0)), decimals), text)


def _relative_polyline(path: str) -> str:
    """An ``M``/``L``/``Z`` path (vega's geoshapes) as whole pixels, relative, repeats dropped.

    Relative steps of pixel-rounded points: no drift, and ``l3,4 1-2`` instead of
    ``L379.279,158.547L380.414,156.887``. Other paths (arcs, curves) are only rounded.
    """
    if not _POLYLINE.match(path.replace(" ", "")):
        return _rounded_numbers(path, 1)
    out: list[str] = []
    steps: list[str] = []  # one "l" command carries every step up to the next move or close

    def close_steps() -> None:
        if steps:
            out.append("l" + "".join(steps))
            steps.clear()

    last: tuple[int, int] | None = None
    for command, body in re.findall(r"([MLZmlz])([^MLZmlz]*)", path):
        if command in "Zz":
            close_steps()
            out.append("z")
            continue
        if command.islower():  # relative input: leave this path to rounding alone
            return _rounded_numbers(path, 1)
        values = [float(v) for v in _NUMBER.findall(body)]
        for k in range(0, len(values) - 1, 2):
            point = (round(values[k]), round(values[k + 1]))
            if command == "M" or last is None:
                close_steps()
                out.append(f"M{point[0]},{point[1]}")
            elif point != last:
                dx, dy = point[0] - last[0], point[1] - last[1]
                step = f"{dx}{dy}" if dy < 0 else f"{dx},{dy}"  # a minus sign separates
                steps.append(step if not steps or step[0] == "-" else f" {step}")
            last = point
            command = "L"  # coordinates after the first of an M are lines
    close_steps()
    return "".join(out)


def _own_ids(svg: str, prefix: str) -> str:
    """The picture's ids (clip paths, gradients) as ``prefix-0``, ``prefix-1``... in order.

    vl-convert numbers them with a counter that runs on through the process, so the same chart
    would get other ids in another worker, and two pictures in one page could share one.
    """
    ids = {name: f"{prefix}-{i}" for i, name in enumerate(dict.fromkeys(_ID.findall(svg)))}
    if not ids:
        return svg
    pattern = re.compile(r'(\sid="|url\(#|href="#)(' + "|".join(map(re.escape, ids)) + r')(?=[")])')
    return pattern.sub(lambda m: m.group(1) + ids[m.group(2)], svg)


def compact_svg(
    svg: str,
    label: str | None = None,
    link_target: str | None = None,
    id_prefix: str = "fc-still",
) -> str:
    """vl-convert's SVG made small for a page: same picture, fewer bytes.

    - per-item ``aria-*`` and ``role`` attributes go; the ``<svg>`` gets ``role="img"`` and
      ``label`` as its ``aria-label``;
    - coordinates are rounded to 0.1 px, and geoshape outlines are whole-pixel relative steps;
    - one font family, when all text shares it, is said once on the ``<svg>``;
    - attributes that restate defaults go, and ``rgb(...)`` colours become ``#rrggbb``;
    - paths that draw nothing go (hidden and empty ones, axes' backgrounds of no size);
    - ``class`` attributes go, so the picture is never taken for a chart vega-embed drew
      (those are ``svg.marks``);
    - links lose the base vl-convert puts before them, so they stay relative to the page, and
      open in ``link_target`` when given (as the interactive chart's do);
    - ids are ``id_prefix-0``, ``id_prefix-1``... (:func:`_own_ids`): give each picture in a page
      its own prefix.
    """
    svg = _own_ids(svg.replace(_VL_CONVERT_BASE, ""), id_prefix)
    if link_target:
        svg = svg.replace("<a ", f'<a target="{link_target}" ')
    svg = _ITEM_ATTRIBUTE.sub("", svg)
    svg = _CLASS.sub("", svg)
    svg = _DEFAULTS.sub("", svg)
    svg = _RGB.sub(lambda m: "#{:02x}{:02x}{:02x}".format(*map(int, m.groups())), svg)
    svg = _PATH_DATA.sub(lambda m: f' d="{_relative_polyline(m.group(1))}"', svg)
    svg = _INVISIBLE_PATH.sub("", svg)
    svg = _GEOMETRY_ATTRIBUTE.sub(
        lambda m: f' {m.group(1)}="{_rounded_numbers(m.group(2), 1)}"', svg
    )
    root = 'role="img"'
    if label:
        escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        root += f' aria-label="{escaped}"'
    fonts = set(_FONT.findall(svg))
    if len(fonts) == 1:
        svg = _FONT.sub("", svg)
        root += f' font-family="{fonts.pop()}"'
    return svg.replace("<svg ", f"<svg {root} ", 1)


def _title_text(spec: dict) -> str | None:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title) if title else None


def static_svg(
    spec: dict[str, Any], link_target: str | None = None, id_prefix: str = "fc-still"
) -> str:
    """The Vega-Lite ``spec`` drawn by vl-convert, compacted by :func:`compact_svg`.

    About 30 ms for a small chart and 1–2 s for a map of 60 areas (measured in
    ``benchmarks/report.py``).
    """
    import vl_convert

    return compact_svg(vl_convert.vegalite_to_svg(spec), _title_text(spec), link_target, id_prefix)
