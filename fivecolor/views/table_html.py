"""Tables as the pages show them: station names linked to their pages, grades with a colour chip,
and long tables folded after their first rows.

A view marks which of its columns hold station names (with the stations' ids) and which hold
grade names (with the grades' codes) through :func:`mark_columns`; the marks ride on the frame's
``attrs`` and :func:`table_html` turns them into links and chips. Every cell is escaped here;
a frame without marks renders as plain text.

The fold is the markup agreed with the print stylesheet: the first :data:`FOLD_ROWS` rows, then
``<details class="fc-more"><summary>全部 126 行</summary>…the other rows…</details>``; a closed
``details.fc-more`` prints its summary only.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from fivecolor.views.text import Language, text

__all__ = ["FOLD_ROWS", "STATION_PAGES", "fits_on_one_line", "mark_columns", "table_html"]

#: A table longer than this shows this many rows; the rest fold away.
FOLD_ROWS = 10
#: Where the station pages are, seen from the month's folder (a station page links siblings: "").
STATION_PAGES = "stations/"
_LINKS, _CHIPS = "fivecolor_station_ids", "fivecolor_band_codes"

#: JupyterLab's page style gives wide tables equal columns, which breaks station and grade names
#: between any two characters. Columns are sized by their content instead: cells keep to one
#: line when the table's rows fit the page (headers may wrap); otherwise lines break at spaces
#: and punctuation with Chinese words kept whole. A table still wider than the page scrolls.
TABLE_STYLE = (
    "<style>table.fc-table { table-layout: auto; } "
    "table.fc-table td { white-space: nowrap; } "
    "table.fc-table-wrap td { white-space: normal; } "
    "table.fc-table td, table.fc-table th { word-break: keep-all; }</style>"
)
#: Rough text widths in pixels at the report's table font size, and the page's content width.
_LATIN_PX, _WIDE_PX, _CELL_PADDING_PX, _PAGE_PX = 7, 13, 20, 1000


def mark_columns(
    frame: pd.DataFrame,
    links: Mapping[str, Iterable] | None = None,
    chips: Mapping[str, Iterable] | None = None,
) -> pd.DataFrame:
    """``frame`` with its station-name columns (``links``: column -> station ids, row by row) and
    grade columns (``chips``: column -> grade codes) marked for :func:`table_html`."""
    marked = []
    for marks in (links or {}, chips or {}):
        columns = {column: list(values) for column, values in marks.items()}
        for column, values in columns.items():
            if column not in frame.columns or len(values) != len(frame):
                raise ValueError(f"column {column!r} is not one of the table's, row for row")
        # plain dicts keyed by the rows' index: a slice of the frame (its first rows) keeps its
        # marks, and pandas can compare them when it combines frames
        marked.append({c: dict(zip(frame.index, v, strict=True)) for c, v in columns.items()})
    frame.attrs[_LINKS], frame.attrs[_CHIPS] = marked
    return frame


def fits_on_one_line(frame: pd.DataFrame) -> bool:
    """Whether every row of ``frame`` fits the page width with each cell on one line."""
    # every cell as text in one column, measured at once (a missing cell has no width)
    cells = pd.Series(frame.to_numpy(dtype=object).ravel()).astype(str)
    wide = cells.str.count(r"[\u2e80-\u9fff\uff00-\uffef]").to_numpy(dtype=float)
    length = cells.str.len().to_numpy(dtype=float)
    widths = ((length - wide) * _LATIN_PX + wide * _WIDE_PX).reshape(frame.shape)
    column_px = np.fmax.reduce(widths, axis=0) if len(frame) else np.zeros(frame.shape[1])
    return float(np.nansum(column_px) + _CELL_PADDING_PX * frame.shape[1]) <= _PAGE_PX


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value))


def _marked(cells, marks, markup) -> list[str]:
    """Each escaped cell with a mark (a station id, a grade code) as ``markup(mark, cell)``, the
    mark escaped; a cell without a mark, or empty, as it is."""
    return [
        markup(html.escape(mark, quote=True), cell)
        if isinstance(mark, str) and mark and cell
        else cell
        for mark, cell in zip(marks, cells, strict=True)
    ]


def _escaped(frame: pd.DataFrame, pages: str) -> pd.DataFrame:
    """Every text cell escaped; marked columns as links and chips (numbers left to pandas)."""
    links = {c: [v.get(i) for i in frame.index] for c, v in frame.attrs.get(_LINKS, {}).items()}
    chips = {c: [v.get(i) for i in frame.index] for c, v in frame.attrs.get(_CHIPS, {}).items()}
    out = frame.copy()
    out.attrs = {}
    for column in out.columns:  # text (object or str dtype), and anything marked: escaped
        if column in links or column in chips or not is_numeric_dtype(out[column]):
            out[column] = [_cell(v) for v in out[column]]
    folder = html.escape(pages, quote=True)
    for column, ids in links.items():
        out[column] = _marked(
            out[column], ids, lambda sid, name: f'<a href="{folder}{sid}.html">{name}</a>'
        )
    chip = '<span class="fc-chip fc-chip-{}"></span>{}'  # empty: nothing for a reader to skip
    for column, bands in chips.items():
        out[column] = _marked(out[column], bands, chip.format)
    out.columns = [html.escape(str(c)) for c in out.columns]
    return out


def _table(frame: pd.DataFrame, classes: str) -> str:
    table = frame.to_html(index=False, escape=False, border=0, classes=classes, na_rep="")
    return f'<div class="fc-table-scroll" style="overflow-x: auto">{table}</div>'


def table_html(
    frame: pd.DataFrame,
    language: Language,
    pages: str = STATION_PAGES,
    fold: int | None = FOLD_ROWS,
) -> str:
    """The table as HTML without its index: cells escaped, station names linked to
    ``pages + id + ".html"``, grades with their chip; beyond ``fold`` rows the rest folded into
    ``details.fc-more`` (``None``: never folded)."""
    cells = _escaped(frame, pages)
    classes = "fc-table" if fits_on_one_line(frame) else "fc-table fc-table-wrap"
    if fold is None or len(frame) <= fold:
        return TABLE_STYLE + _table(cells, classes)
    summary = html.escape(text("table.all_rows", language, n=f"{len(frame):,}"))
    return (
        TABLE_STYLE
        + _table(cells.iloc[:fold], classes)
        + f'<details class="fc-more"><summary>{summary}</summary>'
        + _table(cells.iloc[fold:], classes)
        + "</details>"
    )
