"""Charts embedded for offline pages: a ``<div class="fc-chart">`` drawn by a local ``vegaEmbed``.

:func:`enable_offline_charts` makes Altair emit the div plus a ``vegaEmbed(...)`` call instead of
Altair's default renderer, which fetches Vega from a CDN. Where ``vegaEmbed`` comes from:

- on the site, from the page: every page loads the shared ``reports/assets/vega-bundle.js``; the
  report's kernels say so by setting :data:`CHART_LIBRARY_ENV` to ``"page"``;
- in a notebook session (JupyterLab, or Papermill outside the report), from the notebook itself:
  :func:`show_chart_library`, called by the first code cell, puts the bundle the Python process
  has (vl-convert's) into that cell's output, the way ``bokeh.io.output_notebook`` does, with the
  styles of the package's HTML. Nothing is loaded from the network either way.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fivecolor.views import shared_data
from fivecolor.views.fallback import static_svg

if TYPE_CHECKING:
    from altair.utils.display import MimeBundleType

__all__ = [
    "CHART_LIBRARY_ENV",
    "RENDERER_NAME",
    "chart_html",
    "chart_library_html",
    "component_css",
    "enable_offline_charts",
    "offline_renderer",
    "reset_chart_ids",
    "show_chart_library",
    "vega_bundle",
]

RENDERER_NAME = "fivecolor_offline"

#: Set to ``"page"`` where the page that shows the notebook loads the bundle itself (the site).
CHART_LIBRARY_ENV = "FIVECOLOR_CHART_LIBRARY"

COMPONENTS_CSS = Path(__file__).with_name("components.css")

_GEOSHAPE = re.compile(r'"mark":(?:\{[^{}]*"type":)?"geoshape"')
_SVG_SIZE = re.compile(r'<svg [^>]*?width="(?P<width>[\d.]+)" height="(?P<height>[\d.]+)"')

# Per process (in a notebook: per kernel; the warm-kernel engine resets it per notebook).
_chart_counts: Counter[str] = Counter()


def reset_chart_ids() -> None:
    """Forget the chart ids handed out so far, so the next page numbers from scratch."""
    _chart_counts.clear()


def _spec_dict(chart_or_spec: Any) -> dict:
    return chart_or_spec.to_dict() if hasattr(chart_or_spec, "to_dict") else dict(chart_or_spec)


def _sharing_data() -> bool:
    """Whether the page supplies the shared datasets (the site's pages: :data:`CHART_LIBRARY_ENV`)."""
    return os.environ.get(CHART_LIBRARY_ENV) == "page"


def chart_html(
    chart_or_spec: Any,
    embed_options: dict | None = None,
    *,
    fallback: bool = True,
    share_data: bool | None = None,
) -> str:
    """HTML for one chart drawn by the page's global ``vegaEmbed``.

    Parameters
    ----------
    chart_or_spec
        An Altair chart or a Vega-Lite spec dict.
    embed_options
        vega-embed options, merged over ``{"actions": false, "renderer": "svg"}``.
    fallback
        Put the chart drawn as a still SVG (:func:`fivecolor.views.fallback.static_svg`) inside
        the div: it shows where scripts cannot run and on paper, and vega-embed replaces it
        (it empties the div) when the interactive chart draws. If drawing fails, it comes back.
    share_data
        Leave the spec's shared datasets (:mod:`fivecolor.views.shared_data`, the maps' shapes)
        out of the page: the chart reads them from the site's ``assets/data/`` files, which the
        page loads. Default: on the site's pages (:data:`CHART_LIBRARY_ENV` is ``"page"``);
        elsewhere the page carries every value, so it draws without the site.

    Returns
    -------
    str
        A ``div.fc-chart`` (also ``fc-chart-tall`` for a map or a chart at least 0.6 as high
        as wide) and a ``<script>``. The div id is a hash of the spec plus how often that spec has been
        drawn since :func:`reset_chart_ids`, so the same notebook gives the same HTML.
    """
    spec = _spec_dict(chart_or_spec)
    datasets = spec.get("datasets") or {}
    shared = (
        sorted(name for name in datasets if shared_data.is_shared(name))
        if (_sharing_data() if share_data is None else share_data)
        else []
    )
    drawn = spec  # the still picture needs every value
    if shared:
        spec = spec | {"datasets": {k: v for k, v in datasets.items() if k not in shared}}
    spec_json = shared_data.script_json(spec, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(spec_json.encode()).hexdigest()[:12]
    _chart_counts[digest] += 1
    div_id = f"fc-{digest}-{_chart_counts[digest]}"
    options = {"actions": False, "renderer": "svg"} | (embed_options or {})
    target = options.get("loader", {}).get("target")  # where the chart's links open
    picture = static_svg(drawn, target, f"{div_id}-still") if fallback else ""
    still = f'<div class="fc-fallback">{picture}</div>' if fallback else ""
    # on paper a strip-shaped chart shrinks to share its sheet; a map or a chart at least 0.6 as
    # high as wide (a heat map, stacked panels) would be unreadable so small and keeps its size
    size = _SVG_SIZE.search(picture)
    tall = size is not None and float(size["height"]) >= 0.6 * float(size["width"])
    kind = "fc-chart fc-chart-tall" if tall or _GEOSHAPE.search(spec_json) else "fc-chart"
    return (
        f'<div id="{div_id}" class="{kind}">{still}</div>\n'
        "<script>(function () {\n"
        f'  var el = document.getElementById("{div_id}"), still = el.innerHTML;\n'
        "  function fail(message) {\n"
        "    console.error(message);\n"
        "    if (still) { el.innerHTML = still; return; }  // the still chart, not an error line\n"
        '    el.className += " fc-chart-error"; el.textContent = message;\n'
        "  }\n"
        '  if (typeof vegaEmbed !== "function") {\n'
        '    fail("Chart library not loaded: on the site, reports/assets/vega-bundle.js is missing; "\n'
        '      + "in a notebook, run the first code cell (it loads the library)."); return;\n'
        "  }\n"
        f"  var spec = {spec_json};\n"
        + "".join(
            f"  spec.datasets[{json.dumps(name)}] = {shared_data.reference_js(name)};\n"
            for name in shared
        )
        + (
            "  if (Object.values(spec.datasets).indexOf(undefined) >= 0) {\n"
            '    fail("Chart data not loaded: reports/assets/data/ is missing a file"); return;\n'
            "  }\n"
            if shared
            else ""
        )
        + f"  vegaEmbed(el, spec, {shared_data.script_json(options, sort_keys=True)})\n"
        '    .catch(function (e) { fail("Chart error: " + e); });\n'
        "})();</script>"
    )


def offline_renderer(spec: dict, **metadata: Any) -> dict[str, Any]:
    """Altair renderer: a mimebundle whose HTML uses the shared offline bundle.

    The Vega-Lite mimetype rides along so that JupyterLab draws the chart natively; the HTML
    export picks ``text/html``.
    """
    import altair as alt

    major = alt.SCHEMA_VERSION.lstrip("v").split(".")[0]
    return {
        "text/html": chart_html(spec, metadata.get("embed_options")),
        f"application/vnd.vegalite.v{major}+json": spec,
        "text/plain": "<Altair chart>",
    }


def enable_offline_charts() -> None:
    """Register (once) and enable the ``fivecolor_offline`` Altair renderer.

    In the report's kernels (:data:`CHART_LIBRARY_ENV` is ``"page"``) a chart is also shown
    without Altair checking its spec against the Vega-Lite schema again (:func:`_unchecked_bundle`).
    """
    import altair as alt

    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, offline_renderer)
    alt.renderers.enable(RENDERER_NAME)
    if _sharing_data():
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.display_formatter.mimebundle_formatter.for_type(
                alt.TopLevelMixin, _unchecked_bundle
            )


def _unchecked_bundle(chart: Any) -> MimeBundleType | None:
    """What Altair's ``_repr_mimebundle_`` gives, without validating the spec.

    Validation costs about 25 ms a chart (two thirds of turning a station chart into its spec)
    and finds nothing new in a report: every chart function's spec is validated against the
    schema by the tests (``tests/test_charts.py``, ``tests/test_presentation.py``), in both
    languages. In JupyterLab, where an analyst edits a chart, Altair still validates.
    """
    import altair as alt

    renderer = alt.renderers.get()
    if renderer is None:
        return None
    return renderer(chart.to_dict(validate=False, context={"pre_transform": False}))


@functools.cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one classic script that sets ``window.vegaEmbed``.

    vl-convert's own bundle, so the charts draw with the very versions that drew them in
    Python; about 0.9 MB, built once per process (about 2 s).
    """
    import vl_convert

    # the stub makes `snippet` required; left out, it is the default that sets window.vegaEmbed
    return vl_convert.javascript_bundle()  # pyright: ignore[reportCallIssue]


def component_css() -> str:
    """The styles of the HTML the views emit (``.fc-*`` selectors only)."""
    return COMPONENTS_CSS.read_text(encoding="utf-8")


def chart_library_html() -> str:
    """A ``<style>`` and a ``<script>`` giving a notebook session what the site's pages load.

    The bundle runs inside a function and only when ``window.vegaEmbed`` is missing, so running
    the cell again, or a saved notebook reopened, never declares its names twice.
    """
    bundle = vega_bundle().replace("</script", "<\\/script")
    return (
        f"<style>{component_css()}</style>\n"
        '<script>if (typeof window.vegaEmbed !== "function") { (function () {\n'
        f"{bundle}\n"
        "})(); }</script>"
    )


def show_chart_library() -> None:
    """In a notebook session, display :func:`chart_library_html` once per call; else nothing.

    Nothing is shown where the page supplies the bundle (:data:`CHART_LIBRARY_ENV` is
    ``"page"``, as in the report's kernels) or outside an IPython kernel (scripts, tests).
    """
    if os.environ.get(CHART_LIBRARY_ENV) == "page":
        return
    from IPython import get_ipython
    from IPython.display import HTML, display

    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    display(HTML(chart_library_html()))
