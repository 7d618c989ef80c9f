"""Data read straight from a database: SQLite files and a throwaway PostgreSQL cluster.

The scores from a database must equal, byte for byte, those from the same rows in CSV files;
the reported month reaches the database as a bound parameter, never inside the SQL text; a
password lives only in the environment; every failure is one line and exit status 2.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy
from sqlalchemy import event

from fivecolor.data.database import statement
from fivecolor.data.dataset import check_data, load_data
from fivecolor.data.files import file_sha256
from fivecolor.params import load_params
from fivecolor.site.inputs import input_files, manifest_inputs, snapshot_inputs

from conftest import PG_PASSWORD as PASSWORD
from conftest import REPO, free_port, write_table, write_yaml

DEFAULT = REPO / "params" / "default.yaml"
SAMPLE_SQLITE = REPO / "params" / "sample-sqlite.yaml"
QUERY = "SELECT period, station_id, indicator, value FROM indicators WHERE period <= :period"


# -- helpers -------------------------------------------------------------------------------
def one_line_error(code: int, out: str, err: str) -> str:
    """The CLI refused cleanly: exit 2, nothing on stdout, one ``fivecolor: error:`` line."""
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fivecolor: error: "), err
    return lines[0]


def db_params(
    folder: Path,
    url: str,
    name: str = "db.yaml",
    stations: dict | None = None,
    indicators: dict | None = None,
    **top,
) -> Path:
    """A parameter file on the sample's catalogue whose two tables come from ``url``."""
    data = {
        "stations": stations or {"url": url, "table": "stations"},
        "indicators": indicators or {"url": url, "query": QUERY},
    }
    return write_yaml({"extends": str(DEFAULT), "data": data, **top}, folder / name)


