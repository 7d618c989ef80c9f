"""The store of record: every imported indicator value, where and when it came from, the import
log, the stations, and every publication with the scores it published.

By default the store is one embedded DuckDB file (no server to start); where several analysts
share it, the same tables live on PostgreSQL (``store: {url: postgresql+psycopg://...}``, the
password from an environment variable). Both run the same SQL; only the bulk paths differ:
DuckDB inserts from a registered pandas frame and reads back as Arrow, PostgreSQL uses COPY.

Tables
------
``stations``
    The stations as of the latest import (id, names, county, position, staff).
``indicator_values``
    One row per imported value: ``period`` (the month as the number YYYYMM), ``station_key``,
    ``indicator_key``, ``value``, ``import_id``. Numbers rather than text, so that reading years
    of a large company back is a scan of numbers; ``station_keys`` and ``indicator_keys`` name
    them, and the view ``indicator_values_long`` shows the rows as ``period`` (YYYY-MM),
    ``station_id``, ``indicator``, ``value``, ``import_id``.
``imports``
    One row per import: ``import_id, imported_at, file, sheet, sha256, action, periods,
    row_count``; ``indicator_values.import_id`` says which import a value came from.
``import_periods``
    Per import and period: ``action`` (``import`` / ``replace``), ``row_count``, ``old_hash``
    (empty for a new period) and ``new_hash``, the :func:`data_hash` of the period's values.
``publications`` and ``published_scores``
    A published month (``variant`` NULL for the official one): the parameters as JSON and their
    hash, the data hash, when and where; and each station's published score, rank and band.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fivecolor.data.libpq import libpq_messages_logged
from fivecolor.errors import InputError
from fivecolor.params import STORE_SOURCE, Params, StoreServer

#: Connection timeout (seconds) for a store on a server.
CONNECT_TIMEOUT = 5

STATION_FIELDS = ("station_id", "name", "name_en", "county", "lat", "lon", "staff")
VALUE_FIELDS = ("period", "station_id", "indicator", "value")
SCORE_FIELDS = ("station_id", "score", "rank", "band")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS stations (
        station_id TEXT NOT NULL, name TEXT, name_en TEXT, county TEXT,
        lat DOUBLE PRECISION, lon DOUBLE PRECISION, staff DOUBLE PRECISION)""",
    """CREATE TABLE IF NOT EXISTS imports (
        import_id BIGINT NOT NULL, imported_at TIMESTAMP NOT NULL, file TEXT NOT NULL,
        sheet TEXT, sha256 TEXT NOT NULL, action TEXT NOT NULL, periods TEXT NOT NULL,
        row_count BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS import_periods (
        import_id BIGINT NOT NULL, period TEXT NOT NULL, action TEXT NOT NULL,
        row_count BIGINT NOT NULL, old_hash TEXT, new_hash TEXT NOT NULL)""",
    # no primary key: the importer refuses a second value per cell, and DuckDB's index would
    # slow the bulk insert and trip over a period deleted and inserted in one transaction
    """CREATE TABLE IF NOT EXISTS indicator_values (
        period INTEGER NOT NULL, station_key INTEGER NOT NULL, indicator_key INTEGER NOT NULL,
        value DOUBLE PRECISION NOT NULL, import_id BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS station_keys (
        station_key INTEGER NOT NULL, station_id TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS indicator_keys (
        indicator_key INTEGER NOT NULL, indicator TEXT NOT NULL)""",
    """CREATE OR REPLACE VIEW indicator_values_long AS SELECT
        substr(CAST(v.period AS TEXT), 1, 4) || '-' || substr(CAST(v.period AS TEXT), 5, 2)
        AS period, s.station_id, i.indicator, v.value, v.import_id, v.period AS period_number
        FROM indicator_values v
        JOIN station_keys s ON s.station_key = v.station_key
        JOIN indicator_keys i ON i.indicator_key = v.indicator_key""",
    """CREATE TABLE IF NOT EXISTS publications (
        period TEXT NOT NULL, variant TEXT, params_json TEXT NOT NULL, params_hash TEXT NOT NULL,
        data_hash TEXT NOT NULL, published_at TIMESTAMP NOT NULL, site_path TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS published_scores (
        period TEXT NOT NULL, variant TEXT, station_id TEXT NOT NULL, score DOUBLE PRECISION,
        rank BIGINT, band TEXT)""",
)


