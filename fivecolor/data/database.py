"""Tables pulled from a database: a SQLAlchemy URL and a query or a table name.

The rows a source returns are saved as Parquet and read back through
:func:`fivecolor.data.files.read_table`, so they reach validation exactly as a Parquet file would, and
that Parquet file is what a report snapshots into its ``inputs/`` folder: the month can be
rebuilt after the database has changed. The password comes from an environment variable and
never appears in a message, a finding or the manifest; the reported month is a bound
parameter, never pasted into SQL text.

A source is only read: a SQLite file is opened through a ``mode=ro`` URI (and may attach no
other database), a PostgreSQL connection runs read-only transactions.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fivecolor.data.files import read_table
from fivecolor.errors import InputError
from fivecolor.params import SqlSource, bound_names

#: Seconds to wait for a database server before saying it cannot be reached.
CONNECT_TIMEOUT = 5
#: Backends whose drivers take libpq/MySQL-style ``connect_timeout`` (seconds).
_TIMEOUT_BACKENDS = ("postgresql", "mysql", "mariadb")
#: SQLSTATE classes and messages that mean the server refused the credentials.
_AUTH_STATES = ("28000", "28P01")
_AUTH_WORDS = (
    "authentication failed",
    "password authentication",
    "access denied for user",
    "no password supplied",
    "login failed",
)


@dataclass(frozen=True)
class PulledRows:
    """Rows pulled from a source for one month, saved as Parquet.

    The dataset reads the rows from the Parquet file and keeps it as the table's input
    (:class:`fivecolor.data.dataset.Input`), so a report snapshots the very rows it scored,
    even if the database changed since.

    Attributes
    ----------
    source
        Where the rows came from.
    key
        ``stations`` or ``indicators``.
    period
        The month bound as ``:period``.
    parquet
        The rows as Parquet, in a folder removed when the process ends.
    sha256
        SHA-256 of the Parquet bytes: the input's hash in the dataset and the manifest.
    """

    source: SqlSource
    key: str
    period: str
    parquet: Path
    sha256: str

    def listing(self) -> dict[str, str]:
        """What ``inputs.json`` records about the source: never a password."""
        if self.source.table is not None:
            what = {"table": self.source.table}
        else:
            assert self.source.query is not None  # validation requires one of the two
            what = {"query": self.source.query}
        return {"url": self.source.safe_url(), **what, "period": self.period}


# -- the scratch folder --------------------------------------------------------------------
_scratch: Path | None = None


def scratch_dir() -> Path:
    """A folder for Parquet copies of rows read from a database, removed when the process ends."""
    global _scratch
    if _scratch is None:
        _scratch = Path(tempfile.mkdtemp(prefix="fivecolor-db-"))
        atexit.register(shutil.rmtree, _scratch, True)
    return _scratch


# -- the statement -------------------------------------------------------------------------
def statement(source: SqlSource, key: str, period: str):
    """The SQL statement and its bound parameters for one source and month.

    A query is used as written (``sqlalchemy.text``) with ``:period`` bound when it names it.
    A table is selected whole through SQLAlchemy's constructs, which quote its name; the
    indicators table is limited to the months up to ``period``, bound as a parameter.

    Returns
    -------
    (statement, parameters)
    """
    from sqlalchemy import bindparam, column, literal_column, select, table, text

    if source.query is not None:
        names = bound_names(source.query)
        return text(source.query), ({"period": period} if "period" in names else {})
    assert source.table is not None  # validation requires one of the two
    schema, _, name = source.table.rpartition(".")
    stmt = select(literal_column("*")).select_from(table(name, schema=schema or None))
    if key == "indicators":
        return stmt.where(column("period") <= bindparam("period")), {"period": period}
    return stmt, {}


# -- errors --------------------------------------------------------------------------------
def _first_line(exc: BaseException) -> str:
    """The driver's own message, first line (a server adds context lines such as ``LINE 1: ...``)."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def _is_auth_failure(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    text = str(orig if orig is not None else exc).lower()
    return state in _AUTH_STATES or any(word in text for word in _AUTH_WORDS)


