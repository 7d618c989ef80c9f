"""``fivecolor import``: a company's workbook (or CSV / Parquet) into the store of record.

The layout is told from the headers. A **long** table has a period, a station, an indicator and
a value column; a **wide** one has one row per station and one column per indicator. Headers
are matched to the catalogue by key, Chinese label, English label or the indicator's
``aliases``; the station column may be ``station_id``, ``供电所``, ``name`` and the like, and
stations are matched by id or by name (Chinese or English, with or without 供电所 / station).
Periods may be ``YYYY-MM``, ``YYYYMM``, ``YYYY年MM月``, Excel dates (date cells or serial
numbers); a sheet without a period column takes ``--period`` or, failing that, its own name
when that reads as a month.

Without ``--sheet`` every sheet of a workbook is read (a workbook of one sheet per month
imports all its months at once); a sheet that is not a table of indicators stops the import
with the sheet names listed, so ``--sheet`` can pick one. A blank cell is a missing value:
it is reported as a warning and left to the ``missing:`` policy. Anything else wrong (text in
a number column, an unknown station or header, a bad period, a value outside its valid range,
a cell given twice) stops the import before the store is touched: one line naming the file,
sheet, row and column.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from fivecolor.data.dataset import load_stations
from fivecolor.data.files import check_workbook_size, file_sha256, read_table
from fivecolor.data.store import (
    ImportSource,
    PeriodChange,
    Store,
    describe_location,
    open_store,
    refusal,
    span,
)
from fivecolor.data.validate import to_numbers
from fivecolor.errors import InputError
from fivecolor.params import PERIOD_PATTERN, MissingPolicy, Params
from fivecolor.params.limits import regular_file

#: Headers naming the station column, most specific first (the first one present is used).
STATION_HEADERS = (
    "station_id",
    "stationid",
    "station",
    "供电所",
    "供电所名称",
    "站所",
    "站所名称",
    "单位",
    "单位名称",
    "name",
    "名称",
    "stationname",
    "name_en",
)
PERIOD_HEADERS = ("period", "month", "date", "月份", "期间", "日期", "年月", "统计月份", "时间")
INDICATOR_HEADERS = ("indicator", "指标", "指标名称")
VALUE_HEADERS = ("value", "值", "数值", "指标值")
#: Columns a workbook often carries beside the data; they are read past.
IGNORED_HEADERS = (
    "county",
    "县区",
    "区县",
    "town",
    "乡镇",
    "序号",
    "no",
    "no.",
    "#",
    "lat",
    "lon",
    "纬度",
    "经度",
    "staff",
    "人数",
    "备注",
    "note",
    "notes",
    "remark",
)
#: Words a station's name may carry or drop in a workbook (慈城 for 慈城供电所).
STATION_SUFFIXES = ("供电所", "station")
#: How many rows from the top of a sheet may hold the header (below a title, say).
HEADER_SEARCH_ROWS = 10
#: Excel's day 0: serial numbers count days from here (with the 1900 leap-year bug folded in).
EXCEL_EPOCH = date(1899, 12, 30)
#: Warnings `fivecolor import` prints one by one; the rest are counted.
MAX_LISTED_WARNINGS = 20
_QUOTES = "\"'\u201c\u201d\u2018\u2019「」『』"  # straight and curly quotes


def normalise(text: object) -> str:
    """A header or name as compared: NFKC (full-width → ASCII), no quotes or spaces, case-folded."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in _QUOTES)


def normalise_all(texts: pd.Series) -> pd.Series:
    """:func:`normalise` for a whole column at once."""
    unwanted = "[\\s" + re.escape(_QUOTES) + "]"
    folded = texts.astype(str).str.normalize("NFKC").str.casefold()
    return folded.str.replace(unwanted, "", regex=True)


# -- what an import did ---------------------------------------------------------------------
@dataclass(frozen=True)
class ImportResult:
    """What ``fivecolor import`` did: the periods written, and the warnings."""

    store: str
    periods: tuple[str, ...]
    stations: int
    values: int
    missing: int
    changes: tuple[PeriodChange, ...]
    warnings: tuple[str, ...] = ()

    def summary(self, file: str) -> str:
        replaced = [c.period for c in self.changes if c.action == "replace"]
        what = f" (replaced {span(replaced)})" if replaced else ""
        return (
            f"imported {file} into {self.store}: {span(self.periods)}{what}, "
            f"{self.stations} stations, {self.values} values, {len(self.warnings)} warnings"
        )


