"""Shared fixtures: a small valid project written into ``tmp_path``, and the CLI run in-process.

The project never reads the embedded sample: eight stations, three months (2020-03..2020-05)
and every indicator of ``params/default.yaml``, with values drawn inside each indicator's
goalposts (so inside ``valid``) and small month-to-month changes (so no jump warnings).
"""

from __future__ import annotations

import copy
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PARAMS = REPO / "params" / "default.yaml"
#: The indicator catalogue, read independently of the package.
CATALOGUE: dict[str, dict] = yaml.safe_load(DEFAULT_PARAMS.read_text(encoding="utf-8"))[
    "indicators"
]
PERIODS = ("2020-03", "2020-04", "2020-05")
REPORTED = PERIODS[-1]
#: The scores table's documented columns, before one ``score_<indicator>`` per indicator.
SCORE_COLUMNS = (
    "station_id",
    "name",
    "county",
    "period",
    "score",
    "rank",
    "band",
    "band_label",
    "prev_band",
    "change",
)

STATIONS = pd.DataFrame(
    {
        "station_id": [f"NB{i:02d}" for i in range(1, 9)],
        "name": [
            "海曙供电所",
            "江北供电所",
            "镇海供电所",
            "北仑供电所",
            "鄞州供电所",
            "奉化供电所",
            "余姚供电所",
            "慈溪供电所",
        ],
        "county": ["海曙区", "江北区", "镇海区", "北仑区", "鄞州区", "奉化区", "余姚市", "慈溪市"],
        "lat": [29.87, 29.89, 29.95, 29.86, 29.82, 29.66, 30.04, 30.17],
        "lon": [121.55, 121.56, 121.71, 121.84, 121.55, 121.41, 121.15, 121.27],
        "staff": [31, 28, 25, 40, 36, 22, 45, 38],
    }
)


def indicator_rows(
    stations: pd.DataFrame = STATIONS, periods: tuple[str, ...] = PERIODS, seed: int = 20200520
) -> pd.DataFrame:
    """Long ``period, station_id, indicator, value`` rows, one per cell, all valid.

    Each (station, indicator) sits at a fixed fraction of the way between the goalposts (better
    stations further along), moved by at most ±2% of the goalpost span a month; values are
    rounded to two decimals so that CSV, Excel and Parquet copies hold exactly the same numbers.
    """
    rng = np.random.default_rng(seed)
    keys = list(CATALOGUE)
    worst = np.array([CATALOGUE[k]["goalposts"][0] for k in keys], dtype=float)
    best = np.array([CATALOGUE[k]["goalposts"][1] for k in keys], dtype=float)
    quality = np.linspace(0.62, 0.94, len(stations))  # stations spread over the five bands
    level = quality[:, None] + rng.uniform(-0.03, 0.03, size=(len(stations), len(keys)))
    drift = rng.uniform(-0.02, 0.02, size=(len(periods), len(stations), len(keys))).cumsum(axis=0)
    values = np.round(worst + (best - worst) * np.clip(level + drift, 0.02, 0.99), 2)
    p, s, i = np.indices(values.shape).reshape(3, -1)
    return pd.DataFrame(
        {
            "period": np.asarray(periods, dtype=object)[p],
            "station_id": stations["station_id"].to_numpy()[s],
            "indicator": np.asarray(keys, dtype=object)[i],
            "value": values.ravel(),
        }
    )


