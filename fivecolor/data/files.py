"""Reading tables from CSV, Excel (.xlsx) or Parquet, picked by the file's extension, and naming
their rows (a file's, or a database source's) in findings."""

from __future__ import annotations

import difflib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fivecolor.data.digest import file_sha256 as file_sha256  # the name readers import
from fivecolor.errors import InputError
from fivecolor.params.limits import regular_file

READERS = (".csv", ".xlsx", ".parquet", ".pq")
#: Encodings tried in turn for CSV: UTF-8 (with or without Excel's BOM), then GB18030, a
#: superset of the GBK that Excel on Chinese Windows writes by default.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
#: Cells a worksheet may declare (its used range, rows × columns). A table of a large company
#: has a few hundred thousand; a sheet claiming billions (one cell at XFD1048576) would make
#: the reader build every empty cell before the table.
MAX_SHEET_CELLS = 10_000_000


@dataclass(frozen=True)
class SourceName(os.PathLike):
    """How findings name rows pulled from a database: ``data.indicators``, record N of the result.

    Validation takes a path to name the file and number its rows; records are numbered from 1
    in the order the source returned them, as in the Parquet snapshot (hence the suffix).
    """

    key: str
    suffix = ".parquet"

    @property
    def name(self) -> str:
        return f"data.{self.key}"

    def __fspath__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


def row_label(path: Path | SourceName, index: int) -> str:
    """How a user finds row ``index`` (0-based, after the header) in their file."""
    if path.suffix.lower() in (".parquet", ".pq"):
        return f"record {index + 1}"
    return f"row {index + 2}"  # the header is row 1 in a spreadsheet and line 1 in a CSV


