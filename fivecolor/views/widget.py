"""The intranet home page's floating window: the compact map, the report's title and month, and
a link to the full report.

:func:`widget_body` gives the window's HTML body and :func:`widget_title` its page title; the
site wraps them into a page (:func:`fivecolor.site.render.render_page`). The body comes from a
small Jinja2 template with autoescape on, so the title (user text) is always escaped; only the
chart's own HTML is passed through as markup.
"""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.embed import chart_html
from fivecolor.views.maps import widget_map
from fivecolor.views.text import text
from fivecolor.views.theme import setup

__all__ = ["widget_body", "widget_title"]

_BODY = jinja2.Environment(autoescape=True).from_string(
    '<div class="fc-widget"><p class="fc-widget-head">'
    '<span class="fc-widget-title">{{ title }} · {{ period }}</span>'
    '<a class="fc-widget-link" href="index.html" target="_blank" rel="noopener">{{ open_report }}</a>'
    "</p>\n{{ chart }}\n"
    '<p class="fc-widget-credits">{{ credits }}</p></div>'
)


def widget_title(result: ScoreResult) -> str:
    """The window page's title: the report's title and the month, as plain text."""
    p = result.params
    return f"{p.label(p.title)} · {p.period}"


def widget_body(result: ScoreResult) -> str:
    """The window's HTML: title, month and a link to ``index.html`` (a new tab) on the first line,
    :func:`fivecolor.views.maps.widget_map`, and the map's credits in small type under it. Sets up
    the chart theme in the month's language."""
    p = result.params
    setup(p.language)
    return _BODY.render(
        title=p.label(p.title),
        period=p.period,
        # in the home page's frame, an area opens its station's page in a new tab, as the link
        # to the report does, and leaves the home page where it is
        # a site page: the map's shapes come from the site's assets, shared with the overview
        chart=Markup(
            chart_html(widget_map(result), {"loader": {"target": "_blank"}}, share_data=True)
        ),
        open_report=text("widget.open", p.language),
        credits=f"{text('map.schematic', p.language)} · {text('map.attribution', p.language)}",
    )