@dataclass
class _Sheet:
    """One table being read: its rows, and how messages name it."""

    file: Path
    name: str | None
    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def where(self, row: int | None = None, column: str | None = None) -> str:
        parts = [f"sheet {self.name}" if self.name is not None else ""]
        if row is not None:
            parts.append(f"row {row + 2}")  # the header is row 1 (line 1 of a CSV)
        if column is not None:
            parts.append(f"column {column}")
        return ", ".join(p for p in parts if p)

    def error(self, row: int | None, column: str | None, problem: str) -> InputError:
        return InputError(self.file, self.where(row, column), problem)


# -- reading the file ------------------------------------------------------------------------
def read_sheets(path: Path, sheet: str | None = None) -> list[_Sheet]:
    """The tables of a file: a CSV's or Parquet's one table, a workbook's sheets (or ``sheet``)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        if sheet is not None:
            raise InputError(path, "", "--sheet goes with an Excel workbook (.xlsx)")
        # a station column as text: ids such as 0012 keep their zeros
        return [_Sheet(path, None, read_table(path, (), text_columns=STATION_HEADERS))]
    regular_file(path, "workbook")
    try:
        check_workbook_size(path)
        book = pd.ExcelFile(path, engine="openpyxl")
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(path, "", f"cannot read as xlsx ({type(exc).__name__}: {exc})") from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is not None and sheet not in names:
            near = difflib.get_close_matches(sheet, names, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise InputError(path, f"sheet {sheet}", f"no such sheet; {hint}the sheets are {names}")
        sheets = []
        for name in [sheet] if sheet is not None else names:
            # header=None: the header row exactly as typed (pandas would rename a repeated one)
            raw = pd.read_excel(
                book, sheet_name=name, header=None, keep_default_na=False, na_values=[""]
            )
            sheets.append(_Sheet(path, name, _with_header(raw, path, name)))
    return sheets


def _with_header(raw: pd.DataFrame, path: Path, sheet: str) -> pd.DataFrame:
    """The sheet's table under its header row: the first of the top rows that names a station
    column (a title row above the header is read past), else the first row."""
    raw = raw.dropna(how="all").dropna(axis=1, how="all")
    if raw.empty:
        return pd.DataFrame()
    station_headers = {normalise(h) for h in STATION_HEADERS}
    top = [
        at
        for at in range(min(HEADER_SEARCH_ROWS, len(raw)))
        if station_headers & {normalise(c) for c in raw.iloc[at].dropna()}
    ]
    at = top[0] if top else 0
    header = [str(c).strip() for c in raw.iloc[at]]
    seen = pd.Series(header)
    dupes = seen[seen.duplicated()].tolist()
    if dupes:
        raise InputError(
            path, f"sheet {sheet}, column {dupes[0]}", "the column appears twice in the header"
        )
    # index i is the sheet's row i + 2, as for a table whose header is row 1
    body = raw.iloc[at + 1 :].set_axis(header, axis=1)
    body.index = raw.index[at + 1 :] - 1
    return body


# -- periods -------------------------------------------------------------------------------
def parse_period(value: object) -> str | None:
    """A month from a cell as people write it; ``None`` when it reads as none.

    ``2020-06``, ``2020/6``, ``2020.06``, ``2020年6月``, ``202006``, a date (cell or text
    ``2020-06-01``), or an Excel serial date number (``43983`` is 2020-06-01).
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if not number.is_integer():
            return None
        return _period_of_number(int(number))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:[-/.]\d{1,2}日?)?(?: 00:00:00)?", text)
    if m:
        return _month(int(m.group(1)), int(m.group(2)))
    m = re.fullmatch(r"\d+(?:\.0+)?", text)
    if m:
        return _period_of_number(int(float(text)))
    return None


