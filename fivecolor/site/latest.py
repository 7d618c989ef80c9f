"""``reports/latest/``: a stable address for the newest published month.

The intranet's home page frames ``reports/latest/widget.html`` and links
``reports/latest/index.html``; both always show the newest official month. They are copies of
that month's pages with a ``<base href="../<period>/">`` in their head, so every relative link
(assets, station pages, the map's areas, the navigation bar) resolves in the month's folder
exactly as on the month's own page. No redirect: the frame shows the page at once, and a copy of
the site on a plain file share (no symbolic links) works too.

:func:`write_latest` is called after every publication (:func:`fivecolor.site.build.build_month`)
and reads what is published, so a rebuilt older month never replaces a newer one here.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from fivecolor.site.outputs import atomic_write_text
from fivecolor.site.publish import LATEST, LATEST_FILES, published_periods

__all__ = ["LATEST", "LATEST_PAGES", "write_latest"]

#: The pages copied, relative to a month's folder.
LATEST_PAGES = tuple(name.removeprefix(f"{LATEST}/") for name in LATEST_FILES)

_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)


def with_base(page: str, base: str) -> str:
    """``page`` with ``<base href="base">`` first in its head, before any relative URL."""
    match = _HEAD.search(page)
    if match is None:
        raise ValueError("the page has no <head>")
    tag = f'\n<base href="{html.escape(base, quote=True)}">'
    return page[: match.end()] + tag + page[match.end() :]


def write_latest(reports_dir: Path) -> str | None:
    """Point ``reports_dir/latest/`` at the newest published month; return that month.

    Writes :data:`LATEST_PAGES` the month has; ``None`` (and nothing written) while no month is
    published.
    """
    reports_dir = Path(reports_dir)
    periods = published_periods(reports_dir)
    if not periods:
        return None
    newest = periods[0]
    for name in LATEST_PAGES:
        source = reports_dir / newest / name
        if source.is_file():
            page = with_base(source.read_text(encoding="utf-8"), f"../{newest}/")
            atomic_write_text(reports_dir / LATEST / name, page)
    return newest
