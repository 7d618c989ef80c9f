"""Page texts of the report (headings, intros, navigation): read from the one catalogue.

The texts themselves live in :data:`fivecolor.views.text.TEXT` (the page entries are also
:data:`fivecolor.views.text.PAGE_TEXT`); this module keeps the lookup its callers use.
"""

from __future__ import annotations

from fivecolor.views.text import PAGE_TEXT, TEXT

__all__ = ["PAGE_TEXT", "page_text"]


def page_text(key: str, language: str) -> str:
    """The text ``key`` of the catalogue in ``language``; ``KeyError`` for an unknown key."""
    return TEXT[key][language]