def _period_of_number(number: int) -> str | None:
    if 100_000 <= number <= 999_999:  # YYYYMM
        return _month(number // 100, number % 100)
    if 1 <= number <= 2_958_465:  # an Excel serial date (up to 9999-12-31)
        day = EXCEL_EPOCH + timedelta(days=number)
        return _month(day.year, day.month)
    return None


def _month(year: int, month: int) -> str | None:
    text = f"{year:04d}-{month:02d}"
    return text if re.fullmatch(PERIOD_PATTERN, text) and year >= 1900 else None


def _periods_of(sheet: _Sheet, column: str) -> np.ndarray:
    """The month of each row from its period column, parsed once per distinct cell."""
    cells = sheet.frame[column]
    codes, uniques = pd.factorize(cells.astype(object), use_na_sentinel=True)
    parsed = [parse_period(u) for u in uniques]
    bad = [i for i, p in enumerate(parsed) if p is None]
    if (codes == -1).any() or bad:
        rows = np.flatnonzero((codes == -1) | np.isin(codes, np.asarray(bad, dtype=codes.dtype)))
        row = int(rows[0])
        cell = cells.iloc[row]
        what = "the period is empty" if codes[row] == -1 else f"{str(cell)!r} is not a month"
        raise sheet.error(
            int(sheet.frame.index[row]),
            column,
            f"{what}; write YYYY-MM, YYYYMM, YYYY年MM月 or a date",
        )
    return np.asarray(parsed, dtype=object)[codes]


# -- headers and stations ------------------------------------------------------------------
def indicator_names(params: Params) -> dict[str, str]:
    """Every way a header (or a long table's indicator cell) may name an indicator → its key."""
    names: dict[str, str] = {}
    for key, spec in params.indicators.items():
        for name in (key, spec.label.zh, spec.label.en, *spec.aliases):
            names.setdefault(normalise(name), key)
    return names


def station_names(stations: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """How a station may be named (normalised) → its id, leaving out names two stations share;
    and every id and name as written, for "did you mean"."""
    ids = stations.index.astype(str)
    written = [ids.to_series(index=ids)]
    for column in ("name", "name_en"):
        if column in stations.columns:
            written.append(stations[column].astype(str).set_axis(ids))
    every = pd.concat(written)
    forms = normalise_all(every)
    # the short forms: 慈城 for 慈城供电所, cicheng for Cicheng station
    short = [forms.str.removesuffix(normalise(suffix)) for suffix in STATION_SUFFIXES]
    names = pd.concat([forms, *short])
    table = pd.DataFrame({"name": names.to_numpy(), "id": names.index}).drop_duplicates()
    table = table[table["name"] != ""]
    table = table[~table["name"].duplicated(keep=False)]
    return pd.Series(table["id"].to_numpy(), index=pd.Index(table["name"])), every


def _match_cells(
    sheet: _Sheet,
    column: str,
    cells: pd.Series,
    names: Callable[[], tuple[pd.Series, pd.Series]],
    what: str,
    known_as: str,
    exact: pd.Index | None = None,
) -> np.ndarray:
    """Each cell's key, looked up once per distinct cell: as written in ``exact`` (the keys
    themselves) first, then by its normalised text among ``names()`` (normalised name → key,
    and the names as written for "did you mean"), built only when some cell needs it. An empty
    or unknown cell stops the import naming its row, with the closest name."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    texts = pd.Series([_cell_text(u) for u in uniques], dtype=object)
    found = np.full(len(texts), None, dtype=object)
    if exact is not None:
        at = exact.get_indexer(pd.Index(texts))
        found[at >= 0] = exact.to_numpy(dtype=object)[at[at >= 0]]
    rest = np.flatnonzero(pd.isna(found))
    written = pd.Series(dtype=object)
    if len(rest):
        lookup, written = names()
        at = lookup.index.get_indexer(pd.Index(normalise_all(texts.iloc[rest])))
        found[rest[at >= 0]] = lookup.to_numpy(dtype=object)[at[at >= 0]]
    unknown = np.flatnonzero(pd.isna(found))
    bad = np.flatnonzero((codes == -1) | np.isin(codes, unknown))
    if len(bad):
        row = int(bad[0])
        if codes[row] == -1:
            raise sheet.error(int(sheet.frame.index[row]), column, f"the {what} is empty")
        cell = str(texts[codes[row]])
        near = _near(cell, written.astype(str).unique().tolist())
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise sheet.error(
            int(sheet.frame.index[row]), column, f"unknown {what} {cell!r} ({known_as}){hint}"
        )
    return found[codes]


def _cell_text(value: object) -> object:
    """A station cell as text: a whole number typed into Excel reads back as ``12.0``."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return value if value is None else str(value)


def _first_column(columns: Iterable[str], wanted: tuple[str, ...]) -> str | None:
    by_name = {normalise(c): c for c in columns}
    for name in wanted:
        if normalise(name) in by_name:
            return by_name[normalise(name)]
    return None


# -- values --------------------------------------------------------------------------------
def _numbers(sheet: _Sheet, values: pd.DataFrame, headers: list[str]) -> np.ndarray:
    """The cells as floats (NaN blank); text that is no number stops the import, naming the cell."""
    out = np.empty(values.shape, dtype=float)
    for j, header in enumerate(headers):
        column = values.iloc[:, j]
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        texts = np.flatnonzero(np.isnan(numbers) & column.notna().to_numpy())
        if len(texts):  # full-width digits, spaces, thousands separators: the validator's rules
            parsed, bad = to_numbers(column.iloc[texts].astype(str))
            if bad.any():
                row = int(texts[np.flatnonzero(bad)[0]])
                raise sheet.error(
                    int(sheet.frame.index[row]),
                    header,
                    f"{str(column.iloc[row])!r} is not a number (write plain numbers, e.g. 5.3)",
                )
            numbers[texts] = parsed
        out[:, j] = numbers
    return out


def _long_rows(
    sheet: _Sheet,
    params: Params,
    stations: pd.DataFrame,
    period: str | None,
) -> tuple[pd.DataFrame, np.ndarray, dict[str, str]]:
    """One sheet as long rows (``period, station_id, indicator, value`` with NaN for blanks),
    per row the sheet row it came from, and per indicator the column its values are in."""
    frame = sheet.frame
    if frame.empty:
        raise sheet.error(None, None, "the sheet is empty; expected a header row and data")
    columns = list(frame.columns)
    names = indicator_names(params)
    station_column = _first_column(columns, STATION_HEADERS)
    period_column = _first_column(columns, PERIOD_HEADERS)
    indicator_column = _first_column(columns, INDICATOR_HEADERS)
    value_column = _first_column(columns, VALUE_HEADERS)
    if station_column is None:
        raise sheet.error(
            None,
            None,
            f"no station column (station_id, 供电所 or name); the columns are {columns}",
        )
    periods = _row_periods(sheet, period_column, period)
    ids = _match_cells(
        sheet,
        station_column,
        frame[station_column],
        lambda: station_names(stations),
        "station",
        "not an id or name in the stations table",
        exact=stations.index.astype(str),
    )
    if indicator_column is not None and value_column is not None:  # long layout
        indicators = _match_cells(
            sheet,
            indicator_column,
            frame[indicator_column],
            lambda: (pd.Series(names), pd.Series(_indicator_labels(params))),
            "indicator",
            "not a key, label or alias of the catalogue",
            exact=pd.Index(params.indicator_keys),
        )
        numbers = _numbers(sheet, frame[[value_column]], [value_column])[:, 0]
        rows = pd.DataFrame(
            {"period": periods, "station_id": ids, "indicator": indicators, "value": numbers}
        )
        return rows, frame.index.to_numpy(), dict.fromkeys(params.indicators, value_column)
    used = {station_column, period_column}
    known = set(map(normalise, (*STATION_HEADERS, *IGNORED_HEADERS)))
    indicator_columns = [c for c in columns if c not in used and normalise(c) in names]
    for column in columns:
        if column in used or column in indicator_columns or normalise(column) in known:
            continue
        near = _near(column, _indicator_labels(params))
        hint = (
            f"; did you mean {near[0]!r}?"
            if near
            else "; add it to the indicator's aliases in the parameters or remove the column"
        )
        raise sheet.error(None, column, f"the header names no indicator of the catalogue{hint}")
    if not indicator_columns:
        raise sheet.error(
            None,
            None,
            "no indicator columns (by key, Chinese or English label) and no indicator/value "
            f"columns; the columns are {columns}",
        )
    keys = [names[normalise(c)] for c in indicator_columns]
    twice = pd.Series(keys)[pd.Series(keys).duplicated()]
    if len(twice):
        raise sheet.error(
            None,
            indicator_columns[int(twice.index[0])],
            f"a second column for indicator {twice.iloc[0]}",
        )
    numbers = _numbers(sheet, frame[indicator_columns], indicator_columns)
    n_rows, n_ind = numbers.shape
    rows = pd.DataFrame(
        {
            "period": np.repeat(periods, n_ind),
            "station_id": np.repeat(ids, n_ind),
            "indicator": np.tile(np.asarray(keys, dtype=object), n_rows),
            "value": numbers.ravel(),
        }
    )
    headers = dict(zip(keys, indicator_columns, strict=True))
    return rows, np.repeat(frame.index.to_numpy(), n_ind), headers


def _near(written: object, candidates: list[str]) -> list[str]:
    """The candidate closest to what was written, compared as :func:`normalise` leaves them."""
    by_form = {normalise(c): c for c in candidates}
    near = difflib.get_close_matches(normalise(written), list(by_form), n=1, cutoff=0.6)
    return [by_form[near[0]]] if near else []


def _indicator_labels(params: Params) -> list[str]:
    return [
        name
        for key, spec in params.indicators.items()
        for name in (key, spec.label.zh, spec.label.en, *spec.aliases)
    ]


def _row_periods(sheet: _Sheet, column: str | None, period: str | None) -> np.ndarray:
    n = len(sheet.frame)
    if column is not None:
        periods = _periods_of(sheet, column)
        if period is not None and (periods != period).any():
            row = int(np.flatnonzero(periods != period)[0])
            raise sheet.error(
                int(sheet.frame.index[row]),
                column,
                f"period {periods[row]} is not --period {period}; leave out --period to "
                "import every month of the sheet",
            )
        return periods
    if period is not None:
        return np.full(n, period, dtype=object)
    from_name = parse_period(sheet.name) if sheet.name is not None else None
    if from_name is not None:
        return np.full(n, from_name, dtype=object)
    raise sheet.error(
        None,
        None,
        "no period column (period, 月份 or date) and the sheet's name is not a month; "
        "give --period YYYY-MM",
    )


# -- checks across the rows ----------------------------------------------------------------
def _check_values(
    sheet: _Sheet, rows: pd.DataFrame, sheet_rows: np.ndarray, params: Params, headers: dict
) -> None:
    """A value outside its indicator's valid range, or not finite, stops the import."""
    keys = pd.Index(params.indicator_keys)
    valid = np.array([params.indicators[key].valid for key in keys], dtype=float)
    at = keys.get_indexer(pd.Index(rows["indicator"]))
    values = rows["value"].to_numpy(dtype=float)
    outside = np.flatnonzero(
        ~np.isnan(values) & ((values < valid[at, 0]) | (values > valid[at, 1]))
    )
    if len(outside):
        at = int(outside[0])
        key = rows["indicator"].iloc[at]
        raise sheet.error(
            int(sheet_rows[at]),
            headers.get(key, "value"),
            f"{values[at]:g} is outside the valid range "
            f"{list(params.indicators[key].valid)} of {key}",
        )
    if not np.isfinite(values[~np.isnan(values)]).all():
        at = int(np.flatnonzero(np.isinf(values))[0])
        raise sheet.error(int(sheet_rows[at]), "value", "the value is not finite")


def _blank_warnings(
    sheet: _Sheet, rows: pd.DataFrame, sheet_rows: np.ndarray, params: Params, headers: dict
) -> list[str]:
    policy = {
        MissingPolicy.fail: "missing: fail will stop the report until it is filled",
        MissingPolicy.impute_median: "it will be filled with the month's median",
        MissingPolicy.reweight: "it will be left out and the station's other weights rescaled",
    }[params.missing]
    blank = np.flatnonzero(np.isnan(rows["value"].to_numpy(dtype=float)))
    warnings = [
        f"{sheet.file.name}: "
        f"{sheet.where(int(sheet_rows[at]), headers.get(rows['indicator'].iloc[at], 'value'))}: "
        f"{rows['station_id'].iloc[at]} / {rows['indicator'].iloc[at]} "
        f"({rows['period'].iloc[at]}) is blank, a missing value; {policy}"
        for at in blank
    ]
    return warnings


def sheet_values(
    sheet: _Sheet, params: Params, stations: pd.DataFrame, period: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """The values of one sheet (blanks kept as NaN) and its warnings; bad input raises."""
    rows, sheet_rows, headers = _long_rows(sheet, params, stations, period)
    _check_values(sheet, rows, sheet_rows, params, headers)
    cell = rows[["period", "station_id", "indicator"]]
    twice = np.flatnonzero(cell.duplicated().to_numpy())
    if len(twice):
        at = int(twice[0])
        raise sheet.error(
            int(sheet_rows[at]),
            None,
            f"a second value for {rows['station_id'].iloc[at]} / "
            f"{rows['indicator'].iloc[at]} in {rows['period'].iloc[at]}; keep one per cell",
        )
    return rows, _blank_warnings(sheet, rows, sheet_rows, params, headers)


def read_import(
    path: Path,
    params: Params,
    stations: pd.DataFrame,
    sheet: str | None = None,
    period: str | None = None,
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Every value of a file, long (blanks as NaN), the warnings and the names of the sheets
    read (none for CSV or Parquet); nothing is written."""
    sheets = read_sheets(path, sheet)
    frames, warnings = [], []
    for one in sheets:
        try:
            rows, said = sheet_values(one, params, stations, period)
        except InputError as exc:
            if len(sheets) > 1 and sheet is None:
                names = [s.name for s in sheets]
                raise InputError(
                    exc.source,
                    exc.where,
                    f"{exc.problem} (every sheet is read; give --sheet NAME to read one of "
                    f"{names})",
                ) from None
            raise
        frames.append(rows)
        warnings.extend(said)
    rows = pd.concat(frames, ignore_index=True)
    if len(sheets) > 1:
        twice = rows[["period", "station_id", "indicator"]].duplicated()
        if twice.any():
            at = rows[twice.to_numpy()].iloc[0]
            raise InputError(
                path,
                "",
                f"two sheets give {at['station_id']} / {at['indicator']} in {at['period']}; "
                "keep one value per cell",
            )
    for month, present in rows.groupby("period", sort=True)["station_id"]:
        absent = stations.index.difference(pd.Index(present.unique()))
        if len(absent):
            listed = ", ".join(map(str, absent[:5])) + (" …" if len(absent) > 5 else "")
            warnings.append(
                f"{path.name}: {month}: {len(absent)} stations of the stations table have no "
                f"row ({listed})"
            )
    return rows, warnings, [s.name for s in sheets if s.name is not None]


def import_file(
    path: Path,
    params: Params,
    sheet: str | None = None,
    period: str | None = None,
    replace: bool = False,
) -> ImportResult:
    """Read, check and write one file into the store named by ``params``: all of it or nothing.

    A period already in the store is refused unless ``replace``; the refusal is decided before
    the store is opened for writing, so a refused import leaves a DuckDB file byte for byte.
    """
    path = Path(path)
    stations = load_stations(params)
    rows, warnings, sheets = read_import(path, params, stations, sheet, period)
    values = rows[~np.isnan(rows["value"].to_numpy(dtype=float))].reset_index(drop=True)
    if values.empty:
        raise InputError(path, "", "no values to import: every indicator cell is blank")
    source = ImportSource(file=path.name, sheet=",".join(sheets) or None, sha256=file_sha256(path))
    location = params.store_location
    if not replace and isinstance(location, Path) and location.is_file():
        with open_store(location, read_only=True) as store:
            _refuse_held_periods(store, source, values)
    with open_store(location) as store:
        changes = store.import_values(values, source, stations=stations, replace=replace)
    return ImportResult(
        store=describe_location(location),
        periods=tuple(c.period for c in changes),
        stations=int(values["station_id"].nunique()),
        values=len(values),
        missing=len(rows) - len(values),
        changes=tuple(changes),
        warnings=tuple(warnings),
    )


def _refuse_held_periods(store: Store, source: ImportSource, values: pd.DataFrame) -> None:
    wanted = sorted(values["period"].unique())
    held = store.period_values(wanted)
    periods = sorted(held["period"].unique())
    if periods:
        raise refusal(source, held, values, periods)


__all__ = [
    "ImportResult",
    "import_file",
    "indicator_names",
    "normalise",
    "parse_period",
    "read_import",
    "read_sheets",
    "station_names",
]
