"""The store of record: history read back for scoring, publications, hashes and where the store
is. Each store test runs on a DuckDB file and on the throwaway PostgreSQL cluster."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from fivecolor.data.dataset import load_data
from fivecolor.data.store import ImportSource, data_hash, load_history, open_store
from fivecolor.errors import InputError
from fivecolor.params import DEFAULT_STORE_NAME, StoreServer, load_params

from conftest import DEFAULT_PARAMS, SAMPLE_DIR, store_params, write_yaml

LONG = pd.read_csv(SAMPLE_DIR / "indicators.csv", dtype={"period": str, "station_id": str})
STATIONS = pd.read_csv(SAMPLE_DIR / "stations.csv", dtype=str)
SOURCE = ImportSource(file="indicators.csv", sheet=None, sha256="0" * 64)


def _sorted(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows[["period", "station_id", "indicator", "value"]].astype(
        {"period": str, "station_id": str, "indicator": str, "value": float}
    )
    return out.sort_values(["period", "station_id", "indicator"]).reset_index(drop=True)


def _location(tmp_path: Path, store_doc) -> Path | StoreServer:
    return load_params(store_params(tmp_path, store_doc)).store_location


def test_history_up_to_a_month_is_the_long_csv(tmp_path, store_doc):
    location = _location(tmp_path, store_doc)
    with open_store(location) as store:
        changes = store.import_values(LONG, SOURCE, stations=STATIONS.set_index("station_id"))
        assert [c.period for c in changes] == sorted(LONG["period"].unique())
        assert {c.action for c in changes} == {"import"}
        stations = store.stations()
    assert sorted(stations["station_id"]) == sorted(STATIONS["station_id"])

    history = load_history(location, "2019-12")

    assert isinstance(history["station_id"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(_sorted(history), _sorted(LONG[LONG["period"] <= "2019-12"]))
    pd.testing.assert_frame_equal(_sorted(load_history(location)), _sorted(LONG))


def test_a_month_scored_from_the_store_scores_as_from_the_csv(tmp_path, store_doc, run_cli):
    params = store_params(tmp_path, store_doc)
    assert run_cli("import", SAMPLE_DIR / "indicators.csv", "--params", params)[0] == 0
    from_store = write_yaml(
        {"extends": str(params), "data": {"indicators": "store"}}, tmp_path / "from-store.yaml"
    )
    from_csv = write_yaml({"extends": str(DEFAULT_PARAMS)}, tmp_path / "from-csv.yaml")

    store_run, csv_run = (
        run_cli("score", "--params", from_store),
        run_cli("score", "--params", from_csv),
    )

    assert store_run[0] == 0 and csv_run[0] == 0, store_run[2]
    assert store_run[1] == csv_run[1]
    data = load_data(load_params(from_store))
    assert data.inputs["indicators"].origin.startswith("store ")
    assert pd.read_parquet(data.inputs["indicators"].path).shape == (len(LONG), 4)


def test_the_data_hash_follows_the_values_not_their_order(tmp_path):
    may = LONG[LONG["period"] == "2020-05"]
    shuffled = may.sample(frac=1.0, random_state=7)
    changed = may.copy()
    changed.iloc[10, changed.columns.get_loc("value")] += 0.01
    assert data_hash(may) == data_hash(shuffled)
    assert data_hash(may) != data_hash(changed)
    assert data_hash(may) != data_hash(may.iloc[1:])


def test_publications_are_recorded_and_read_back(tmp_path, store_doc):
    location = _location(tmp_path, store_doc)
    scores = pd.DataFrame(
        {
            "station_id": ["cicheng", "chalu", "dongqiao"],
            "score": [84.25, 91.5, float("nan")],
            "rank": [2, 1, None],
            "band": ["orange", "red", ""],
            "name": ["慈城供电所", "茶路", "洞桥"],  # other columns of the scores file are left
        }
    )
    params = load_params(DEFAULT_PARAMS)
    when = datetime(2020, 6, 3, 9, 30)
    with open_store(location) as store:
        assert store.publication("2020-05") is None
        store.record_publication(
            "2020-05",
            params_json=json.dumps({"period": "2020-05"}),
            params_hash=params.digest(),
            data_hash="d" * 64,
            site_path="reports/2020-05",
            scores=scores,
            published_at=when,
        )
        store.record_publication(
            "2020-05",
            params_json="{}",
            params_hash="e" * 64,
            data_hash="d" * 64,
            site_path="reports/2020-05/variants/ahp",
            scores=scores.assign(band="green"),
            variant="ahp",
            published_at=when,
        )
        official = store.publication("2020-05")
        variant = store.publication("2020-05", "ahp")
        published = store.published_scores("2020-05")
        with pytest.raises(InputError, match="publication 2020-05: already recorded"):
            store.record_publication("2020-05", "{}", "f" * 64, "d" * 64, "reports/2020-05", scores)
        assert store.publication("2020-05")["params_hash"] == params.digest()  # type: ignore[index]

    assert official is not None and variant is not None
    assert official["variant"] is None and official["params"] == {"period": "2020-05"}
    assert official["params_hash"] == params.digest() and official["published_at"] == when
    assert official["site_path"] == "reports/2020-05"
    assert variant["variant"] == "ahp" and variant["params_hash"] == "e" * 64
    assert published["station_id"].tolist() == ["chalu", "cicheng", "dongqiao"]
    assert published["band"].tolist()[:2] == ["red", "orange"]
    assert published["score"].tolist()[:2] == [91.5, 84.25]
    assert published["rank"].tolist()[:2] == [1, 2]


def test_a_replaced_publication_keeps_one_record(tmp_path):
    location = tmp_path / "s.duckdb"
    scores = pd.DataFrame({"station_id": ["a"], "score": [80.0], "rank": [1], "band": ["blue"]})
    with open_store(location) as store:
        store.record_publication("2020-05", "{}", "a" * 64, "b" * 64, "r", scores)
        store.record_publication(
            "2020-05", "{}", "c" * 64, "b" * 64, "r", scores.assign(band="green"), replace=True
        )
        assert store.publication("2020-05")["params_hash"] == "c" * 64  # type: ignore[index]
        assert store.published_scores("2020-05")["band"].tolist() == ["green"]


def test_the_store_defaults_to_a_duckdb_file_beside_the_parameters(tmp_path):
    folder = tmp_path / "company"
    folder.mkdir()
    path = write_yaml({"extends": str(DEFAULT_PARAMS)}, folder / "june.yaml")
    assert load_params(path).store_location == folder / DEFAULT_STORE_NAME
    relative = write_yaml(
        {"extends": str(DEFAULT_PARAMS), "store": "db/x.duckdb"}, folder / "r.yaml"
    )
    assert load_params(relative).store_location == folder / "db" / "x.duckdb"


@pytest.mark.parametrize(
    ("store", "where", "problem"),
    [
        ({"url": "sqlite:///x.db"}, "store.url", "a store on a server is PostgreSQL"),
        (
            {"url": "postgresql+psycopg://u:secret@h/db"},
            "store.url",
            "the URL holds a password; remove it and put the password in the environment "
            "variable FIVECOLOR_DB_PASSWORD",
        ),
        ({"url": "postgresql+psycopg://u@h/db", "table": "x"}, "store.table", "unknown key"),
        ("", "store", "give a DuckDB file path or a mapping with url"),
    ],
)
def test_a_bad_store_is_one_line(tmp_path, run_cli, store, where, problem):
    params = write_yaml({"extends": str(DEFAULT_PARAMS), "store": store}, tmp_path / "p.yaml")
    code, _, err = run_cli("import", SAMPLE_DIR / "indicators.csv", "--params", params)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert f"p.yaml: {where}: {problem}" in err
    assert "secret" not in err


def test_scoring_from_a_store_not_yet_made_says_how_to_make_it(tmp_path, run_cli):
    params = write_yaml(
        {"extends": str(DEFAULT_PARAMS), "data": {"indicators": "store"}}, tmp_path / "p.yaml"
    )
    code, _, err = run_cli("score", "--params", params)
    assert code == 2
    assert err.strip() == (
        f"fivecolor: error: {tmp_path / DEFAULT_STORE_NAME}: the store does not exist yet; "
        "`fivecolor import FILE` creates it"
    )


def test_a_store_server_that_cannot_be_reached_is_one_line(tmp_path, run_cli, monkeypatch):
    from conftest import free_port

    monkeypatch.setenv("FIVECOLOR_DB_PASSWORD", "pw-not-shown")
    url = f"postgresql+psycopg://fivecolor@127.0.0.1:{free_port()}/grid"
    params = store_params(tmp_path, {"url": url})
    code, _, err = run_cli("import", SAMPLE_DIR / "indicators.csv", "--params", params)
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith(f"fivecolor: error: store: {url}: cannot connect to the store")
    assert "pw-not-shown" not in err


def test_an_alias_naming_another_indicator_is_refused(tmp_path, run_cli):
    params = write_yaml(
        {
            "extends": str(DEFAULT_PARAMS),
            "indicators": {"line_loss": {"aliases": ["Fault outages"]}},
        },
        tmp_path / "p.yaml",
    )
    code, _, err = run_cli("import", SAMPLE_DIR / "indicators.csv", "--params", params)
    assert code == 2
    assert err.strip().endswith(
        "p.yaml: indicators.line_loss.aliases: 'Fault outages' already names the indicator "
        "fault_outage"
    )