def _engine(source: SqlSource, where: str, place: str):
    """An engine for the source, the password taken from the environment; clean errors for bad URLs."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    from sqlalchemy.pool import NullPool

    url = make_url(source.url)
    backend = url.get_backend_name()
    password = os.environ.get(source.password_env)
    if password and url.username and backend != "sqlite":
        url = url.set(password=password)
    connect_args = {}
    if backend == "sqlite":
        database = url.database or ""
        # the driver would create an empty database rather than say the file is missing
        if (
            database not in ("", ":memory:")
            and not database.startswith("file:")
            and not Path(database).is_file()
        ):
            raise InputError(where, place, f"database file not found: {database}")
        url = _sqlite_read_only(url)
    elif backend in _TIMEOUT_BACKENDS:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    try:
        engine = create_engine(url, connect_args=connect_args, poolclass=NullPool)
    except NoSuchModuleError:
        raise InputError(
            where,
            place,
            f"unknown database kind {url.drivername!r}; write e.g. sqlite:///file.db "
            "or postgresql+psycopg://user@host:5432/database",
        ) from None
    except ImportError as exc:
        # psycopg is the optional extra fivecolor[postgres]; other drivers are not offered
        hint = (
            "pip install 'fivecolor[postgres]'"
            if url.get_driver_name() == "psycopg"
            else "for PostgreSQL use postgresql+psycopg://"
        )
        raise InputError(
            where,
            place,
            f"the driver for {url.drivername} is not installed ({exc.name or exc}); {hint}",
        ) from None
    except (ArgumentError, TypeError, ValueError) as exc:
        raise InputError(where, place, f"cannot use this URL ({exc})") from None
    if backend == "sqlite":
        from sqlalchemy import event

        event.listen(engine, "connect", _refuse_attach)
    elif backend == "postgresql":
        from sqlalchemy import event

        event.listen(engine, "do_connect", _connect_quietly)
        engine = engine.execution_options(postgresql_readonly=True)
    return engine


def _connect_quietly(dialect, connection_record, cargs, cparams):
    """Connect with libpq's warnings logged rather than printed (:mod:`fivecolor.data.libpq`)."""
    from fivecolor.data.libpq import libpq_messages_logged

    with libpq_messages_logged():
        return dialect.connect(*cargs, **cparams)


def _sqlite_read_only(url):
    """The SQLite URL as a ``file:`` URI with ``mode=ro``: the driver refuses any write."""
    database = url.database or ""
    if database in ("", ":memory:"):
        return url
    # a file: URI keeps its path, not its flags (mode=rwc would allow writing)
    uri = (
        database.split("?", 1)[0]
        if database.startswith("file:")
        else Path(database).resolve().as_uri()
    )
    return url.set(database=uri, query={"mode": "ro", "uri": "true"})