def data_hash(values: pd.DataFrame) -> str:
    """SHA-256 of one period's values: sorted by ``station_id`` and ``indicator``, the labels as
    UTF-8 text and the values as their 8 bytes, so the same numbers hash alike whichever file
    or order they came in."""
    stations, station_labels = pd.factorize(values["station_id"].astype(str), sort=True)
    indicators, indicator_labels = pd.factorize(values["indicator"].astype(str), sort=True)
    order = np.lexsort((indicators, stations))
    digest = hashlib.sha256()
    for codes, labels in ((stations, station_labels), (indicators, indicator_labels)):
        texts = np.asarray(labels, dtype=object)[codes[order]]
        digest.update("\x1f".join(texts.tolist()).encode("utf-8") + b"\x1e")
    digest.update(values["value"].to_numpy(dtype="<f8")[order].tobytes())
    return digest.hexdigest()


def period_hashes(values: pd.DataFrame) -> dict[str, str]:
    """:func:`data_hash` of each period of a long frame."""
    return {
        str(period): data_hash(rows)
        for period, rows in values.groupby("period", observed=True, sort=True)
    }


def span(periods: Sequence[str]) -> str:
    """Months as a short phrase: ``2020-06``, ``2020-05, 2020-06`` or ``24 periods 2018-06 … 2020-05``."""
    if len(periods) <= 3:
        return ", ".join(periods)
    return f"{len(periods)} periods {periods[0]} … {periods[-1]}"


def describe_location(location: Path | StoreServer) -> str:
    """The store as messages name it: the DuckDB file, or the server URL without password."""
    return location.safe_url() if isinstance(location, StoreServer) else str(location)


# -- the two backends ----------------------------------------------------------------------
class _Backend:
    """What the two backends share: a DB-API connection that commits, rolls back and closes."""

    connection: Any

    def begin(self) -> None:
        """Start a transaction (psycopg opens one with the first statement by itself)."""

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()

    def close(self) -> None:
        self.connection.close()


class _DuckDb(_Backend):
    """An embedded DuckDB file."""

    def __init__(self, path: Path, read_only: bool) -> None:
        import duckdb

        self.name = str(path)
        try:
            self.connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise InputError(path, "", f"cannot open the store ({_first_line(exc)})") from None

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        self.connection.execute(sql, list(parameters))

    def frame(self, sql: str, parameters: Sequence[Any] = ()) -> pd.DataFrame:
        return self._arrow(sql, parameters).to_pandas()

    def columns(self, sql: str, parameters: Sequence[Any] = ()) -> dict[str, np.ndarray]:
        table = self._arrow(sql, parameters)
        return {name: table[name].to_numpy() for name in table.column_names}

    def _arrow(self, sql: str, parameters: Sequence[Any]):
        # through Arrow: many times faster than .df(), above all for text columns
        relation = self.connection.sql(sql, params=list(parameters))
        to_table = getattr(relation, "to_arrow_table", None)  # DuckDB 2; 1.x calls it arrow()
        return to_table() if to_table is not None else relation.arrow()

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        columns = ", ".join(frame.columns)
        self.connection.register("incoming_rows", frame)
        try:
            self.connection.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_rows"
            )
        finally:
            self.connection.unregister("incoming_rows")

    def begin(self) -> None:
        self.connection.begin()


