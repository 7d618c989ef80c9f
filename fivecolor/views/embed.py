"""Charts embedded for offline pages: a ``<div class="fc-chart">`` drawn by the page's own bundle.

:func:`enable_offline_charts` makes Altair emit the div plus a ``vegaEmbed(...)`` call that uses
the bundle loaded by the page (``reports/assets/vega-bundle.js``), instead of Altair's default
renderer, which fetches Vega from a CDN.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

__all__ = [
    "RENDERER_NAME",
    "chart_html",
    "enable_offline_charts",
    "offline_renderer",
    "reset_chart_ids",
]

RENDERER_NAME = "fivecolor_offline"

# Per process (in a notebook: per kernel; the warm-kernel engine resets it per notebook).
_chart_counts: Counter[str] = Counter()


def reset_chart_ids() -> None:
    """Forget the chart ids handed out so far, so the next page numbers from scratch."""
    _chart_counts.clear()


def _spec_dict(chart_or_spec: Any) -> dict:
    return chart_or_spec.to_dict() if hasattr(chart_or_spec, "to_dict") else dict(chart_or_spec)


def _script_json(value: Any, **dump_options: Any) -> str:
    """JSON safe inside ``<script>``: no ``</script>``, ``<!--`` or JS line separators."""
    text = json.dumps(value, ensure_ascii=False, **dump_options)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def chart_html(chart_or_spec: Any, embed_options: dict | None = None) -> str:
    """HTML for one chart drawn by the page's global ``vegaEmbed``.

    Parameters
    ----------
    chart_or_spec
        An Altair chart or a Vega-Lite spec dict.
    embed_options
        vega-embed options, merged over ``{"actions": false, "renderer": "svg"}``.

    Returns
    -------
    str
        A ``div.fc-chart`` and a ``<script>``. The div id is a hash of the spec plus how
        often that spec has been drawn since :func:`reset_chart_ids`, so the same
        notebook gives the same HTML.
    """
    spec = _spec_dict(chart_or_spec)
    spec_json = _script_json(spec, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(spec_json.encode()).hexdigest()[:12]
    _chart_counts[digest] += 1
    div_id = f"fc-{digest}-{_chart_counts[digest]}"
    options = {"actions": False, "renderer": "svg"} | (embed_options or {})
    return (
        f'<div id="{div_id}" class="fc-chart"></div>\n'
        "<script>(function () {\n"
        f'  var el = document.getElementById("{div_id}");\n'
        "  function fail(message) {\n"
        '    el.className += " fc-chart-error"; el.textContent = message; console.error(message);\n'
        "  }\n"
        '  if (typeof vegaEmbed !== "function") { fail("Chart library not loaded (vega-bundle.js)."); return; }\n'
        f"  vegaEmbed(el, {spec_json}, {_script_json(options, sort_keys=True)})\n"
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
    """Register (once) and enable the ``fivecolor_offline`` Altair renderer."""
    import altair as alt

    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, offline_renderer)
    alt.renderers.enable(RENDERER_NAME)