@contextlib.contextmanager
def executed_statements():
    """Every statement SQLAlchemy sends to a driver while the block runs, with its parameters."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(sqlalchemy.engine.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sqlalchemy.engine.Engine, "before_cursor_execute", record)


def bound_values(parameters) -> list:
    return list(parameters.values()) if isinstance(parameters, dict) else list(parameters)


@pytest.fixture(scope="module")
def csv_scores(tmp_path_factory) -> dict[str, bytes]:
    """``fivecolor score`` of the shipped CSV sample, for May and April 2020."""
    from fivecolor.cli import main

    out = tmp_path_factory.mktemp("csv")
    scores = {}
    for period in ("2020-05", "2020-04"):
        assert (
            main(
                ["score", "--params", str(DEFAULT), "--period", period, "--out", str(out / period)]
            )
            == 0
        )
        scores[period] = (out / period).read_bytes()
    return scores


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    """The sample written by ``fivecolor sample --sqlite`` (read-only for the tests)."""
    from fivecolor.cli import main

    path = tmp_path_factory.mktemp("sqlite") / "sample.db"
    assert main(["sample", "--sqlite", str(path)]) == 0
    return path


# -- SQLite --------------------------------------------------------------------------------
def test_sample_sqlite_holds_the_csv_rows(sample_db):
    with sqlite3.connect(sample_db) as db:
        tables = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        indicators = pd.read_sql("SELECT * FROM indicators", db)
        stations = pd.read_sql("SELECT * FROM stations", db)
    assert tables == {"stations", "indicators", "projects"}
    shipped = pd.read_csv(
        REPO / "fivecolor" / "data" / "sample" / "indicators.csv", dtype={"period": str}
    )
    pd.testing.assert_frame_equal(indicators, shipped, check_dtype=False)
    assert (indicators["value"].to_numpy() == shipped["value"].to_numpy()).all()  # the same doubles
    assert len(stations) == 60 and stations["station_id"].is_unique


def test_documented_commands_score_the_sample_from_sqlite(tmp_path, run_cli, csv_scores):
    """From the README: `fivecolor sample --sqlite sample.db`, then score with params/sample-sqlite.yaml.

    The file is copied one folder down so the test writes nothing in the project; its
    ``sqlite:///../sample.db`` is then read from that copy's folder, as it is from ``params/``.
    """
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    text = SAMPLE_SQLITE.read_text(encoding="utf-8")
    assert "extends: default.yaml" in text and "sqlite:///../sample.db" in text
    (params_dir / "sample-sqlite.yaml").write_text(
        text.replace("extends: default.yaml", f"extends: {DEFAULT}"), encoding="utf-8"
    )
    code, out, err = run_cli("sample", "--sqlite", tmp_path / "sample.db")
    assert (code, err) == (0, "") and out.strip() == str(tmp_path / "sample.db")
    for period in ("2020-05", "2020-04"):
        out_file = tmp_path / f"scores-{period}.csv"
        code, _, err = run_cli(
            "score",
            "--params",
            params_dir / "sample-sqlite.yaml",
            "--period",
            period,
            "--out",
            out_file,
        )
        assert code == 0, err
        assert out_file.read_bytes() == csv_scores[period]


@pytest.mark.parametrize("source", ["query", "table"])
def test_the_period_is_a_bound_parameter(tmp_path, run_cli, sample_db, csv_scores, source):
    url = f"sqlite:///{sample_db}"
    indicators = (
        {"url": url, "query": QUERY} if source == "query" else {"url": url, "table": "indicators"}
    )
    params = db_params(tmp_path, url, indicators=indicators)
    out_file = tmp_path / "scores.csv"
    with executed_statements() as seen:
        code, _, err = run_cli(
            "score", "--params", params, "--period", "2020-04", "--out", out_file
        )
    assert code == 0, err
    assert out_file.read_bytes() == csv_scores["2020-04"]
    reads = [(sql, values) for sql, values in seen if "indicators" in sql.lower()]
    assert len(reads) == 1
    sql, parameters = reads[0]
    assert "2020" not in sql and "period <= ?" in sql  # a placeholder in the text ...
    assert bound_values(parameters) == ["2020-04"]  # ... and the month beside it


def test_a_table_name_is_quoted_by_sqlalchemy(tmp_path, sample_db):
    """A name that needs quoting (mixed case) is read; the statement is built, not formatted."""
    db = tmp_path / "copy.db"
    shutil.copy(sample_db, db)
    with sqlite3.connect(db) as conn:
        conn.execute('ALTER TABLE indicators RENAME TO "Monthly_Values"')
    params = load_params(
        db_params(
            tmp_path,
            f"sqlite:///{db}",
            indicators={"url": f"sqlite:///{db}", "table": "Monthly_Values"},
        )
    )
    stmt, bound = statement(params.data.indicators, "indicators", params.period)
    assert str(stmt).split() == [
        "SELECT",
        "*",
        "FROM",
        '"Monthly_Values"',
        "WHERE",
        "period",
        "<=",
        ":period",
    ]
    assert bound == {"period": "2020-05"}
    assert load_data(params).values.shape == (24, 60, 10)


@pytest.mark.parametrize("period", ["2020-05' OR '1'='1", "2020-05; DROP TABLE stations"])
def test_a_period_holding_sql_is_refused(tmp_path, run_cli, sample_db, period):
    params = db_params(tmp_path, f"sqlite:///{sample_db}")
    message = one_line_error(*run_cli("score", "--params", params, "--period", period))
    assert "is not a month written YYYY-MM" in message
    in_file = write_yaml({"extends": str(params), "period": period}, tmp_path / "bad-period.yaml")
    message = one_line_error(*run_cli("score", "--params", in_file))
    assert "period" in message and "bad-period.yaml" in message


@pytest.mark.parametrize(
    "table",
    [
        "indicators; DROP TABLE stations",
        "indicators WHERE 1=1",
        "ind-icators",
        '"indicators"',
        "a.b.c",
    ],
)
def test_a_table_name_holding_sql_is_refused(tmp_path, run_cli, sample_db, table):
    url = f"sqlite:///{sample_db}"
    params = db_params(tmp_path, url, indicators={"url": url, "table": table})
    message = one_line_error(*run_cli("score", "--params", params))
    assert "data.indicators.table: give a plain table name" in message
    with sqlite3.connect(sample_db) as db:
        assert db.execute("SELECT count(*) FROM stations").fetchone() == (60,)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://fivecolor:hunter2@127.0.0.1:5432/grid",
        "postgresql+psycopg://fivecolor@127.0.0.1:5432/grid?password=hunter2",
    ],
)
def test_a_password_in_the_url_is_refused_without_being_shown(tmp_path, run_cli, url):
    params = db_params(
        tmp_path,
        url,
        indicators={"url": url, "table": "indicators", "password_env": "FIVECOLOR_GRID_PW"},
    )
    message = one_line_error(*run_cli("score", "--params", params))
    assert "data.indicators.url" in message or "data.stations.url" in message
    assert "put the password in the environment variable" in message
    assert "hunter2" not in message


def test_query_and_table_are_exclusive_and_other_parameters_refused(tmp_path, run_cli, sample_db):
    url = f"sqlite:///{sample_db}"
    both = db_params(tmp_path, url, indicators={"url": url, "table": "indicators", "query": QUERY})
    assert "data.indicators: give exactly one of query and table" in one_line_error(
        *run_cli("score", "--params", both)
    )
    other = db_params(
        tmp_path, url, indicators={"url": url, "query": QUERY + " AND station_id = :who"}
    )
    message = one_line_error(*run_cli("score", "--params", other))
    assert "data.indicators.query: only :period is bound; the query also names :who" in message


@pytest.mark.parametrize(
    ("indicators", "expected"),
    [
        ({"url": "sqlite:///missing.db", "table": "indicators"}, "data.indicators: sqlite:///"),
        ({"url": "sqlite:///missing.db", "table": "indicators"}, "database file not found"),
        (
            {"url": "SAMPLE", "table": "no_such_table"},
            "the query failed: no such table: no_such_table",
        ),
        (
            {"url": "SAMPLE", "query": "SELECT period, station_id, value FROM indicators"},
            "sample.db: column indicator: required column is missing",
        ),
        (
            {
                "url": "SAMPLE",
                "query": "SELECT period, station_id, indicator, value AS valu FROM indicators",
            },
            "column value: required column is missing; found 'valu', is that it?",
        ),
        (
            {"url": "SAMPLE", "query": "SELECT * FROM indicators WHERE no_such_column = 1"},
            "the query failed: no such column: no_such_column",
        ),
        (
            {"url": "SAMPLE", "query": "DELETE FROM indicators"},
            "data.indicators.query: give one SELECT",
        ),
        (
            {"url": "nosuchdb://fivecolor@127.0.0.1/grid", "table": "indicators"},
            "unknown database kind 'nosuchdb'",
        ),
        ({"url": "not a url", "table": "indicators"}, "data.indicators.url: not a database URL"),
    ],
)
def test_database_problems_are_one_line(tmp_path, run_cli, sample_db, indicators, expected):
    db = tmp_path / "sample.db"
    shutil.copy(sample_db, db)
    indicators = {**indicators, "url": indicators["url"].replace("SAMPLE", f"sqlite:///{db}")}
    params = db_params(tmp_path, f"sqlite:///{db}", indicators=indicators)
    message = one_line_error(*run_cli("score", "--params", params))
    assert expected in message
    with sqlite3.connect(db) as conn:  # a statement that writes is refused
        assert conn.execute("SELECT count(*) FROM indicators").fetchone()[0] > 14000


def test_rows_from_a_database_are_validated_like_a_file(project, run_cli):
    """The same bad rows, from SQLite and from Parquet: the same findings, record for record."""
    rows = project.indicators.copy()
    rows.loc[3, "value"] = -5.0  # outside every valid range
    rows.loc[7, "station_id"] = "NB99"  # an unknown station
    rows = pd.concat([rows, rows.iloc[[10]]], ignore_index=True)  # a duplicate cell
    db = project.root / "bad.db"
    with sqlite3.connect(db) as conn:
        project.stations.to_sql("stations", conn, index=False)
        rows.to_sql("indicators", conn, index=False)
    write_table(rows, project.root / "bad.parquet")
    write_table(project.stations, project.root / "stations.parquet")
    # the stations from a file in both: a source of each kind in one parameter file
    from_db = load_params(
        project.with_params(
            name="db.yaml",
            doc={
                **project.params_doc(),
                "data": {
                    "stations": "stations.parquet",
                    "projects": None,
                    "indicators": {"url": "sqlite:///bad.db", "query": "SELECT * FROM indicators"},
                },
            },
        )
    )
    from_file = load_params(
        project.with_params(
            doc=project.params_doc("stations.parquet", "bad.parquet"), name="file.yaml"
        )
    )
    db_data, db_findings = check_data(from_db)
    file_data, file_findings = check_data(from_file)
    assert db_data is None and file_data is None
    assert set(db_findings["file"]) == {"data.indicators"}
    pd.testing.assert_frame_equal(
        db_findings.drop(columns="file"), file_findings.drop(columns="file")
    )
    assert {"record 4", "record 8"} <= set(db_findings["row"])
    message = one_line_error(*run_cli("score", "--params", project.root / "db.yaml"))
    assert message.startswith("fivecolor: error: data.indicators: record ")


def test_a_station_off_the_base_map_names_its_database_table(tmp_path, sample_db):
    """The base-map check names rows pulled from a database as validation does, by their key."""
    from fivecolor.errors import InputError
    from fivecolor.scoring.pipeline import score
    from fivecolor.site.build import check_base_map

    db = tmp_path / "off_map.db"
    shutil.copy(sample_db, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE stations SET county = 'Atlantis' WHERE rowid = 1")
    params = load_params(db_params(tmp_path, "sqlite:///off_map.db"))
    result = score(load_data(params), params)
    with pytest.raises(InputError) as caught:
        check_base_map(params, result)
    assert caught.value.source == "data.stations"
    assert "correct the station's county or lat/lon" in caught.value.problem


def test_a_text_value_in_a_numeric_column_is_a_data_error(tmp_path, run_cli, sample_db):
    """SQLite keeps whatever a cell is given: text among numbers reaches validation as text."""
    db = tmp_path / "sample.db"
    shutil.copy(sample_db, db)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE indicators SET value = 'n/a' WHERE period = '2020-05' AND station_id = 'meilin' "
            "AND indicator = 'line_loss'"
        )
        position = conn.execute(
            "SELECT count(*) FROM indicators WHERE period < '2020-05' OR (period = '2020-05' "
            "AND (station_id < 'meilin' OR (station_id = 'meilin' AND indicator < 'line_loss')))"
        ).fetchone()[0]
    message = one_line_error(*run_cli("score", "--params", db_params(tmp_path, f"sqlite:///{db}")))
    assert message.startswith(
        f"fivecolor: error: data.indicators: record {position + 1}, column value: "
    )
    assert "'n/a'" in message


def test_the_dataset_hash_follows_the_rows(tmp_path, sample_db):
    db = tmp_path / "sample.db"
    shutil.copy(sample_db, db)
    params = load_params(db_params(tmp_path, f"sqlite:///{db}"))
    first, again = load_data(params), load_data(params)
    assert first.files == again.files  # the same rows hash the same
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE indicators SET value = value + 0.01 WHERE rowid = 1")
    changed = load_data(params)
    assert changed.files["stations"] == first.files["stations"]
    assert changed.files["indicators"] != first.files["indicators"]
    april = load_data(params.with_period("2020-04"))  # the month's rows only, so another hash
    assert april.files["indicators"] != first.files["indicators"]


def test_the_snapshot_holds_the_rows_that_were_scored(tmp_path, sample_db):
    """``inputs/`` keeps the pulled rows as Parquet with their hash, even after the database changes."""
    db = tmp_path / "sample.db"
    shutil.copy(sample_db, db)
    params = load_params(db_params(tmp_path, f"sqlite:///{db}"))
    data = load_data(params)
    with sqlite3.connect(db) as conn:
        scored = pd.read_sql("SELECT * FROM indicators WHERE period <= '2020-05'", conn)
        conn.execute("DELETE FROM indicators WHERE period = '2020-05'")  # the database moves on

    inputs = input_files(params, data)
    assert inputs["indicators"].database is not None  # the pulled rows, not a file of the user's
    assert (
        file_sha256(inputs["indicators"].path)
        == inputs["indicators"].sha256
        == data.files["indicators"]
    )
    assert manifest_inputs(inputs)["indicators"]["path"] == f"sqlite:///{db} (query {QUERY})"
    snapshot_inputs(inputs, tmp_path / "inputs")

    listing = json.loads((tmp_path / "inputs" / "inputs.json").read_text(encoding="utf-8"))
    entry = listing["indicators"]
    assert (
        entry["url"] == f"sqlite:///{db}"
        and entry["query"] == QUERY
        and entry["period"] == "2020-05"
    )
    assert listing["stations"]["table"] == "stations"
    saved = tmp_path / "inputs" / entry["file"]
    assert (
        saved.suffix == ".parquet"
        and file_sha256(saved) == entry["sha256"] == data.files["indicators"]
    )
    pd.testing.assert_frame_equal(pd.read_parquet(saved), scored, check_dtype=False)
    assert listing["params/0"]["file"].endswith(".yaml")  # the files are snapshotted as before


# -- a source is only read ------------------------------------------------------------------
def _tables(db: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master"))


@pytest.mark.parametrize(
    "query",
    [
        "DROP TABLE indicators",
        "CREATE TABLE stolen AS SELECT * FROM stations",
        "ATTACH DATABASE 'attached.db' AS a",
        "VACUUM INTO 'copy.db'",
        "SELECT * FROM stations; DROP TABLE indicators",
        "WITH x AS (SELECT 1) DELETE FROM indicators",
        "INSERT INTO stations SELECT * FROM stations",
        "PRAGMA writable_schema = 1",
    ],
)
def test_a_writing_query_is_refused_and_changes_nothing(tmp_path, run_cli, sample_db, query):
    db = tmp_path / "sample.db"
    shutil.copy(sample_db, db)
    before, digest = _tables(db), file_sha256(db)
    url = f"sqlite:///{db}"
    params = db_params(tmp_path, url, indicators={"url": url, "query": query})
    message = one_line_error(*run_cli("score", "--params", params))
    assert "data.indicators" in message
    assert _tables(db) == before == ["indicators", "projects", "stations"]
    assert file_sha256(db) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.yaml", "sample.db"]


@pytest.mark.parametrize(
    ("query", "refusal"),
    [
        ("DROP TABLE indicators", "readonly database"),
        ("CREATE TABLE stolen (a)", "readonly database"),
        ("WITH x AS (SELECT 1) DELETE FROM indicators", "readonly database"),
        ("ATTACH DATABASE '{folder}/attached.db' AS a", "not authorized"),
        ("ATTACH DATABASE 'file:{folder}/rwc.db?mode=rwc' AS a", "not authorized"),
        ("VACUUM INTO '{folder}/copy.db'", "authoriz"),
    ],
)
def test_the_sqlite_connection_itself_is_read_only(tmp_path, sample_db, query, refusal):
    """Past validation (a source built without it), the driver still refuses every write."""
    from fivecolor.data.database import fetch
    from fivecolor.errors import InputError
    from fivecolor.params.model import SqlSource

    db = tmp_path / "sample.db"
    shutil.copy(sample_db, db)
    digest = file_sha256(db)
    source = SqlSource.model_construct(
        url=f"sqlite:///{db}",
        query=query.format(folder=tmp_path),
        table=None,
        password_env="FIVECOLOR_DB_PASSWORD",
    )
    with pytest.raises(InputError, match=refusal):
        fetch(source, "indicators", "2020-05")
    assert file_sha256(db) == digest
    assert [p.name for p in tmp_path.iterdir()] == ["sample.db"]


def test_a_sqlite_file_uri_cannot_ask_for_write_access(tmp_path, sample_db):
    from fivecolor.data.database import fetch
    from fivecolor.errors import InputError
    from fivecolor.params.model import SqlSource

    db = tmp_path / "sample.db"
    shutil.copy(sample_db, db)
    source = SqlSource.model_construct(
        url=f"sqlite:///file:{db}?mode=rwc&uri=true",
        query="DROP TABLE stations",
        table=None,
        password_env="FIVECOLOR_DB_PASSWORD",
    )
    with pytest.raises(InputError, match="readonly"):
        fetch(source, "indicators", "2020-05")
    assert "stations" in _tables(db)


@pytest.mark.parametrize(
    "variable", ["HOME", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "fivecolor_x"]
)
@pytest.mark.parametrize("where", ["source", "store"])
def test_password_env_names_only_declared_variables(tmp_path, run_cli, variable, where):
    url = "postgresql+psycopg://fivecolor@evil.example:5432/grid"
    login = {"url": url, "password_env": variable}
    if where == "source":
        params = db_params(tmp_path, url, indicators={**login, "table": "indicators"})
    else:
        params = db_params(tmp_path, url, store=login)
    message = one_line_error(*run_cli("score", "--params", params))
    assert "password_env" in message and "FIVECOLOR_" in message


# -- PostgreSQL ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def postgres(sample_db, postgres_cluster):
    """The throwaway cluster's database ``grid``, holding the sample; the role ``fivecolor``
    logs in over TCP with a SCRAM password."""
    url = postgres_cluster.create_database("grid")
    loader = sqlalchemy.create_engine(url.replace("fivecolor@", f"fivecolor:{PASSWORD}@"))
    with sqlite3.connect(sample_db) as src, loader.begin() as conn:
        for table in ("stations", "indicators"):
            pd.read_sql(f"SELECT * FROM {table}", src).to_sql(table, conn, index=False)
    loader.dispose()
    return url


def test_postgres_scores_equal_the_csv_scores(tmp_path, run_cli, postgres, csv_scores, monkeypatch):
    monkeypatch.setenv("FIVECOLOR_DB_PASSWORD", PASSWORD)
    out_file = tmp_path / "scores.csv"
    with executed_statements() as seen:
        code, _, err = run_cli(
            "score", "--params", db_params(tmp_path, postgres), "--out", out_file
        )
    assert code == 0, err
    assert out_file.read_bytes() == csv_scores["2020-05"]
    reads = [(sql, values) for sql, values in seen if "FROM indicators" in sql]
    assert len(reads) == 1
    assert "2020" not in reads[0][0] and "%(period)s" in reads[0][0]
    assert bound_values(reads[0][1]) == ["2020-05"]


def test_postgres_password_from_a_named_variable_never_reaches_the_manifest(
    tmp_path, postgres, monkeypatch
):
    monkeypatch.delenv("FIVECOLOR_DB_PASSWORD", raising=False)
    monkeypatch.setenv("FIVECOLOR_GRID_PASSWORD", PASSWORD)
    source = {"url": postgres, "table": "indicators", "password_env": "FIVECOLOR_GRID_PASSWORD"}
    params = load_params(
        db_params(tmp_path, postgres, stations={**source, "table": "stations"}, indicators=source)
    )
    data = load_data(params)
    inputs = input_files(params, data)
    assert file_sha256(inputs["indicators"].path) == data.files["indicators"]
    snapshot_inputs(inputs, tmp_path / "inputs")
    manifest = manifest_inputs(inputs)
    text = json.dumps(manifest) + (tmp_path / "inputs" / "inputs.json").read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert manifest["indicators"]["path"] == f"{postgres} (table indicators)"
    saved = pd.read_parquet(tmp_path / "inputs" / "indicators-database.parquet")
    assert len(saved) == int(data.values.size - pd.isna(data.values).sum())


@pytest.mark.parametrize(
    "query",
    [
        "DROP TABLE stations",
        "CREATE TABLE stolen AS SELECT * FROM stations",
        "WITH gone AS (DELETE FROM stations RETURNING *) SELECT * FROM gone",
        "SELECT 1; DROP TABLE stations",
    ],
)
def test_postgres_runs_sources_in_read_only_transactions(postgres, monkeypatch, query):
    """Past validation (a source built without it), the server itself refuses every write."""
    from fivecolor.data.database import fetch
    from fivecolor.errors import InputError
    from fivecolor.params.model import SqlSource

    monkeypatch.setenv("FIVECOLOR_DB_PASSWORD", PASSWORD)
    source = SqlSource.model_construct(
        url=postgres, query=query, table=None, password_env="FIVECOLOR_DB_PASSWORD"
    )
    with pytest.raises(InputError, match=r"read-only transaction|cannot insert multiple"):
        fetch(source, "stations", "2020-05")
    rows = fetch(
        SqlSource.model_construct(
            url=postgres,
            query="SELECT count(*) AS n FROM stations",
            table=None,
            password_env="FIVECOLOR_DB_PASSWORD",
        ),
        "stations",
        "2020-05",
    )
    assert int(rows["n"].iloc[0]) > 0
    names = fetch(
        SqlSource.model_construct(
            url=postgres,
            query="SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
            table=None,
            password_env="FIVECOLOR_DB_PASSWORD",
        ),
        "stations",
        "2020-05",
    )
    assert sorted(names["tablename"]) == ["indicators", "stations"]


@pytest.mark.parametrize("password", ["wrong-password", None])
def test_postgres_wrong_password_is_one_line(tmp_path, run_cli, postgres, monkeypatch, password):
    if password is None:
        monkeypatch.delenv("FIVECOLOR_DB_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("FIVECOLOR_DB_PASSWORD", password)
    message = one_line_error(*run_cli("score", "--params", db_params(tmp_path, postgres)))
    assert message.startswith(f"fivecolor: error: data.stations: {postgres}: authentication failed")
    assert "environment variable FIVECOLOR_DB_PASSWORD" in message
    assert ("is not set" in message) == (password is None)
    assert "wrong-password" not in message


def test_unreachable_database_is_one_line(tmp_path, run_cli, monkeypatch):
    """Nothing listens on the port: refused at once, said in one line (no server needed)."""
    monkeypatch.setenv("FIVECOLOR_DB_PASSWORD", PASSWORD)
    url = f"postgresql+psycopg://fivecolor@127.0.0.1:{free_port()}/grid"
    message = one_line_error(*run_cli("score", "--params", db_params(tmp_path, url)))
    assert message.startswith(
        f"fivecolor: error: data.stations: {url}: cannot connect to the database"
    )
    assert "Connection refused" in message and PASSWORD not in message
