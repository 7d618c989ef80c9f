"""The ``fivecolor`` command: help, the scores table, ``--out``, the JSON Schema, usage errors,
and the real console entry (``python -m fivecolor``) run as a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from conftest import CATALOGUE, PERIODS, REPO, REPORTED, SCORE_COLUMNS, STATIONS

BANDS = ("red", "orange", "blue", "green", "yellow")
CUTOFFS = (90, 85, 80, 75)  # params/default.yaml


def _python_m_fivecolor(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m fivecolor ARGS`` in a fresh interpreter, the package taken from this checkout."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "fivecolor", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _reference_scores(rows: pd.DataFrame, period: str) -> pd.Series:
    """Composite scores by the documented default method, computed here from the catalogue:
    goalposts (log-transformed where asked) map to 0..100 and are capped, then the
    weighted arithmetic mean with the catalogue's weights."""
    month = rows[rows["period"] == period].pivot(
        index="station_id", columns="indicator", values="value"
    )
    keys = list(CATALOGUE)
    month = month[keys]
    worst = np.array([CATALOGUE[k]["goalposts"][0] for k in keys], dtype=float)
    best = np.array([CATALOGUE[k]["goalposts"][1] for k in keys], dtype=float)
    log = np.array([CATALOGUE[k].get("transform", "none") == "log" for k in keys])
    weights = np.array([CATALOGUE[k]["weight"] for k in keys], dtype=float)
    values = month.to_numpy(dtype=float)
    values, worst, best = (
        np.where(log, np.log(np.where(log, x, 1.0)), x) for x in (values, worst, best)
    )
    normalised = np.clip((values - worst) / (best - worst), 0, 1) * 100
    return pd.Series(normalised @ weights / weights.sum(), index=month.index)


def _band(scores: pd.Series) -> np.ndarray:
    """red >= 90 > orange >= 85 > blue >= 80 > green >= 75 > yellow."""
    return np.asarray(BANDS, dtype=object)[
        np.searchsorted(-np.asarray(CUTOFFS, float), -scores.to_numpy(), side="left")
    ]


def test_help_lists_the_commands(run_cli):
    code, out, err = run_cli("--help")
    assert (code, err) == (0, "")
    assert out.startswith("usage: fivecolor")
    for command in ("score", "validate", "report", "sample", "params-schema"):
        assert command in out


def test_command_help_names_the_options(run_cli):
    code, out, _ = run_cli("score", "--help")
    assert code == 0
    assert "--params" in out and "--period" in out and "--out" in out


def test_score_to_stdout_is_the_documented_csv(project, run_cli):
    code, out, err = run_cli("score", "--params", project.params_path)
    assert (code, err) == (0, "")
    assert not out.startswith("\ufeff")  # the BOM is for files Excel opens, not for pipes
    table = pd.read_csv(io.StringIO(out), dtype={"station_id": str}, keep_default_na=False)

    indicator_columns = [f"score_{key}" for key in CATALOGUE]
    assert list(table.columns[: len(SCORE_COLUMNS)]) == list(SCORE_COLUMNS)
    assert set(indicator_columns) <= set(table.columns)
    assert [c for c in table.columns if c.startswith("score_")] == indicator_columns

    assert sorted(table["station_id"]) == sorted(STATIONS["station_id"])
    assert (table["period"] == REPORTED).all()
    assert dict(zip(table["station_id"], table["name"], strict=True)) == dict(
        zip(STATIONS["station_id"], STATIONS["name"], strict=True)
    )
    assert list(table["rank"]) == list(range(1, len(STATIONS) + 1))  # best first

    # numbers against an independent computation of the default method
    table = table.set_index("station_id")
    expected = _reference_scores(project.indicators, REPORTED).reindex(table.index)
    np.testing.assert_allclose(table["score"], expected, atol=1e-3)
    assert table["score"].is_monotonic_decreasing
    assert list(table["band"]) == list(_band(expected))
    previous = _reference_scores(project.indicators, PERIODS[-2]).reindex(table.index)
    assert list(table["prev_band"]) == list(_band(previous))
    order = {b: i for i, b in enumerate(BANDS)}
    now, before = table["band"].map(order), table["prev_band"].map(order)
    assert list(table["change"]) == list(
        np.where(now < before, "up", np.where(now > before, "down", "same"))
    )
    assert (
        table[indicator_columns].to_numpy().min() >= 0
        and table[indicator_columns].to_numpy().max() <= 100
    )


