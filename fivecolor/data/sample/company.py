"""The sample written out to start from: the embedded one or a synthetic company of any size, each
with a ready ``params.yaml`` beside its data."""

from __future__ import annotations

from pathlib import Path

from fivecolor.errors import InputError
from fivecolor.resources import default_params_file

#: Above this many stations ``fivecolor sample --stations`` writes Parquet: CSV would be unwieldy.
PARQUET_ABOVE = 60


def refuse_non_empty_folder(out: Path) -> None:
    """Refuse (:class:`InputError`) a folder that already holds files, naming the first: the
    sample's files would replace someone's data or parameters of the same names."""
    out = Path(out)
    if not out.is_dir():
        return  # new (a file in its way is said when writing)
    first = min((p.name for p in out.iterdir()), default=None)
    if first is not None:
        raise InputError(
            out / first,
            "",
            "already exists; sample writes into a new or empty folder "
            "(--force writes into this one, replacing files of the same names)",
        )


def _inside_counties(stations, towns):
    """Synthetic stations pulled toward their town until inside their county on the base map
    (the generator scatters them around the towns, a few into the sea or the next county)."""
    import numpy as np
    import shapely

    from fivecolor.data.geography import county_boundaries

    counties = {
        f["properties"]["name"]: shapely.geometry.shape(f["geometry"])
        for f in county_boundaries()["features"]
    }
    anchor = towns.drop_duplicates(["county", "town"]).set_index(["county", "town"])[["lon", "lat"]]
    home = anchor.reindex(list(zip(stations["county"], stations["town"], strict=True))).to_numpy(
        float
    )
    xy = stations[["lon", "lat"]].to_numpy(float, copy=True)
    region = np.array([counties.get(c) for c in stations["county"]], dtype=object)
    known = np.array([g is not None for g in region]) & ~np.isnan(home).any(axis=1)
    for _ in range(16):  # halve the offset from the town: the town itself lies inside
        out = known.copy()
        out[known] = ~shapely.covers(region[known], shapely.points(xy[known]))
        if not out.any():
            break
        xy[out] = home[out] + (xy[out] - home[out]) / 2
    return stations.assign(lon=xy[:, 0].round(4), lat=xy[:, 1].round(4))


def write_company(
    out: Path, n_stations: int, n_months: int = 24, fmt: str | None = None
) -> list[Path]:
    """A synthetic company of ``n_stations`` and a ready ``params.yaml`` beside its data.

    Parquet (labels stored as dictionaries, read back as categoricals without a copy per row)
    above :data:`PARQUET_ABOVE` stations or with ``fmt="parquet"``, CSV otherwise. The
    parameter file is the project's ``params/default.yaml`` with this data and no projects.
    """
    from fivecolor.data.sample.generate import make_sample, write_sample

    fmt = fmt or ("parquet" if n_stations > PARQUET_ABOVE else "csv")
    default = _default_params()
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        paths = write_sample(out, n_stations=n_stations, n_months=n_months)
    else:
        stations, indicators = make_sample(n_stations=n_stations, n_months=n_months)
        stations = _inside_counties(stations, make_sample(n_months=1)[0])
        labels = {
            c: indicators[c].astype("category") for c in ("period", "station_id", "indicator")
        }
        paths = {"stations": out / "stations.parquet", "indicators": out / "indicators.parquet"}
        stations.to_parquet(paths["stations"], index=False)
        indicators.assign(**labels).to_parquet(paths["indicators"], index=False)
    data = {
        "stations": paths["stations"].name,
        "indicators": paths["indicators"].name,
        "projects": None,
    }
    title = f"A synthetic company: {n_stations} stations, {n_months} months ({fmt})."
    params = _write_params(out, data, default, title)
    return [paths["stations"], paths["indicators"], params]


def write_sample_project(out: Path) -> list[Path]:
    """The embedded Ningbo sample as files and a self-contained ``params.yaml`` that names them.

    ``stations.csv``, ``indicators.csv`` and ``projects.csv`` are the shipped tables byte for
    byte; the parameters are the default ones, so ``fivecolor report --params out/params.yaml``
    builds the sample month from this folder alone, whichever way the package is installed.
    """
    from importlib import resources

    from fivecolor.data.sample.generate import write_sample

    default = _default_params()
    out.mkdir(parents=True, exist_ok=True)
    paths = write_sample(out)
    paths["projects"] = out / "projects.csv"
    shipped = resources.files("fivecolor.data.sample").joinpath("projects.csv")
    paths["projects"].write_bytes(shipped.read_bytes())
    params = _write_params(
        out,
        {table: path.name for table, path in paths.items()},
        default,
        "The embedded Ningbo sample (fivecolor sample): the data beside this file.",
    )
    return [*paths.values(), params]


def _default_params() -> Path:
    """The default parameters, checked before any file is written."""
    default = default_params_file()
    if not default.is_file():
        raise InputError(
            default, "", "the project's default parameters are needed to write params.yaml"
        )
    return default


def _write_params(out: Path, data: dict, default: Path, title: str) -> Path:
    """``out/params.yaml``: the ``default`` parameters whole (no ``extends``) with this ``data``."""
    import yaml

    doc = yaml.safe_load(default.read_text(encoding="utf-8"))
    doc["data"] = data
    params = out / "params.yaml"
    params.write_text(
        f"# {title}\n" + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return params
