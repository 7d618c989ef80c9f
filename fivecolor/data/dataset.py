"""A month's data as read and validated: the stations, a (period × station × indicator) cube,
and the inputs they were read from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fivecolor.data.files import SourceName, file_sha256, read_table
from fivecolor.data.validate import (
    INDICATOR_COLUMNS,
    STATION_COLUMNS,
    Findings,
    check_indicators,
    check_month,
    check_stations,
    first_error,
)
from fivecolor.errors import InputError
from fivecolor.params import DATA_ROLES, STORE_SOURCE, Params, SqlSource


@dataclass(frozen=True)
class Input:
    """One input of a month, hashed once when read.

    Attributes
    ----------
    path
        The bytes: the data file, or for rows pulled from a database their Parquet copy
        (:func:`fivecolor.data.database.pull`), which a snapshot keeps.
    sha256
        SHA-256 of those bytes.
    origin
        Where it came from, as the manifest names it: the file's path, or the database URL
        without password and the query or table.
    database
        For rows pulled from a database: ``url`` (without password), ``query`` or ``table``,
        and the ``period`` bound; ``None`` for a file.
    """

    path: Path
    sha256: str
    origin: str
    database: dict[str, str] | None = None

    @classmethod
    def of_file(cls, path: str | os.PathLike) -> Input:
        """A file as it is now, hashed."""
        return cls(Path(path), file_sha256(Path(path)), str(path))


@dataclass(frozen=True)
class Dataset:
    """Validated inputs, every month up to the reported one.

    Attributes
    ----------
    stations
        One row per station, indexed by ``station_id`` (sorted), with at least
        ``name, county, lat, lon, staff``; extra columns of the file are kept.
    periods
        The months with data, oldest first, ending at the reported month.
    indicators
        Indicator keys in catalogue order.
    values
        Raw values, shape ``(len(periods), len(stations), len(indicators))``; NaN = missing.
    findings
        The validation findings (warnings only: errors raise).
    inputs
        The inputs by role (``stations``, ``indicators``, and ``boundaries`` and ``projects``
        when the parameters name them), as they were read.
    """

    stations: pd.DataFrame
    periods: tuple[str, ...]
    indicators: tuple[str, ...]
    values: np.ndarray
    findings: pd.DataFrame
    inputs: dict[str, Input]

    @property
    def station_ids(self) -> pd.Index:
        return self.stations.index

    @property
    def files(self) -> dict[str, str]:
        """SHA-256 of each input, by role."""
        return {role: read.sha256 for role, read in self.inputs.items()}

    def long(self) -> pd.DataFrame:
        """The cube back in the long ``period, station_id, indicator, value`` form (missing cells dropped)."""
        p, s, i = np.nonzero(~np.isnan(self.values))
        return pd.DataFrame(
            {
                "period": np.asarray(self.periods, dtype=object)[p],
                "station_id": self.station_ids.to_numpy()[s],
                "indicator": np.asarray(self.indicators, dtype=object)[i],
                "value": self.values[p, s, i],
            }
        )


def build_cube(
    rows: pd.DataFrame, station_ids: pd.Index, indicators: tuple[str, ...], last_period: str
) -> tuple[tuple[str, ...], np.ndarray]:
    """Scatter long rows into a ``(period, station, indicator)`` array: one vectorised assignment."""

    months = rows["period"].cat.categories.astype(str)
    periods = tuple(
        sorted(m for m in months[np.unique(rows["period"].cat.codes)] if m <= last_period)
    )
    cube = np.full((len(periods), len(station_ids), len(indicators)), np.nan)
    # each row's place in the flat cube, built in one array; 32-bit while the cube allows it:
    # at 10.8 million rows every temporary array of positions is then 43 MB, not 86 MB
    position_type = np.int32 if cube.size < np.iinfo(np.int32).max else np.int64

    def positions(column: pd.Series, index: pd.Index) -> np.ndarray:
        # look each distinct label up once, then spread by the categorical codes
        found = index.get_indexer(column.cat.categories.astype(str)).astype(position_type)
        return found[column.cat.codes.to_numpy()]

    flat = positions(rows["period"], pd.Index(periods))
    keep = flat >= 0  # months after the reported one are left out
    flat *= cube.shape[1]
    flat += positions(rows["station_id"], station_ids)
    flat *= cube.shape[2]
    flat += positions(rows["indicator"], pd.Index(indicators))
    values = rows["value"].to_numpy(dtype=float)
    if keep.all():
        cube.reshape(-1)[flat] = values
    else:
        cube.reshape(-1)[flat[keep]] = values[keep]
    return periods, cube


def _read_input(
    params: Params, key: str, required: tuple[str, ...], text_columns: tuple[str, ...]
) -> tuple[pd.DataFrame, Path | SourceName, Input | None]:
    """One table, from its file or its database: the frame, how findings name it, and the input
    (``None`` for a file, hashed only once the data pass validation)."""
    source = getattr(params.data, key)
    if source == STORE_SOURCE:
        return _read_store(params, required, text_columns)
    if isinstance(source, SqlSource):
        from fivecolor.data.database import read_source

        frame, pulled = read_source(source, key, params.period, required, text_columns)
        return (
            frame,
            SourceName(key),
            Input(pulled.parquet, pulled.sha256, source.describe(), pulled.listing()),
        )
    path = Path(source)
    return read_table(path, required, text_columns), path, None


def _read_store(
    params: Params, required: tuple[str, ...], text_columns: tuple[str, ...]
) -> tuple[pd.DataFrame, SourceName, Input]:
    """The indicator values of the store of record up to the reported month, and as for a
    database source a Parquet copy of them: the input a report snapshots."""
    import hashlib
    import io

    from fivecolor.data.database import scratch_dir
    from fivecolor.data.store import describe_location, load_history

    location = params.store_location
    history = load_history(location, params.period)
    buffer = io.BytesIO()
    # the labels stay categoricals: Parquet stores them as dictionaries, read back without a
    # copy per row
    history.to_parquet(buffer, index=False)
    payload = buffer.getvalue()
    sha256 = hashlib.sha256(payload).hexdigest()
    parquet = scratch_dir() / f"indicators-store-{sha256}.parquet"
    parquet.write_bytes(payload)
    name = describe_location(location)
    listing = {"store": name, "period": params.period}
    # the rows as read_table would return them from the copy: the required columns, the labels
    # as categoricals (stripped when they were imported)
    assert set(required) <= set(history.columns) and set(text_columns) <= set(history.columns)
    return history, SourceName("indicators"), Input(parquet, sha256, f"store {name}", listing)


def load_stations(params: Params) -> pd.DataFrame:
    """The stations table the parameters name, validated and indexed by ``station_id``; the
    first error raises :class:`InputError`."""
    findings = Findings()
    raw, path, _ = _read_input(
        params, "stations", STATION_COLUMNS, ("station_id", "name", "county")
    )
    stations = check_stations(raw, path, findings)
    error = first_error(findings.frame())
    if error is not None:
        raise InputError(*error)
    return stations


def check_data(params: Params) -> tuple[Dataset | None, pd.DataFrame]:
    """Read and check both tables; return the dataset (``None`` when there are errors) and all findings.

    Unreadable files or missing columns raise :class:`InputError` at once: nothing else can be
    checked without them. A table from a database is pulled for the reported month and
    checked exactly like a file (:mod:`fivecolor.data.database`).
    """
    findings = Findings()
    stations_raw, stations_path, stations_input = _read_input(
        params, "stations", STATION_COLUMNS, ("station_id", "name", "county")
    )
    indicators_raw, indicators_path, indicators_input = _read_input(
        params, "indicators", INDICATOR_COLUMNS, ("period", "station_id", "indicator")
    )
    stations = check_stations(stations_raw, stations_path, findings)
    rows = check_indicators(
        indicators_raw, indicators_path, params, stations.index, findings, stations_path
    )
    periods, cube = build_cube(rows, stations.index, params.indicator_keys, params.period)
    del indicators_raw, rows  # the long rows are in the cube now: free them before the checks
    check_month(
        cube, periods, stations.index, params.indicator_keys, params, indicators_path, findings
    )
    table = findings.frame()
    if (table["severity"] == "error").any():
        return None, table
    inputs = {
        "stations": stations_input or Input.of_file(stations_path),
        "indicators": indicators_input or Input.of_file(indicators_path),
    }
    for role in DATA_ROLES:
        path = getattr(params.data, role)
        # the boundaries and projects are read by their own loaders, which say what a missing file is
        if role not in inputs and path is not None and Path(path).is_file():
            inputs[role] = Input.of_file(path)
    dataset = Dataset(
        stations=stations,
        periods=periods,
        indicators=params.indicator_keys,
        values=cube,
        findings=table,
        inputs=inputs,
    )
    return dataset, table


def load_data(params: Params) -> Dataset:
    """Read and validate the data a parameter object names; the first error raises :class:`InputError`."""
    dataset, findings = check_data(params)
    if dataset is None:
        error = first_error(findings)
        assert error is not None  # check_data returns no dataset only with an error
        raise InputError(*error)
    return dataset