class _Postgres(_Backend):
    """A PostgreSQL database reached through its URL, the password from the environment."""

    def __init__(self, server: StoreServer) -> None:
        from sqlalchemy.engine import make_url

        try:
            import psycopg
            from psycopg.conninfo import make_conninfo
        except ImportError:
            raise InputError(
                "store",
                server.safe_url(),
                "psycopg is not installed; pip install 'fivecolor[postgres]'",
            ) from None
        self.name = server.safe_url()
        url = make_url(server.url)
        password = os.environ.get(server.password_env)
        try:
            settings = {
                "host": url.host,
                "port": url.port,
                "user": url.username,
                "dbname": url.database,
                "password": password or None,
                "connect_timeout": CONNECT_TIMEOUT,
                **{k: str(v) for k, v in url.query.items()},
            }
            conninfo = make_conninfo(**{k: v for k, v in settings.items() if v is not None})
            with libpq_messages_logged():  # its warnings, not on the terminal before the one line
                self.connection = psycopg.connect(conninfo)
        except psycopg.Error as exc:
            unset = "" if password else f" ({server.password_env} is not set)"
            message = _first_line(exc)
            if password:
                message = message.replace(password, "***")
            raise InputError(
                "store", self.name, f"cannot connect to the store: {message}{unset}"
            ) from None

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        self.connection.execute(sql.replace("?", "%s"), list(parameters))  # type: ignore[arg-type]

    def columns(self, sql: str, parameters: Sequence[Any] = ()) -> dict[str, np.ndarray]:
        frame = self.frame(sql, parameters)
        return {name: pd.to_numeric(frame[name]).to_numpy() for name in frame.columns}

    def frame(self, sql: str, parameters: Sequence[Any] = ()) -> pd.DataFrame:
        # COPY streams the rows as CSV: far faster than fetching tuples for a long history
        buffer = io.BytesIO()
        cursor = self.connection.cursor()
        query = sql.replace("?", "%s")
        with cursor.copy(
            f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)",  # type: ignore[arg-type]
            list(parameters),
        ) as copy:
            for chunk in copy:
                buffer.write(chunk)
        buffer.seek(0)
        if not buffer.getbuffer().nbytes:
            return pd.DataFrame()
        return pd.read_csv(buffer, keep_default_na=False, na_values=[""], dtype=str)

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        columns = ", ".join(frame.columns)
        text = frame.to_csv(index=False, header=False, float_format="%.17g")
        with self.connection.cursor().copy(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"  # type: ignore[arg-type]
        ) as copy:
            copy.write(text)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


# -- the store -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportSource:
    """Where imported rows came from: the file's name, the sheet (``None`` for CSV or Parquet)
    and the file's SHA-256."""

    file: str
    sheet: str | None
    sha256: str


@dataclass(frozen=True)
class PeriodChange:
    """What one import did to one period."""

    period: str
    action: str  # import / replace
    row_count: int
    old_hash: str | None
    new_hash: str


