"""Data checks: every problem of both tables gathered into one findings table.

Errors stop a report; warnings (suspicious month-over-month jumps, cells filled or reweighted
under the missing-data policy) are shown with it. Each finding names the file, the row, the
column and what is wrong.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fivecolor.data.files import SourceName, row_label
from fivecolor.params import PERIOD_PATTERN, STATION_ID_PATTERN, MissingPolicy, Params
from fivecolor.params.model import UNPRINTABLE_PATTERN

FINDING_COLUMNS = (
    "severity",
    "file",
    "row",
    "column",
    "period",
    "station_id",
    "indicator",
    "message",
    "count",
)
#: Rows shown per kind of problem; the rest are counted in one extra finding.
MAX_ROWS_PER_PROBLEM = 20
#: A month-over-month change this many robust standard deviations from the indicator's usual
#: change is flagged (median and MAD of all stations' changes of that indicator).
JUMP_Z = 5.0

STATION_COLUMNS = ("station_id", "name", "county", "lat", "lon", "staff")
INDICATOR_COLUMNS = ("period", "station_id", "indicator", "value")


@dataclass
class Findings:
    """An accumulating list of findings, turned into a table by :meth:`frame`."""

    rows: list[dict] = field(default_factory=list)

    def add(
        self,
        severity: str,
        file: Path | SourceName | str,
        message: str,
        *,
        row: str = "",
        column: str = "",
        period: str = "",
        station_id: str = "",
        indicator: str = "",
        count: int = 1,
    ) -> None:
        self.rows.append(
            dict(
                severity=severity,
                file=str(file),
                row=row,
                column=column,
                period=period,
                station_id=station_id,
                indicator=indicator,
                message=message,
                count=count,
            )
        )

    def add_rows(
        self,
        severity: str,
        path: Path | SourceName,
        frame: pd.DataFrame,
        mask: np.ndarray,
        column: str,
        describe,
    ) -> None:
        """One finding per flagged row (up to a cap), ``describe(row) -> message``."""
        positions = np.flatnonzero(mask)
        for pos in positions[:MAX_ROWS_PER_PROBLEM]:
            rec = frame.iloc[pos]
            self.add(
                severity,
                path,
                describe(rec),
                row=row_label(path, int(pos)),
                column=column,
                period=str(rec.get("period", "") or ""),
                station_id=str(rec.get("station_id", "") or ""),
                indicator=str(rec.get("indicator", "") or ""),
            )
        if len(positions) > MAX_ROWS_PER_PROBLEM:
            rest = len(positions) - MAX_ROWS_PER_PROBLEM
            self.add(
                severity, path, f"… and {rest} more rows like these", column=column, count=rest
            )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(FINDING_COLUMNS))


def clean_text(values: pd.Series) -> pd.Series:
    """Names as shown: control characters (NUL, tab, escape sequences...) and the line
    separators U+2028/U+2029 become one space, surrounding spaces dropped; empty cells ``""``."""
    text = values.astype("string").fillna("")
    return text.str.replace(UNPRINTABLE_PATTERN + "+", " ", regex=True).str.strip()


def to_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Numbers from a column as typed by people: returns (float values, mask of unreadable cells).

    Documented conversions: full-width digits and signs (０.５ → 0.5, by NFKC), surrounding
    spaces, and thousands separators in the form 1,234.5. Empty cells are missing (NaN, not bad).
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(values), dtype=bool)
    text = values.astype("string").fillna("")
    text = text.map(lambda s: unicodedata.normalize("NFKC", s).strip(), na_action="ignore")
    thousands = text.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", na=False)
    text = text.where(~thousands, text.str.replace(",", "", regex=False))
    numbers = pd.to_numeric(text.replace("", None), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    bad = (text != "").to_numpy(dtype=bool) & np.isnan(numbers)
    return numbers, bad


def check_stations(
    frame: pd.DataFrame, path: Path | SourceName, findings: Findings
) -> pd.DataFrame:
    """Validate the stations table; return it indexed by ``station_id`` with numeric columns."""
    out = frame.copy()
    if out.empty:
        findings.add("error", path, "the table has a header but no rows; add one row per station")
    for column in ("station_id", "name", "county"):
        out[column] = out[column].astype("string")
    ids = out["station_id"].fillna("")
    bad_id = ~ids.str.fullmatch(STATION_ID_PATTERN, na=False).to_numpy(dtype=bool)
    findings.add_rows(
        "error",
        path,
        out,
        bad_id,
        "station_id",
        lambda r: (
            f"station id {r['station_id']!r} must be 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit (it names files)"
        ),
    )
    dup = ids.duplicated(keep="first").to_numpy() & ~bad_id
    findings.add_rows(
        "error",
        path,
        out,
        dup,
        "station_id",
        lambda r: f"station id {r['station_id']!r} appears more than once",
    )
    names = clean_text(out["name"])
    findings.add_rows(
        "error",
        path,
        out,
        (names == "").to_numpy(dtype=bool),
        "name",
        lambda r: "the station has no name",
    )
    out["name"] = names
    out["county"] = clean_text(out["county"])
    for column, low, high in (("lat", -90, 90), ("lon", -180, 180), ("staff", 0, 1e6)):
        numbers, unreadable = to_numbers(out[column])
        findings.add_rows(
            "error",
            path,
            out,
            unreadable,
            column,
            lambda r, c=column: f"{str(r[c])!r} is not a number",
        )
        outside = ~unreadable & ~((numbers >= low) & (numbers <= high))
        findings.add_rows(
            "error",
            path,
            out,
            outside,
            column,
            lambda r, c=column, lo=low, hi=high: (
                f"{r[c]!r} is outside [{lo}, {hi}]" if pd.notna(r[c]) else "the cell is empty"
            ),
        )
        out[column] = numbers
    keep = ~(bad_id | dup)
    return out.loc[keep].set_index("station_id").sort_index()


def _ascii_digits(column: pd.Series) -> pd.Series:
    """A categorical column of months with full-width digits converted (NFKC, as values are):
    ``２０２０-05`` is the month ``2020-05``. Other digits (Arabic-Indic...) stay, and fail the
    YYYY-MM check, which takes ASCII digits only."""
    labels = column.cat.categories.astype(str)
    converted = labels.map(lambda c: unicodedata.normalize("NFKC", c).strip())
    if converted.equals(labels):
        return column
    categories = converted.unique()
    codes = np.append(categories.get_indexer(converted), -1)[column.cat.codes.to_numpy()]
    return pd.Series(
        pd.Categorical.from_codes(codes, categories), index=column.index, name=column.name
    )


def _label_mask(column: pd.Series, test) -> np.ndarray:
    """``test`` applied to each distinct label of a categorical column, spread back to its rows."""
    ok = np.asarray(test(column.cat.categories), dtype=bool)
    codes = column.cat.codes.to_numpy()
    if ok.all():  # the usual case: one comparison instead of a lookup per row
        return codes >= 0
    return np.append(ok, False)[codes]  # code -1 (empty cell) → False


#: Rows checked against their indicator's valid range at once (two float arrays this long).
_BOUNDS_BLOCK = 1 << 20


def check_indicators(
    frame: pd.DataFrame,
    path: Path | SourceName,
    params: Params,
    station_ids: pd.Index,
    findings: Findings,
    stations_path: Path | SourceName,
) -> pd.DataFrame:
    """Validate the long indicator table; return the rows that can be used, values as floats.

    ``period``, ``station_id`` and ``indicator`` arrive as categoricals (see
    :func:`fivecolor.data.files.read_table`): each check runs once per distinct label.
    """
    out = frame[list(INDICATOR_COLUMNS)]  # copy on write: the columns replaced below are new
    for column in ("period", "station_id", "indicator"):
        if not isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype("string").str.strip().astype("category")
    out["period"] = _ascii_digits(out["period"])
    bad_period = ~_label_mask(out["period"], lambda c: c.astype(str).str.fullmatch(PERIOD_PATTERN))
    findings.add_rows(
        "error",
        path,
        out,
        bad_period,
        "period",
        lambda r: (
            f"period {r['period']!r} is not a month written YYYY-MM"
            + (
                "; it was stored as a date: format the column as text"
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00:00)?", str(r["period"]))
                else ""
            )
        ),
    )
    catalogue = params.indicators
    unknown_ind = ~_label_mask(out["indicator"], lambda c: c.isin(list(catalogue)))
    findings.add_rows(
        "error",
        path,
        out,
        unknown_ind,
        "indicator",
        lambda r: (
            f"indicator {r['indicator']!r} has no entry under `indicators` in the "
            "parameters; add it to the catalogue or correct the key"
        ),
    )
    # compared as Python strings: Arrow's isin makes one scalar per allowed label, about a
    # second for 30,000 stations
    known_ids = station_ids.astype(object)
    unknown_st = ~_label_mask(out["station_id"], lambda c: c.astype(object).isin(known_ids))
    findings.add_rows(
        "error",
        path,
        out,
        unknown_st,
        "station_id",
        lambda r: (
            f"station {r['station_id']!r} is not in the stations table {Path(stations_path).name}"
        ),
    )
    values, unreadable = to_numbers(frame["value"])
    findings.add_rows(
        "error",
        path,
        out,
        unreadable,
        "value",
        lambda r: (
            f"{str(r['value'])!r} is not a number (write plain numbers, e.g. 5.3 "
            "rather than 5.3% or 5,3)"
        ),
    )
    infinite = np.isinf(values)
    findings.add_rows("error", path, out, infinite, "value", lambda r: "the value is not finite")
    out["value"] = values
    empty = np.isnan(values) & ~unreadable
    findings.add_rows(
        "error",
        path,
        out,
        empty,
        "value",
        lambda r: "the value is empty; leave the row out when the value is missing",
    )
    ind_codes = out["indicator"].cat.codes.to_numpy()
    known = np.asarray(out["indicator"].cat.categories.isin(list(catalogue)))
    bounds = np.array(
        [
            catalogue[c].valid if ok else (np.nan, np.nan)
            for c, ok in zip(out["indicator"].cat.categories, known, strict=True)
        ]
        + [(np.nan, np.nan)],
        dtype=float,
    )
    # each row against its indicator's bounds (NaN for an unknown one: never outside), a block
    # of rows at a time: bounds for the whole table would be two more float columns as long as it
    outside = np.zeros(len(values), dtype=bool)
    for start in range(0, len(values), _BOUNDS_BLOCK):
        block = slice(start, start + _BOUNDS_BLOCK)
        low, high = bounds[ind_codes[block]].T  # code -1 (no label) takes the last, NaN row
        with np.errstate(invalid="ignore"):
            outside[block] = ((values[block] < low) | (values[block] > high)) & ~infinite[block]
    findings.add_rows(
        "error",
        path,
        out,
        outside,
        "value",
        lambda r: (
            f"{r['value']:g} is outside the valid range "
            f"{list(catalogue[r['indicator']].valid)} of {r['indicator']}"
        ),
    )
    dup = _repeated_cells(out)
    findings.add_rows(
        "error",
        path,
        out,
        dup,
        "",
        lambda r: (
            f"a second value for {r['station_id']} / {r['indicator']} in {r['period']}; "
            "keep one row per cell"
        ),
    )
    usable = ~(
        bad_period | unknown_ind | unknown_st | unreadable | infinite | empty | outside | dup
    )
    return out if usable.all() else out.loc[usable].reset_index(drop=True)


def _repeated_cells(rows: pd.DataFrame) -> np.ndarray:
    """Rows repeating an earlier row's (period, station, indicator): every one but the first.

    Each cell is one integer of the three label codes, built in place. Marking the cells seen
    in one flag per possible cell tells whether any repeats without hashing millions of rows;
    only a table with repeats pays for finding them.
    """
    columns = ("period", "station_id", "indicator")
    # code -1 (an empty label) is one more per column
    sizes = [len(rows[column].cat.categories) + 1 for column in columns]
    cells = math.prod(sizes)
    # 32-bit while every cell fits: half the memory traffic over millions of rows
    cell = np.zeros(len(rows), dtype=np.int32 if cells < np.iinfo(np.int32).max else np.int64)
    for column, size in zip(columns, sizes, strict=True):
        cell *= size
        cell += rows[column].cat.codes.to_numpy()
        cell += 1
    seen = np.zeros(cells, dtype=bool)
    seen[cell] = True
    if np.count_nonzero(seen) == len(cell):
        return np.zeros(len(rows), dtype=bool)
    return pd.Series(cell).duplicated(keep="first").to_numpy()


def check_month(
    values: np.ndarray,
    periods: tuple[str, ...],
    station_ids: pd.Index,
    indicators: tuple[str, ...],
    params: Params,
    path: Path | SourceName,
    findings: Findings,
) -> None:
    """Checks on the reported month of the cube ``values[period, station, indicator]``."""
    ids = station_ids.tolist()  # plain labels for the messages
    if params.period not in periods:
        latest = periods[-1] if periods else "none"
        findings.add(
            "error",
            path,
            f"no data for the reported month {params.period} (latest month: {latest})",
            column="period",
            period=params.period,
        )
        return
    t = periods.index(params.period)
    month = values[t]
    present = ~np.isnan(month)
    for s in np.flatnonzero(~present.any(axis=1)):
        findings.add(
            "error",
            path,
            f"station {ids[s]} has no data in {params.period}",
            period=params.period,
            station_id=ids[s],
        )
    for i in np.flatnonzero(~present.any(axis=0)):
        findings.add(
            "error",
            path,
            f"indicator {indicators[i]} has no data in {params.period}",
            period=params.period,
            indicator=indicators[i],
        )
    holes = ~present & present.any(axis=1, keepdims=True) & present.any(axis=0, keepdims=True)
    severity = "error" if params.missing is MissingPolicy.fail else "warning"
    policy = {
        MissingPolicy.fail: "missing: fail stops the report; fill the cell or choose another policy",
        MissingPolicy.impute_median: "filled with the month's median of the indicator",
        MissingPolicy.reweight: "left out; the station's other weights are rescaled",
    }[params.missing]
    for s, i in zip(*np.nonzero(holes), strict=True):
        findings.add(
            severity,
            path,
            f"missing value ({policy})",
            column="value",
            period=params.period,
            station_id=ids[s],
            indicator=indicators[i],
        )
    previous = (pd.Period(params.period, freq="M") - 1).strftime("%Y-%m")
    if t > 0 and previous not in periods:
        findings.add(
            "warning",
            path,
            f"no data for {previous}, the month before {params.period}: every colour "
            f"change is shown as new (the latest earlier month is {periods[t - 1]})",
            column="period",
            period=previous,
        )
    if t == 0:
        return
    change = np.diff(values[: t + 1], axis=0)  # (t, S, I) month-over-month changes up to the month
    latest = change[-1].copy()
    # per indicator, and the deviations in place: over 36 months of 30,000 stations `change` is
    # 84 MB, and a median over two axes at once copies it whole
    median = np.array([np.nanmedian(change[..., i]) for i in range(change.shape[-1])])
    np.abs(np.subtract(change, median, out=change), out=change)
    mad = np.array([np.nanmedian(change[..., i]) for i in range(change.shape[-1])]) * 1.4826
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (latest - median) / np.where(mad > 0, mad, np.nan)
    for s, i in zip(*np.nonzero(np.abs(np.nan_to_num(z)) > JUMP_Z), strict=True):
        findings.add(
            "warning",
            path,
            f"jump from {values[t - 1, s, i]:g} to {values[t, s, i]:g} since {periods[t - 1]} "
            f"(robust z = {z[s, i]:+.1f}); check the value",
            column="value",
            period=params.period,
            station_id=ids[s],
            indicator=indicators[i],
        )


def first_error(findings: pd.DataFrame) -> tuple[str, str, str] | None:
    """The first error as (file, where, message), the message counting the others; ``None`` if none."""
    errors = findings[findings["severity"] == "error"]
    if errors.empty:
        return None
    row = errors.iloc[0]
    where = ", ".join(
        x for x in (row["row"], f"column {row['column']}" if row["column"] else "") if x
    )
    if not row["row"]:  # a month-level finding: say which cell
        where = ", ".join(x for x in (where, row["station_id"], row["indicator"]) if x)
    others = int(errors["count"].sum()) - 1
    more = f" (and {others} more errors; `fivecolor validate` lists them)" if others > 0 else ""
    return row["file"], where, row["message"] + more
