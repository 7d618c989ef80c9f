"""The report's chart look: the Altair theme, its fonts, and the grade colours every chart shares.

:func:`setup` registers the ``fivecolor`` theme and the offline renderer (a notebook calls it
through :func:`fivecolor.views.notebook.open_month`). Every chart coloured by grade uses
:func:`band_scale` (through :func:`band_color`), so legends name the grades: colour alone never
carries meaning.
"""

from __future__ import annotations

import altair as alt
from altair.theme import ThemeConfig
from altair.typing import Optional

from fivecolor.views.text import BAND_LABELS, BANDS, Language, text

__all__ = [
    "BAND_COLOURS",
    "NO_SCORE_COLOUR",
    "PERIOD_UNIT",
    "THEME_NAME",
    "band_color",
    "band_scale",
    "month_date",
    "setup",
]

THEME_NAME = "fivecolor"
#: CJK fallbacks after the first choice, so Chinese names render on any reader's system.
CJK_FONTS = "Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC"
LATIN_FONTS = "Helvetica Neue, Arial, Liberation Sans"
#: The five grades' colours, best first.
BAND_COLOURS: dict[str, str] = {
    "red": "#d7301f",
    "orange": "#fc8d28",
    "blue": "#3a7bd5",
    "green": "#2ca25f",
    "yellow": "#f2d43d",
}
NO_SCORE_COLOUR = "#bdbdbd"
PERIOD_UNIT = "utcyearmonth"  # months are parsed as UTC dates: no time-zone shift


def _font(language: str | None) -> str:
    """Font list: CJK faces first for zh, Latin first for en; always a CJK fallback."""
    first = CJK_FONTS if language in (None, "zh") else f"{LATIN_FONTS}, {CJK_FONTS}"
    return f"{first}, sans-serif"


def _theme_config(language: str | None) -> ThemeConfig:
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

    def fivecolor_theme() -> ThemeConfig:
        return config

    alt.theme.register(THEME_NAME, enable=True)(fivecolor_theme)
    enable_offline_charts()


def band_scale(language: Language, missing: bool = False) -> alt.Scale:
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


def band_color(
    language: Language, missing: bool = False, legend: Optional[alt.Legend | None] = alt.Undefined
) -> alt.Color:
    """Colour by ``band_label`` on :func:`band_scale`; ``legend=None`` hides the legend."""
    return alt.Color(
        "band_label:N",
        scale=band_scale(language, missing),
        title=text("table.band", language),
        legend=legend,
    )


def month_date(periods) -> list[str]:
    """``YYYY-MM`` to an ISO date string that Vega parses the same in every time zone."""
    return [f"{period}-01" for period in periods]