class Store:
    """An open store of record; use :func:`open_store`.

    Every public method that writes runs in one transaction: it is all done or, on an error,
    nothing is.
    """

    def __init__(self, location: Path | StoreServer, read_only: bool = False) -> None:
        self.location = location
        self.backend: _DuckDb | _Postgres
        if isinstance(location, StoreServer):
            self.backend = _Postgres(location)
        else:
            self.backend = _DuckDb(Path(location), read_only)
        if not read_only:
            for statement in _SCHEMA:
                self.backend.execute(statement)
            if isinstance(self.backend, _Postgres):
                self.backend.execute(
                    "CREATE INDEX IF NOT EXISTS indicator_values_period "
                    "ON indicator_values (period)"
                )
                self.backend.commit()

    @property
    def name(self) -> str:
        return describe_location(self.location)

    def close(self) -> None:
        self.backend.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.backend.begin()
        try:
            yield
        except BaseException:
            self.backend.rollback()
            raise
        self.backend.commit()

    # -- reading ---------------------------------------------------------------------------
    def periods(self) -> pd.DataFrame:
        """The periods held, oldest first, with ``row_count`` (values held)."""
        frame = self.backend.frame(
            "SELECT period, COUNT(*) AS row_count FROM indicator_values "
            "GROUP BY period ORDER BY period"
        )
        if frame.empty:
            return pd.DataFrame({"period": pd.Series(dtype=str), "row_count": pd.Series(dtype=int)})
        numbers = frame["period"].to_numpy(dtype=np.int64)
        return pd.DataFrame(
            {"period": _period_texts(numbers), "row_count": frame["row_count"].astype(int)}
        )

    def period_values(self, periods: Sequence[str]) -> pd.DataFrame:
        """The values held for some periods, as ``period, station_id, indicator, value``."""
        if not periods:
            return _empty_values()
        marks = ", ".join("?" * len(periods))
        return _typed_values(
            self.backend.frame(
                "SELECT period, station_id, indicator, value FROM indicator_values_long "
                f"WHERE period_number IN ({marks})",
                [_period_number(p) for p in periods],
            )
        )

    def history(self, up_to: str | None = None) -> pd.DataFrame:
        """Every value of the periods up to ``up_to`` (all when ``None``), in the order stored;
        the labels as categoricals (as :func:`~fivecolor.data.files.read_table` returns them)."""
        where, parameters = ("WHERE period <= ?", [_period_number(up_to)]) if up_to else ("", [])
        rows = self.backend.columns(
            f"SELECT period, station_key, indicator_key, value FROM indicator_values {where}",
            parameters,
        )
        labels = ("period", "station_id", "indicator")
        if not len(rows["value"]):
            return _empty_values().astype({name: "category" for name in labels})
        stations = self._key_labels("station_keys", "station_key", "station_id")
        indicators = self._key_labels("indicator_keys", "indicator_key", "indicator")
        # the months by a look-up table over their numbers: one pass, no hashing of 10⁷ rows
        numbers = rows["period"]
        low, high = int(numbers.min()), int(numbers.max())
        offsets = (numbers - low).astype(np.int32, copy=False)
        present = np.zeros(high - low + 1, dtype=bool)
        present[offsets] = True
        held = np.flatnonzero(present)
        position = (np.cumsum(present) - 1).astype(np.int16)  # small codes: less to copy
        return pd.DataFrame(
            {
                "period": pd.Categorical.from_codes(
                    position[offsets], pd.Index(_period_texts(held + low))
                ),
                "station_id": pd.Categorical.from_codes(rows["station_key"], stations),
                "indicator": pd.Categorical.from_codes(rows["indicator_key"], indicators),
                "value": rows["value"].astype(float, copy=False),
            }
        )

    def _key_labels(self, table: str, key: str, label: str) -> pd.Index:
        """The labels of a key table, position = key (keys are numbered from 0 without gaps)."""
        frame = self.backend.frame(f"SELECT {key}, {label} FROM {table} ORDER BY {key}")
        if frame.empty:
            return pd.Index([], dtype=object)
        return pd.Index(frame[label].astype(str).to_numpy(dtype=object))

    def _keys(self, table: str, key: str, label: str, labels: pd.Series) -> np.ndarray:
        """The key of each label, numbering labels not seen before (inside the transaction)."""
        codes, uniques = pd.factorize(labels.astype(str))
        known = self._key_labels(table, key, label)
        new = pd.Index(uniques).difference(known, sort=False)
        if len(new):
            start = len(known)
            self._insert(
                table,
                pd.DataFrame(
                    {key: np.arange(start, start + len(new)), label: new.to_numpy(dtype=object)}
                ),
            )
            known = known.append(new)
        return known.get_indexer(pd.Index(uniques))[codes]

    def stations(self) -> pd.DataFrame:
        """The stations as of the latest import, sorted by id."""
        frame = self.backend.frame(
            f"SELECT {', '.join(STATION_FIELDS)} FROM stations ORDER BY station_id"
        )
        return frame if not frame.empty else pd.DataFrame(columns=list(STATION_FIELDS))

    def import_log(self) -> pd.DataFrame:
        """Every import and what it did to each period, oldest first: ``import_id,
        imported_at, file, sheet, sha256, period, action, row_count, old_hash, new_hash``."""
        return self.backend.frame(
            "SELECT i.import_id, i.imported_at, i.file, i.sheet, i.sha256, p.period, p.action, "
            "p.row_count, p.old_hash, p.new_hash FROM imports i "
            "JOIN import_periods p ON p.import_id = i.import_id ORDER BY i.import_id, p.period"
        )

    def provenance(self, period: str) -> pd.DataFrame:
        """Each value of a period with the file, sheet, file hash and time it was imported."""
        return self.backend.frame(
            "SELECT v.period, v.station_id, v.indicator, v.value, i.file, i.sheet, i.sha256, "
            "i.imported_at FROM indicator_values_long v "
            "JOIN imports i ON i.import_id = v.import_id "
            "WHERE v.period_number = ? ORDER BY v.station_id, v.indicator",
            [_period_number(period)],
        )

    # -- importing -------------------------------------------------------------------------
    def import_values(
        self,
        values: pd.DataFrame,
        source: ImportSource,
        stations: pd.DataFrame | None = None,
        replace: bool = False,
    ) -> list[PeriodChange]:
        """Add the long ``values`` (``period, station_id, indicator, value``), one transaction.

        A period already held is refused with :class:`InputError` (naming the period and what
        differs) unless ``replace``, which swaps the period's values whole and logs the old and
        new data hashes. ``stations``, when given, replaces the stations table.
        """
        values = _typed_values(values[list(VALUE_FIELDS)])
        new_hashes = period_hashes(values)
        with self.transaction():
            if isinstance(self.backend, _Postgres):  # one import at a time on a shared server
                self.backend.execute("LOCK TABLE imports IN EXCLUSIVE MODE")
            held = self.period_values(list(new_hashes))
            old_hashes = period_hashes(held)
            if old_hashes and not replace:
                raise refusal(source, held, values, sorted(old_hashes))
            changes = [
                PeriodChange(
                    period=period,
                    action="replace" if period in old_hashes else "import",
                    row_count=int((values["period"] == period).sum()),
                    old_hash=old_hashes.get(period),
                    new_hash=digest,
                )
                for period, digest in new_hashes.items()
            ]
            import_id = self._next_import_id()
            self._insert(
                "imports",
                pd.DataFrame(
                    {
                        "import_id": [import_id],
                        "imported_at": [datetime.now(UTC).replace(tzinfo=None)],
                        "file": [source.file],
                        "sheet": pd.Series([source.sheet], dtype=object),
                        "sha256": [source.sha256],
                        "action": ["replace" if old_hashes else "import"],
                        "periods": [",".join(new_hashes)],
                        "row_count": [len(values)],
                    }
                ),
            )
            self._insert(
                "import_periods",
                pd.DataFrame(
                    {
                        "import_id": import_id,
                        "period": [c.period for c in changes],
                        "action": [c.action for c in changes],
                        "row_count": [c.row_count for c in changes],
                        "old_hash": pd.Series([c.old_hash for c in changes], dtype=object),
                        "new_hash": [c.new_hash for c in changes],
                    }
                ),
            )
            if old_hashes:
                marks = ", ".join("?" * len(old_hashes))
                self.backend.execute(
                    f"DELETE FROM indicator_values WHERE period IN ({marks})",
                    [_period_number(p) for p in old_hashes],
                )
            period_codes, period_texts = pd.factorize(values["period"])
            numbers = np.array([_period_number(p) for p in period_texts], dtype=np.int32)
            self._insert(
                "indicator_values",
                pd.DataFrame(
                    {
                        "period": numbers[period_codes],
                        "station_key": self._keys(
                            "station_keys", "station_key", "station_id", values["station_id"]
                        ).astype(np.int32),
                        "indicator_key": self._keys(
                            "indicator_keys", "indicator_key", "indicator", values["indicator"]
                        ).astype(np.int32),
                        "value": values["value"].to_numpy(dtype=float),
                        "import_id": import_id,
                    }
                ),
            )
            if stations is not None:
                self.backend.execute("DELETE FROM stations")
                self._insert("stations", _station_rows(stations))
        return changes

    def _next_import_id(self) -> int:
        frame = self.backend.frame("SELECT COALESCE(MAX(import_id), 0) + 1 AS next_id FROM imports")
        return int(frame["next_id"].iloc[0])

    def _insert(self, table: str, frame: pd.DataFrame) -> None:
        self.backend.insert_frame(table, frame)

    # -- publications ----------------------------------------------------------------------
    def record_publication(
        self,
        period: str,
        params_json: str,
        params_hash: str,
        data_hash: str,
        site_path: str,
        scores: pd.DataFrame,
        variant: str | None = None,
        published_at: datetime | None = None,
        replace: bool = False,
    ) -> None:
        """Record a published month and each station's ``score, rank, band`` (one transaction).

        A month already published under the same ``variant`` (``None``: the official one) is
        refused with :class:`InputError` unless ``replace``.
        """
        when = published_at or datetime.now(UTC).replace(tzinfo=None)
        with self.transaction():
            if self.publication(period, variant) is not None:
                if not replace:
                    raise InputError(
                        self.name,
                        f"publication {period}{_variant_text(variant)}",
                        "already recorded; give replace to record it again",
                    )
                for table in ("publications", "published_scores"):
                    self.backend.execute(
                        f"DELETE FROM {table} WHERE period = ? AND variant IS NOT DISTINCT FROM ?",
                        [period, variant],
                    )
            self._insert(
                "publications",
                pd.DataFrame(
                    {
                        "period": [period],
                        "variant": pd.Series([variant], dtype=object),
                        "params_json": [params_json],
                        "params_hash": [params_hash],
                        "data_hash": [data_hash],
                        "published_at": [when],
                        "site_path": [site_path],
                    }
                ),
            )
            rows = scores[list(SCORE_FIELDS)].copy()
            rows["station_id"] = rows["station_id"].astype(str)
            rows["band"] = rows["band"].astype(str)
            rows.insert(0, "variant", pd.Series([variant] * len(rows), dtype=object))
            rows.insert(0, "period", period)
            self._insert("published_scores", rows)

    def publication(self, period: str, variant: str | None = None) -> dict[str, Any] | None:
        """The publication of a month (``variant`` ``None``: the official one), or ``None``:
        ``period, variant, params`` (the parameters, parsed), ``params_hash, data_hash,
        published_at, site_path``."""
        frame = self.backend.frame(
            "SELECT period, variant, params_json, params_hash, data_hash, published_at, site_path "
            "FROM publications WHERE period = ? AND variant IS NOT DISTINCT FROM ?",
            [period, variant],
        )
        if frame.empty:
            return None
        row = frame.iloc[0]
        variant_value = row["variant"]
        return {
            "period": str(row["period"]),
            "variant": None if pd.isna(variant_value) else str(variant_value),
            "params": json.loads(str(row["params_json"])),
            "params_hash": str(row["params_hash"]),
            "data_hash": str(row["data_hash"]),
            "published_at": pd.Timestamp(row["published_at"]).to_pydatetime(),
            "site_path": str(row["site_path"]),
        }

    def published_history(self, before: str) -> pd.DataFrame:
        """Every official publication's ``period, station_id, score, rank, band`` for the
        months before ``before`` (``YYYY-MM``)."""
        frame = self.backend.frame(
            "SELECT period, station_id, score, rank, band FROM published_scores "
            "WHERE variant IS NULL AND period < ? ORDER BY period, station_id",
            [before],
        )
        return frame.astype(
            {"period": str, "station_id": str, "score": float, "rank": float, "band": str}
        )

    def published_scores(self, period: str, variant: str | None = None) -> pd.DataFrame:
        """Each station's published ``score, rank, band`` of a month, by station id."""
        frame = self.backend.frame(
            "SELECT station_id, score, rank, band FROM published_scores "
            "WHERE period = ? AND variant IS NOT DISTINCT FROM ? ORDER BY station_id",
            [period, variant],
        )
        if frame.empty:
            return pd.DataFrame(columns=list(SCORE_FIELDS))
        return frame.astype({"station_id": str, "score": float, "rank": float, "band": str})


