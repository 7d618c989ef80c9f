"""The bar at the top of every page: the months list, the month before and after, the month's
overview and its downloads; and the site-wide list of published months it reads.

A published month never changes, yet the month after it appears later. So the bar names the
months list, the overview and the downloads as plain links, and the previous and next months
come from ``assets/months.js``, which every publication rewrites: a page published in May links
to June once June is out. Without scripts the bar still leads to the months list.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from fivecolor.site.outputs import atomic_write_text
from fivecolor.views.text import Language, text

__all__ = ["MONTHS_SCRIPT", "nav_html", "write_months_script"]

#: The site-wide list of published months, under ``reports/assets``.
MONTHS_SCRIPT = "months.js"

_NAV = jinja2.Environment(autoescape=True).from_string(
    '<nav class="fc-nav" aria-label="{{ label }}" data-period="{{ period }}" data-site="{{ site }}">'
    '<a class="fc-nav-months" href="{{ site }}index.html">{{ months }}</a>'
    '<a class="fc-nav-prev" href="{{ site }}index.html" hidden>← {{ previous }} '
    '<span class="fc-nav-period"></span></a>'
    '<a class="fc-nav-overview" href="{{ month }}index.html">{{ overview }} {{ period }}</a>'
    '<a href="{{ month }}sensitivity.html">{{ robustness }}</a>'
    '<a class="fc-nav-next" href="{{ site }}index.html" hidden>{{ next }} '
    '<span class="fc-nav-period"></span> →</a>'
    '<span class="fc-nav-downloads">{{ downloads }}'
    '<a href="{{ month }}scores.xlsx" download>scores.xlsx</a>'
    '<a href="{{ month }}scores.csv" download>scores.csv</a>'
    '<a href="{{ month }}actions/index.html">{{ actions }}</a></span>'
    "</nav>\n"
    '<script src="{{ site }}assets/{{ script }}"></script>\n'
)

# Runs where the bar is (the script tag follows it): finds the months either side of the page's.
_MONTHS_JS = """(function (months) {
  document.querySelectorAll("nav.fc-nav").forEach(function (nav) {
    var period = nav.getAttribute("data-period"), site = nav.getAttribute("data-site");
    var older = months.filter(function (m) { return m < period; })[0];
    var newer = months.filter(function (m) { return m > period; }).pop();
    [[".fc-nav-prev", older], [".fc-nav-next", newer]].forEach(function (pair) {
      var link = nav.querySelector(pair[0]);
      if (!link || !pair[1]) return;
      link.href = site + pair[1] + "/index.html";
      link.querySelector(".fc-nav-period").textContent = pair[1];
      link.hidden = false;
    });
  });
})(%s);
"""


def nav_html(period: str, page_html: str, month_depth: int, language: Language) -> str:
    """The bar for the page ``page_html`` (relative to its month folder, e.g.
    ``stations/x.html``) of a month folder ``month_depth`` folders below ``reports/``."""
    up = page_html.count("/")
    return _NAV.render(
        label=text("nav.label", language),
        period=period,
        site="../" * (up + month_depth),
        month="../" * up,
        months=text("nav.months", language),
        previous=text("nav.previous", language),
        next=text("nav.next", language),
        overview=text("nav.month_overview", language),
        robustness=text("nav.sensitivity", language),
        downloads=text("nav.downloads", language),
        actions=text("nav.actions", language),
        script=MONTHS_SCRIPT,
    )


def write_months_script(reports_dir: Path, periods: list[str]) -> Path:
    """Write ``assets/months.js`` for the published months ``periods`` (newest first)."""
    path = Path(reports_dir) / "assets" / MONTHS_SCRIPT
    atomic_write_text(path, _MONTHS_JS % json.dumps(sorted(periods, reverse=True)))
    return path