def _refuse_attach(dbapi_connection, _record) -> None:
    """Deny ATTACH and DETACH (an attached file would be created and written) on a new
    SQLite connection; everything a SELECT needs stays allowed."""
    import sqlite3

    denied = (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH)

    def authorise(action: int, *_args) -> int:
        return sqlite3.SQLITE_DENY if action in denied else sqlite3.SQLITE_OK

    dbapi_connection.set_authorizer(authorise)


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns Parquet can hold: a column of mixed types (SQLite allows them) becomes text."""
    import pyarrow as pa

    out = frame.copy()
    for name in out.columns[(out.dtypes == np.dtype(object)).to_numpy()]:
        try:
            pa.array(out[name], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            out[name] = out[name].where(out[name].isna(), out[name].astype(str))
    return out


def fetch(source: SqlSource, key: str, period: str) -> pd.DataFrame:
    """Run the source's statement for ``period`` and return the rows as they came.

    Raises :class:`InputError` (``data.<key>``, the URL without password, the problem) when the
    URL, the driver, the connection, the credentials or the SQL is at fault.
    """
    password = os.environ.get(source.password_env)
    try:
        return _fetch(source, key, period)
    except InputError as exc:
        if password and password in exc.message:  # a driver's message is not ours to trust
            raise InputError(
                exc.source, exc.where.replace(password, "***"), exc.problem.replace(password, "***")
            ) from None
        raise


def _fetch(source: SqlSource, key: str, period: str) -> pd.DataFrame:
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    where, place = f"data.{key}", source.safe_url()
    engine = _engine(source, where, place)
    stmt, parameters = statement(source, key, period)
    try:
        try:
            connection = engine.connect()
        except DBAPIError as exc:
            if _is_auth_failure(exc):
                unset = (
                    ""
                    if os.environ.get(source.password_env)
                    else f" ({source.password_env} is not set)"
                )
                raise InputError(
                    where,
                    place,
                    f"authentication failed: {_first_line(exc)}; check the password in "
                    f"the environment variable {source.password_env}{unset}",
                ) from None
            raise InputError(
                where, place, f"cannot connect to the database: {_first_line(exc)}"
            ) from None
        # read-only (see _engine); the transaction is also rolled back on close
        with connection:
            try:
                result = connection.execute(stmt, parameters)
            except DBAPIError as exc:
                raise InputError(where, place, f"the query failed: {_first_line(exc)}") from None
            if not result.returns_rows:
                raise InputError(where, place, "the statement returns no rows; give a SELECT")
            # keys() are the column names (iterating the result itself would give the rows)
            columns = list(map(str, result.keys()))
            # coerce_float: a NUMERIC column arrives as Decimal, which validation reads as a number
            frame = pd.DataFrame.from_records(result.fetchall(), columns=columns, coerce_float=True)
    except SQLAlchemyError as exc:
        raise InputError(where, place, f"{type(exc).__name__}: {_first_line(exc)}") from None
    finally:
        engine.dispose()
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise InputError(where, place, f"the query returns the column {duplicated[0]} twice")
    return frame


def pull(source: SqlSource, key: str, period: str) -> PulledRows:
    """Fetch the source's rows for ``period`` and save them as Parquet (the dataset's and the snapshot's copy)."""
    buffer = io.BytesIO()
    _canonical(fetch(source, key, period)).to_parquet(buffer, index=False)
    payload = buffer.getvalue()
    sha256 = hashlib.sha256(payload).hexdigest()
    parquet = scratch_dir() / f"{key}-{sha256}.parquet"
    parquet.write_bytes(payload)
    return PulledRows(source=source, key=key, period=period, parquet=parquet, sha256=sha256)


def read_source(
    source: SqlSource,
    key: str,
    period: str,
    required: tuple[str, ...],
    text_columns: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, PulledRows]:
    """Pull a database table and read it as :func:`fivecolor.data.files.read_table` reads a file.

    Parameters
    ----------
    source
        The database and the query or table.
    key
        ``stations`` or ``indicators``: names the source in messages.
    period
        The reported month, bound as ``:period``.
    required, text_columns
        As for :func:`~fivecolor.data.files.read_table`.

    Returns
    -------
    frame : pandas.DataFrame
        The rows, text columns as categoricals, as ``read_table`` returns them.
    pulled : PulledRows
        The Parquet copy the frame was read from, and its hash.
    """
    pulled = pull(source, key, period)
    try:
        frame = read_table(pulled.parquet, required, text_columns)
    except InputError as exc:  # name the source, not the scratch file
        where = ": ".join(part for part in (source.safe_url(), exc.where) if part)
        raise InputError(f"data.{key}", where, exc.problem) from None
    return frame, pulled


__all__ = [
    "CONNECT_TIMEOUT",
    "PulledRows",
    "fetch",
    "pull",
    "read_source",
    "scratch_dir",
    "statement",
]