def _period_number(period: str) -> int:
    """``2020-06`` → 202006, as the values table holds the month."""
    return int(period.replace("-", ""))


def _period_texts(numbers: np.ndarray) -> list[str]:
    """202006 → ``2020-06``."""
    return [f"{n // 100:04d}-{n % 100:02d}" for n in numbers.tolist()]


def _variant_text(variant: str | None) -> str:
    return "" if variant is None else f" (variant {variant})"


def _empty_values() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.Series(dtype=object),
            "station_id": pd.Series(dtype=object),
            "indicator": pd.Series(dtype=object),
            "value": pd.Series(dtype=float),
        }
    )


def _typed_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as text labels and float numbers, whichever backend or file they came from."""
    if frame.empty:
        return _empty_values()
    return pd.DataFrame(
        {
            "period": frame["period"].astype(str),
            "station_id": frame["station_id"].astype(str),
            "indicator": frame["indicator"].astype(str),
            "value": pd.to_numeric(frame["value"]).astype(float),
        }
    ).reset_index(drop=True)


def _station_rows(stations: pd.DataFrame) -> pd.DataFrame:
    """The stations table's columns the store keeps (``name_en`` empty when the file has none)."""
    frame = stations.reset_index() if "station_id" not in stations.columns else stations
    out = pd.DataFrame({"station_id": frame["station_id"].astype(str).to_numpy(dtype=object)})
    for column in STATION_FIELDS[1:]:
        if column in ("lat", "lon", "staff"):
            out[column] = pd.to_numeric(frame[column]).to_numpy(dtype=float)
        elif column in frame.columns:
            out[column] = frame[column].astype(str).to_numpy(dtype=object)
        else:
            out[column] = pd.Series([None] * len(frame), dtype=object)
    return out