def _decode_csv(path: Path, raw: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(path, "", "not UTF-8 or GBK text; save the CSV as UTF-8")


def check_workbook_size(path: Path) -> None:
    """Refuse a workbook whose sheets declare more than :data:`MAX_SHEET_CELLS` cells, read
    from each sheet's declared dimension before any cell is loaded (the reader keeps to that
    range); a sheet that declares none is measured by streaming its rows."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        for sheet in book.worksheets:
            if not (sheet.max_row and sheet.max_column):
                # no declared dimension: measure it a row at a time (read-only sheets take
                # force=True, which the stubs, written for ordinary sheets, do not know)
                sheet.calculate_dimension(force=True)  # pyright: ignore[reportCallIssue]
            rows, columns = sheet.max_row or 0, sheet.max_column or 0
            if rows * columns > MAX_SHEET_CELLS:
                raise InputError(
                    path,
                    f"sheet {sheet.title}",
                    f"its used range is {rows:,} rows × {columns:,} columns, more than the "
                    f"{MAX_SHEET_CELLS:,} cells a sheet may have; delete the rows and columns "
                    "beyond the table",
                )
    finally:
        book.close()


def _refuse_nested_columns(path: Path) -> None:
    """A Parquet column of lists, structs or maps holds no single number or label per row."""
    import pyarrow.parquet as pq
    import pyarrow.types as pat

    for field in pq.read_schema(path):
        if pat.is_nested(field.type):
            raise InputError(
                path,
                f"column {field.name}",
                f"holds {field.type} values; give one number or text per cell",
            )


#: The suffix pandas gives the second column of a name (``value`` → ``value.1``).
_RENAMED_DUPLICATE = re.compile(r"\.[0-9]+$")


def _may_repeat_a_name(names: list[str]) -> bool:
    """Whether a header read as ``names`` (stripped) may have named a column twice: only then
    is the raw first row worth reading again. A name written twice is either renamed by pandas
    (``value.1``) or equal to another once stripped (``value`` and ``value ``)."""
    return len(set(names)) < len(names) or any(_RENAMED_DUPLICATE.search(n) for n in names)


def _refuse_duplicate_header(path: Path, csv_text: str | None, parsed: list[str]) -> None:
    """A header naming a column twice is an error: pandas would silently rename the second
    (``value`` → ``value.1``), so the raw first row is read again to see the names as written."""
    if path.suffix.lower() in (".parquet", ".pq"):
        return  # Parquet cannot hold two columns of one name
    if not _may_repeat_a_name(parsed):
        return  # parsing the header again costs each command about 10 ms
    if csv_text is not None:
        header = pd.read_csv(
            io.StringIO(csv_text),
            header=None,
            nrows=1,
            dtype=str,
            skipinitialspace=True,
            keep_default_na=False,
        )
    else:
        header = pd.read_excel(path, header=None, nrows=1, dtype=str, engine="openpyxl")
    names = pd.Series(
        [str(c).strip().lstrip("\ufeff") for c in header.iloc[0]] if len(header) else []
    )
    dupes = names[names.duplicated() & names.ne("") & names.ne("nan")].tolist()
    if dupes:
        raise InputError(path, f"column {dupes[0]}", "the column appears twice in the header")


def _strip_categories(column: pd.Series) -> pd.Series:
    """Labels as a categorical without surrounding spaces: text work is done once per distinct label."""
    column = column.astype("category")
    stripped = column.cat.categories.astype(str).str.strip()
    if stripped.is_unique:
        return column.cat.rename_categories(stripped.tolist())
    return (
        column.astype(object)
        .where(column.isna(), column.astype(str).str.strip())
        .astype("category")
    )


def _read_parquet(path: Path, text_columns: tuple[str, ...]) -> pd.DataFrame:
    """A Parquet file as a frame, light on memory at millions of rows (36 months of 30,000
    stations are 10.8 million): text labels go from Parquet's dictionaries straight to
    categoricals, with no string per row; each Arrow column is freed once converted; and the
    Arrow memory left over is handed back, so validation does not start on top of it."""
    import pyarrow as pa

    frame = pd.read_parquet(
        path,
        read_dictionary=list(text_columns),
        # pandas-stubs still types this pandas 3 argument as None
        to_pandas_kwargs={"self_destruct": True, "split_blocks": True},  # pyright: ignore[reportArgumentType]
    )
    pa.default_memory_pool().release_unused()
    return frame


def read_table(
    path: Path, required: tuple[str, ...], text_columns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Read one table and check that its ``required`` columns are there.

    ``text_columns`` are read as text labels (ids keep leading zeros), returned as categoricals
    so that a table of millions of rows is checked label by label; other columns are inferred,
    so a clean numeric column arrives as numbers and a dirty one as text for validation to
    report. Extra columns are kept. Any problem raises :class:`InputError` naming the file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if os.path.lexists(path):  # a folder, a FIFO, a link to nothing: say what it is
        regular_file(path, "file")
    if suffix not in READERS:
        raise InputError(
            path, "", f"unknown file type {suffix or '(none)'}; use .csv, .xlsx or .parquet"
        )
    regular_file(path, "file")
    dtypes = {c: str for c in text_columns}
    try:
        if suffix == ".csv":
            text = _decode_csv(path, path.read_bytes())
            if not text.strip():
                raise InputError(path, "", "the file is empty; expected a header row and data")
            frame = pd.read_csv(
                io.StringIO(text),
                dtype=dtypes,
                skipinitialspace=True,
                keep_default_na=False,
                na_values=[""],
            )
        elif suffix == ".xlsx":
            check_workbook_size(path)
            # as for CSV, only an empty cell is missing: "n/a" or "NA" typed in a cell is reported as text
            frame = pd.read_excel(
                path, dtype=dtypes, engine="openpyxl", keep_default_na=False, na_values=[""]
            )
        else:
            _refuse_nested_columns(path)
            frame = _read_parquet(path, text_columns)
    except InputError:
        raise
    except pd.errors.EmptyDataError:
        raise InputError(path, "", "the file is empty; expected a header row and data") from None
    except pd.errors.ParserError as exc:
        raise InputError(path, "", f"malformed CSV ({str(exc).strip()})") from None
    except Exception as exc:  # openpyxl / pyarrow raise many kinds for a damaged file
        raise InputError(
            path, "", f"cannot read as {suffix[1:]} ({type(exc).__name__}: {exc})"
        ) from None
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    _refuse_duplicate_header(path, text if suffix == ".csv" else None, list(frame.columns))
    missing = [c for c in required if c not in frame.columns]
    if missing:
        col = missing[0]
        near = difflib.get_close_matches(col, frame.columns, n=1)
        hint = (
            f"; found {near[0]!r}, is that it?"
            if near
            else f"; the columns are {list(frame.columns)}"
        )
        raise InputError(path, f"column {col}", f"required column is missing{hint}")
    for col in text_columns:
        if col in frame.columns:
            frame[col] = _strip_categories(frame[col])
    return frame