def write_table(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> Path:
    """Write a table in the format its extension names (CSV in ``encoding``)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        frame.to_excel(path, index=False, engine="openpyxl")
    elif suffix in (".parquet", ".pq"):
        frame.to_parquet(path, index=False)
    else:
        path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode(encoding))
    return path


def write_yaml(doc, path: Path) -> Path:
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Project:
    """A valid project in ``root``: ``stations.csv``, ``indicators.csv`` and ``p.yaml``.

    The ``with_*`` helpers write a variant beside it and return the path of a parameter file
    that uses it; the valid files are left as they are.
    """

    root: Path
    stations: pd.DataFrame = field(default_factory=STATIONS.copy)
    indicators: pd.DataFrame = field(default_factory=indicator_rows)

    def __post_init__(self) -> None:
        write_table(self.stations, self.root / "stations.csv")
        write_table(self.indicators, self.root / "indicators.csv")
        self.params_path = write_yaml(self.params_doc(), self.root / "p.yaml")

    def params_doc(
        self, stations: str = "stations.csv", indicators: str = "indicators.csv"
    ) -> dict:
        """The content of ``p.yaml``: the default catalogue, this project's data, relative paths."""
        # projects: the sample's improvement projects name the sample's stations, not these
        return {
            "extends": str(DEFAULT_PARAMS),
            "period": REPORTED,
            "data": {"stations": stations, "indicators": indicators, "projects": None},
        }

    def standalone_doc(self) -> dict:
        """``params/default.yaml`` in full (no ``extends``), pointing at this project's data."""
        doc = yaml.safe_load(DEFAULT_PARAMS.read_text(encoding="utf-8"))
        doc["data"] = self.params_doc()["data"]
        return doc

    def with_params(
        self,
        change: Callable[[dict], object] | None = None,
        name: str = "variant.yaml",
        doc: dict | None = None,
    ) -> Path:
        """Write ``doc`` (default: a copy of ``p.yaml``'s) after ``change(doc)`` edits it in place."""
        doc = copy.deepcopy(self.params_doc() if doc is None else doc)
        if change is not None:
            change(doc)
        return write_yaml(doc, self.root / name)

    def with_text(self, text: str, name: str = "variant.yaml") -> Path:
        """A parameter file written verbatim (for YAML that ``yaml.safe_dump`` cannot produce)."""
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path

    def with_stations(
        self,
        frame: pd.DataFrame | None = None,
        name: str = "stations_v.csv",
        encoding: str = "utf-8",
    ) -> Path:
        """Stations written as ``name`` (format by extension); the parameter file using them."""
        write_table(self.stations if frame is None else frame, self.root / name, encoding)
        return self.with_params(
            doc=self.params_doc(stations=name), name=f"p_{Path(name).stem}.yaml"
        )

    def with_indicators(
        self,
        frame: pd.DataFrame | None = None,
        name: str = "indicators_v.csv",
        encoding: str = "utf-8",
    ) -> Path:
        """Indicators written as ``name`` (format by extension); the parameter file using them."""
        write_table(self.indicators if frame is None else frame, self.root / name, encoding)
        return self.with_params(
            doc=self.params_doc(indicators=name), name=f"p_{Path(name).stem}.yaml"
        )

    def with_data_bytes(self, role: str, name: str, payload: bytes) -> Path:
        """A data file of raw bytes (corrupt, truncated, empty) for ``role`` (stations or indicators)."""
        (self.root / name).write_bytes(payload)
        return self.with_params(
            doc=self.params_doc(**{role: name}), name=f"p_{Path(name).stem}.yaml"
        )

    def cell(self, station_id: str, indicator: str, period: str = REPORTED) -> pd.Series:
        """Mask of the indicator row for one cell."""
        rows = self.indicators
        return (
            (rows["station_id"] == station_id)
            & (rows["indicator"] == indicator)
            & (rows["period"] == period)
        )


def setting(*keys_and_value) -> Callable[[Project], Path]:
    """A builder of a variant of ``p.yaml`` with ``doc[k1][k2]...`` set (intermediate mappings
    created): ``setting("bands", "cutoffs", [90, 85, 80, 75])``."""
    *keys, value = keys_and_value

    def build(project: Project) -> Path:
        def change(doc: dict) -> None:
            node = doc
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = value

        return project.with_params(change)

    return build


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A small valid project in ``tmp_path/project``."""
    root = tmp_path / "project"
    root.mkdir()
    return Project(root)


@pytest.fixture
def run_cli(capsys) -> Callable[..., tuple[int, str, str]]:
    """Run ``fivecolor.cli.main(args)`` in-process: returns ``(exit code, stdout, stderr)``.

    argparse's own exits (``--help``, ``--version``) come back as their exit code.
    """
    from fivecolor.cli import main

    def run(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()  # drop anything printed before
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def expect_bad_input(run_cli, tmp_path: Path) -> Callable[..., str]:
    """Check that ``fivecolor score --params P`` refuses a bad input cleanly; return the message.

    Asserts: exit 2; stderr exactly one line starting ``fivecolor: error:``; it contains the
    file's name and every string of ``where``; no traceback; ``--out`` is not created when
    absent and left byte-identical when present, and nothing else appears in its folder.
    """

    def check(params: Path, file: str, where: tuple[str, ...] = (), *extra: str) -> str:
        out_dir = tmp_path / "out"
        out_dir.mkdir(exist_ok=True)
        out = out_dir / "scores.csv"
        out.unlink(missing_ok=True)

        code, stdout, stderr = run_cli("score", "--params", params, "--out", out, *extra)
        assert code == 2, f"exit {code}, stderr: {stderr!r}"
        assert stdout == ""
        lines = stderr.splitlines()
        assert len(lines) == 1 and stderr.endswith("\n"), stderr
        message = lines[0]
        assert message.startswith("fivecolor: error: "), message
        assert "Traceback" not in stderr
        assert file in message, f"{file!r} not named in {message!r}"
        for part in where:
            assert part in message, f"{part!r} not named in {message!r}"
        assert list(out_dir.iterdir()) == [], "a bad input wrote output"

        earlier = b"station_id,score\nNB01,99\n"
        out.write_bytes(earlier)
        code_again, _, stderr_again = run_cli("score", "--params", params, "--out", out, *extra)
        assert (code_again, stderr_again) == (2, stderr)
        assert out.read_bytes() == earlier, "a bad input changed an earlier output"
        assert list(out_dir.iterdir()) == [out]
        return message

    return check


# -- a throwaway PostgreSQL cluster ----------------------------------------------------------
PG_PASSWORD = "Ningbo-5colour-test"  # the throwaway cluster's role password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return cmd
    return (
        ["runuser", "-u", "postgres", "--", *cmd]
        if shutil.which("runuser")
        else ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]
    )


@dataclass
class PostgresCluster:
    """A running throwaway cluster: the superuser over its socket in ``base``, the role
    ``fivecolor`` (password :data:`PG_PASSWORD`) over TCP on ``port``."""

    base: Path
    port: int

    def create_database(self, name: str) -> str:
        """A new empty database owned by ``fivecolor``; its URL (without password)."""
        import psycopg

        with psycopg.connect(
            host=str(self.base), port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(f'CREATE DATABASE "{name}" OWNER fivecolor')
        return f"postgresql+psycopg://fivecolor@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 for the session; skipped when PostgreSQL is
    not installed. Stopped and its folder removed afterwards."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        pytest.skip(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; "
            ".ci/run installs the Debian package postgresql)"
        )
    bindir = Path(binaries[-1]).parent
    if os.geteuid() == 0:
        try:
            import pwd

            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the cluster as")
    # not under pytest's tmp folder: that one is private to the user running the tests
    base = Path(tempfile.mkdtemp(prefix="fivecolor-pg-"))
    if os.geteuid() == 0:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data, port = base / "data", free_port()
    subprocess.run(
        _as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        ),
        check=True,
        capture_output=True,
    )
    (data / "pg_hba.conf").write_text(
        "local all postgres trust\nhost all fivecolor 127.0.0.1/32 scram-sha-256\n"
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={base} "
        "-c password_encryption=scram-sha-256 -c fsync=off"
    )
    subprocess.run(
        _as_postgres(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(base / "log"),
                "-w",
                "-o",
                options,
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            host=str(base), port=port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(
                sql.SQL("CREATE ROLE fivecolor LOGIN PASSWORD {}").format(sql.Literal(PG_PASSWORD))
            )
        yield PostgresCluster(base, port)
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


# -- the store of record -------------------------------------------------------------------
SAMPLE_DIR = REPO / "fivecolor" / "data" / "sample"


@pytest.fixture(params=["duckdb", "postgres"])
def store_doc(request, tmp_path: Path, monkeypatch) -> str | dict:
    """The parameters' ``store``: a DuckDB file in ``tmp_path``, or a new database on the
    throwaway PostgreSQL cluster (skipped when PostgreSQL is not installed)."""
    if request.param == "duckdb":
        return str(tmp_path / "store.duckdb")
    import uuid

    cluster = request.getfixturevalue("postgres_cluster")
    monkeypatch.setenv("FIVECOLOR_DB_PASSWORD", PG_PASSWORD)
    return {"url": cluster.create_database(f"store_{uuid.uuid4().hex[:12]}")}


def store_params(folder: Path, store: str | dict, name: str = "p.yaml", **changes) -> Path:
    """A parameter file in ``folder``: the sample's catalogue and stations, ``store`` as given."""
    doc = {"extends": str(DEFAULT_PARAMS), "store": store, **changes}
    return write_yaml(doc, folder / name)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> tuple[Path, Path]:
    """The shipped sample month (60 stations, ``params/2020-05.yaml``) built once for the
    session as ``fivecolor report`` builds it: ``(reports folder, month folder)``."""
    from fivecolor.site.build import build_month

    reports = tmp_path_factory.mktemp("sample") / "reports"
    month = build_month(REPO / "params" / "2020-05.yaml", reports_dir=reports, progress=False)
    return reports, month