def refusal(
    source: ImportSource, held: pd.DataFrame, incoming: pd.DataFrame, periods: list[str]
) -> InputError:
    """The one-line refusal of a period already in the store: what differs, and the way out."""
    first = periods[0]
    old = held[held["period"] == first].set_index(["station_id", "indicator"])["value"]
    new = incoming[incoming["period"] == first].set_index(["station_id", "indicator"])["value"]
    both = old.index.intersection(new.index)
    changed = int((old.loc[both].to_numpy() != new.loc[both].to_numpy()).sum())
    added, dropped = len(new.index.difference(old.index)), len(old.index.difference(new.index))
    if changed or added or dropped:
        differs = (
            f"this file changes {changed} of its {len(old)} values, adds {added} and leaves "
            f"out {dropped}"
        )
    else:
        differs = "this file holds the same values"
    others = f" (and {len(periods) - 1} more up to {periods[-1]})" if len(periods) > 1 else ""
    where = f"sheet {source.sheet}" if source.sheet else ""
    return InputError(
        source.file,
        where,
        f"period {first}{others} is already in the store; {differs}; "
        "import with --replace to replace the period",
    )


@contextmanager
def open_store(location: Path | StoreServer, read_only: bool = False) -> Iterator[Store]:
    """Open (and create, unless ``read_only``) the store at ``location``; closed on leaving."""
    store = Store(location, read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def open_for_reading(location: Path | StoreServer) -> AbstractContextManager[Store]:
    """The store at ``location`` opened for reading: a DuckDB file read-only, so that several
    processes (a report's kernels) read it at once; a server through its own transactions."""
    return open_store(location, read_only=not isinstance(location, StoreServer))


def store_of_record(params: Params) -> Path | StoreServer | None:
    """Where a month scored from the store keeps its record (its publications); ``None`` for a
    month scored from files or a database, or while its store file does not exist yet."""
    location = params.store_location
    if params.data.indicators != STORE_SOURCE or (
        isinstance(location, Path) and not location.is_file()
    ):
        return None
    return location


def load_history(location: Path | StoreServer | Store, up_to: str | None = None) -> pd.DataFrame:
    """Every value in the store up to the period ``up_to``: the long ``period, station_id,
    indicator, value`` frame the scoring takes (labels as categoricals)."""
    if isinstance(location, Store):
        return location.history(up_to)
    if not isinstance(location, StoreServer) and not Path(location).is_file():
        raise InputError(
            location, "", "the store does not exist yet; `fivecolor import FILE` creates it"
        )
    with open_for_reading(location) as store:
        return store.history(up_to)


__all__ = [
    "ImportSource",
    "PeriodChange",
    "Store",
    "data_hash",
    "describe_location",
    "load_history",
    "open_for_reading",
    "open_store",
    "period_hashes",
    "span",
    "store_of_record",
]