def test_period_option_scores_an_earlier_month(project, run_cli):
    code, out, err = run_cli("score", "--params", project.params_path, "--period", PERIODS[1])
    assert (code, err) == (0, "")
    table = pd.read_csv(io.StringIO(out), dtype={"station_id": str}).set_index("station_id")
    assert (table["period"] == PERIODS[1]).all()
    expected = _reference_scores(project.indicators, PERIODS[1]).reindex(table.index)
    np.testing.assert_allclose(table["score"], expected, atol=1e-3)


def test_out_writes_the_same_table_to_a_file(project, run_cli, tmp_path):
    _, to_stdout, _ = run_cli("score", "--params", project.params_path)
    out = tmp_path / "new" / "scores.csv"
    code, stdout, err = run_cli("score", "--params", project.params_path, "--out", out)
    assert code == 0 and stdout == ""
    assert str(out) in err and err.count("\n") == 1
    written = out.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese names
    assert written.decode("utf-8-sig") == to_stdout
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "scores.csv"
    ]  # no temporary left behind


def test_params_schema_is_json_schema(run_cli):
    code, out, err = run_cli("params-schema")
    assert (code, err) == (0, "")
    schema = json.loads(out)
    assert schema["type"] == "object"
    assert {"indicators", "extends", "period", "bands", "data"} <= set(schema["properties"])
    assert schema["properties"]["extends"]["type"] == "string"
    # a complete file needs title; a file that extends another need not repeat it
    assert "title" in schema["$defs"]["Params"]["required"]
    assert {"required": ["extends"]} in schema["anyOf"]


def test_unknown_command_is_one_line_exit_2(run_cli):
    code, out, err = run_cli("frobnicate", "--params", "p.yaml")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("fivecolor: error: usage: ")
    assert "'frobnicate'" in err and "Traceback" not in err


def test_missing_required_option_is_one_line_exit_2(run_cli):
    code, out, err = run_cli("score")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "--params" in err


def test_no_command_is_one_line_exit_2(run_cli):
    code, _, err = run_cli()
    assert code == 2 and err.count("\n") == 1 and err.startswith("fivecolor: error: usage: ")


def test_python_m_fivecolor_version(tmp_path):
    from fivecolor import __version__

    done = _python_m_fivecolor("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"fivecolor {__version__}\n", "")


def test_python_m_fivecolor_bad_input_has_no_traceback(project, tmp_path):
    params = project.with_params(
        lambda doc: doc.update(indicators={"safety_production": {"wieght": 3}})
    )
    out = tmp_path / "scores.csv"
    done = _python_m_fivecolor("score", "--params", params, "--out", out, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("fivecolor: error: ")
    assert "variant.yaml" in done.stderr and "indicators.safety_production.wieght" in done.stderr
    assert not out.exists()


def test_python_m_fivecolor_bad_data_has_no_traceback(project, tmp_path):
    params = project.with_data_bytes("stations", "stations.xlsx", b"not a workbook")
    done = _python_m_fivecolor("validate", "--params", params, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "stations.xlsx" in done.stderr


def test_an_output_that_cannot_be_written_is_one_line_exit_2(project, run_cli, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = run_cli("score", "--params", project.params_path, "--out", folder)
    assert (
        code == 2
        and len(err.strip().splitlines()) == 1
        and "a-folder" in err
        and "Traceback" not in err
    )
