"""Bad data files get one clear line (file, row/column, problem), exit 2, and no output;
good data in every supported form and encoding loads and scores identically.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import CATALOGUE, PERIODS, REPORTED, STATIONS, Project

FIRST = next(iter(CATALOGUE))  # safety_production, valid [0, 100]
WIDE = "frequent_outage"  # valid [0, 10000]: room for a thousands separator
assert CATALOGUE[WIDE]["valid"][1] >= 1234.5 >= CATALOGUE[WIDE]["valid"][0]


@dataclass(frozen=True)
class Case:
    """A bad data file: ``build(project) -> params path``, the file named and what else must be said."""

    id: str
    build: Callable[[Project], Path]
    file: str
    where: tuple[str, ...]
    extra: tuple[str, ...] = ()


def _stations(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Project], Path]:
    return lambda project: project.with_stations(change(project.stations.copy()))


def _indicators(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Project], Path]:
    return lambda project: project.with_indicators(change(project.indicators.copy()))


def _set_id(row: int, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, "station_id"] = value
        return frame

    return change


def _set_value(station: str, indicator: str, value, period: str = REPORTED):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        mask = (
            (frame["station_id"] == station)
            & (frame["indicator"] == indicator)
            & (frame["period"] == period)
        )
        assert mask.sum() == 1
        frame["value"] = frame["value"].astype(object)
        frame.loc[mask, "value"] = value
        return frame

    return change


def _row_of(project: Project, station: str, indicator: str, period: str = REPORTED) -> str:
    """The CSV row (header = row 1) of one cell in the project's indicator table."""
    return f"row {int(np.flatnonzero(project.cell(station, indicator, period))[0]) + 2}"


def _duplicate_cell(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[[5]]], ignore_index=True)


def _drop(mask: Callable[[pd.DataFrame], pd.Series]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: frame.loc[~mask(frame)].reset_index(drop=True)


def _missing_stations_file(project: Project) -> Path:
    return project.with_params(doc=project.params_doc(stations="gone.csv"))


def _missing_fail(project: Project) -> Path:
    project.with_indicators(project.indicators.loc[~project.cell("NB02", "line_loss")])
    return project.with_params(
        lambda doc: doc.update(
            missing="fail", data=project.params_doc(indicators="indicators_v.csv")["data"]
        )
    )


def _bytes(role: str, name: str, payload: Callable[[Project], bytes]) -> Callable[[Project], Path]:
    return lambda project: project.with_data_bytes(role, name, payload(project))


def _truncated_parquet(project: Project) -> bytes:
    buffer = io.BytesIO()
    project.indicators.to_parquet(buffer, index=False)
    whole = buffer.getvalue()
    return whole[: len(whole) // 2]


CASES = [
    Case("stations file missing", _missing_stations_file, "gone.csv", ("not found",)),
    Case(
        "unknown extension .txt",
        _bytes("stations", "stations.txt", lambda p: (p.root / "stations.csv").read_bytes()),
        "stations.txt",
        (".txt", ".csv, .xlsx or .parquet"),
    ),
    Case("empty CSV", _bytes("indicators", "empty.csv", lambda p: b""), "empty.csv", ("empty",)),
    Case(
        "CSV of blank lines",
        _bytes("indicators", "blank.csv", lambda p: b"\n\n  \n"),
        "blank.csv",
        ("empty",),
    ),
    Case(
        "header typo staton_id suggests station_id",
        _stations(lambda f: f.rename(columns={"station_id": "staton_id"})),
        "stations_v.csv",
        ("column station_id", "found 'staton_id'"),
    ),
    Case(
        "header without value column",
        _indicators(lambda f: f.rename(columns={"value": "amount"})),
        "indicators_v.csv",
        ("column value", "missing"),
    ),
    Case(
        "value column twice in a CSV header",
        _indicators(lambda f: pd.concat([f, f[["value"]]], axis=1)),
        "indicators_v.csv",
        ("column value", "twice"),
    ),
    Case(
        # pandas keeps "value" and "value " apart; the header's names are compared stripped
        "value column twice in a CSV header, once with a trailing space",
        _indicators(
            lambda f: pd.concat([f, f[["value"]].rename(columns={"value": "value "})], axis=1)
        ),
        "indicators_v.csv",
        ("column value", "twice"),
    ),
    Case(
        "name column twice in an xlsx header",
        lambda p: p.with_stations(
            pd.concat([p.stations, p.stations[["name"]]], axis=1), name="twice.xlsx"
        ),
        "twice.xlsx",
        ("column name", "twice"),
    ),
    Case(
        "station id with a slash",
        _stations(_set_id(2, "NB/03")),
        "stations_v.csv",
        ("row 4", "column station_id", "'NB/03'"),
    ),
    Case(
        "station id ../x",
        _stations(_set_id(0, "../x")),
        "stations_v.csv",
        ("row 2", "column station_id", "'../x'"),
    ),
    Case(
        "duplicate station id",
        _stations(_set_id(4, "NB02")),
        "stations_v.csv",
        ("row 6", "column station_id", "'NB02'", "more than once"),
    ),
    Case(
        "non-numeric lat",
        _stations(lambda f: f.assign(lat=f["lat"].astype(object).where(f.index != 3, "north"))),
        "stations_v.csv",
        ("row 5", "column lat", "'north'", "not a number"),
    ),
    Case(
        "duplicate indicator cell",
        _indicators(_duplicate_cell),
        "indicators_v.csv",
        (f"row {len(STATIONS) * len(CATALOGUE) * len(PERIODS) + 2}", "second value"),
    ),
    Case(
        "unknown station in indicators",
        _indicators(lambda f: f.assign(station_id=f["station_id"].where(f.index != 7, "NB99"))),
        "indicators_v.csv",
        ("row 9", "column station_id", "'NB99'", "stations.csv"),
    ),
    Case(
        "unknown indicator has no catalogue entry",
        _indicators(
            lambda f: f.assign(indicator=f["indicator"].where(f.index != 0, "safety_prod"))
        ),
        "indicators_v.csv",
        ("row 2", "column indicator", "'safety_prod'", "no entry", "catalogue"),
    ),
    Case(
        "non-numeric value abc",
        _indicators(_set_value("NB04", FIRST, "abc")),
        "indicators_v.csv",
        ("column value", "'abc'", "not a number"),
    ),
    Case(
        "value inf",
        _indicators(_set_value("NB04", FIRST, "inf")),
        "indicators_v.csv",
        ("column value", "not finite"),
    ),
    Case(
        "value -inf",
        _indicators(_set_value("NB04", FIRST, "-inf")),
        "indicators_v.csv",
        ("column value", "not finite"),
    ),
    Case(
        "value outside valid",
        _indicators(_set_value("NB04", FIRST, 150)),
        "indicators_v.csv",
        ("column value", "150", "valid range", FIRST),
    ),
    Case(
        "bad period text in the data",
        _indicators(lambda f: f.assign(period=f["period"].where(f.index != 10, "2020/03"))),
        "indicators_v.csv",
        ("row 12", "column period", "'2020/03'", "YYYY-MM"),
    ),
    Case(
        "station with no rows in the reported month",
        _indicators(_drop(lambda f: (f["station_id"] == "NB03") & (f["period"] == REPORTED))),
        "indicators_v.csv",
        ("NB03", "no data in 2020-05"),
    ),
    Case(
        "indicator with no rows in the reported month",
        _indicators(_drop(lambda f: (f["indicator"] == "line_loss") & (f["period"] == REPORTED))),
        "indicators_v.csv",
        ("line_loss", "no data in 2020-05"),
    ),
    Case(
        "period option with no data that month",
        lambda p: p.params_path,
        "indicators.csv",
        ("column period", "2021-01", "latest month: 2020-05"),
        ("--period", "2021-01"),
    ),
    Case(
        "missing cell with missing: fail",
        _missing_fail,
        "indicators_v.csv",
        ("column value", "NB02", "line_loss", "missing: fail"),
    ),
    Case(
        "truncated Parquet",
        _bytes("indicators", "indicators.parquet", _truncated_parquet),
        "indicators.parquet",
        ("cannot read as parquet",),
    ),
    Case(
        "corrupt xlsx of random bytes",
        _bytes("stations", "stations.xlsx", lambda p: np.random.default_rng(7).bytes(4096)),
        "stations.xlsx",
        ("cannot read as xlsx",),
    ),
    Case(
        "CSV neither UTF-8 nor GBK",
        _bytes("stations", "latin.csv", lambda p: b"station_id\n\x81\x20\xff\n"),
        "latin.csv",
        ("UTF-8",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_data_give_one_line_exit_2_and_write_nothing(project, expect_bad_input, case):
    expect_bad_input(case.build(project), case.file, case.where, *case.extra)


def test_bad_value_message_names_its_csv_row(project, expect_bad_input):
    params = project.with_indicators(_set_value("NB04", FIRST, "abc")(project.indicators.copy()))
    expect_bad_input(params, "indicators_v.csv", (_row_of(project, "NB04", FIRST),))


def test_validate_lists_every_error_and_exits_2(project, run_cli):
    bad = _set_value("NB04", FIRST, "abc")(
        _set_value("NB05", WIDE, 20000)(project.indicators.copy())
    )
    code, out, err = run_cli("validate", "--params", project.with_indicators(bad))
    assert code == 2 and err == ""
    assert "'abc' is not a number" in out and "20000 is outside the valid range" in out
    assert out.splitlines()[-1].startswith(f"{REPORTED}: 2 errors, ")


# -- good inputs ------------------------------------------------------------------------------
def _score(run_cli, params: Path) -> str:
    code, out, err = run_cli("score", "--params", params)
    assert (code, err) == (0, ""), err
    return out


def _score_frame(run_cli, params: Path) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(_score(run_cli, params)), dtype={"station_id": str})


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_excel_and_parquet_score_identically_to_csv(project, run_cli, suffix):
    project.with_stations(name=f"stations{suffix}")
    project.with_indicators(name=f"indicators{suffix}")
    both = project.with_params(
        doc=project.params_doc(stations=f"stations{suffix}", indicators=f"indicators{suffix}")
    )
    assert _score(run_cli, both) == _score(run_cli, project.params_path)


def test_csv_with_utf8_bom_reads_names(project, run_cli):
    params = project.with_stations(name="bom.csv", encoding="utf-8-sig")
    assert (project.root / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert _score(run_cli, params) == _score(run_cli, project.params_path)


def test_gbk_csv_reads_chinese_names(project, run_cli):
    params = project.with_stations(name="gbk.csv", encoding="gbk")
    raw = (project.root / "gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the file really is not UTF-8
    scores = _score_frame(run_cli, params)
    names = dict(zip(STATIONS["station_id"], STATIONS["name"], strict=True))
    assert dict(zip(scores["station_id"], scores["name"], strict=True)) == names
    assert "海曙供电所" in set(scores["name"])


def test_fullwidth_digits_and_thousands_separator_are_converted(project, run_cli):
    # ０.５ (full-width, NFKC) reads as 0.5; "1,234.5" reads as 1234.5 (documented in to_numbers)
    plain = _set_value("NB01", "fault_outage", 0.5)(
        _set_value("NB02", WIDE, 1234.5)(project.indicators.copy())
    )
    typed = _set_value("NB01", "fault_outage", "０.５")(
        _set_value("NB02", WIDE, "1,234.5")(project.indicators.copy())
    )
    assert '"1,234.5"' in typed.to_csv(index=False)  # quoted in the file, as Excel writes it
    plain_scores = _score(run_cli, project.with_indicators(plain, name="plain.csv"))
    assert _score(run_cli, project.with_indicators(typed, name="typed.csv")) == plain_scores
    assert plain_scores != _score(run_cli, project.params_path)  # the edited cells count


def test_extra_station_columns_are_kept_and_ignored(project, run_cli):
    from fivecolor import load_data, load_params

    wider = project.stations.assign(manager=["张三"] * len(STATIONS), phone="0574-0000")
    params = project.with_stations(wider)
    assert _score(run_cli, params) == _score(run_cli, project.params_path)
    stations = load_data(load_params(params)).stations
    assert {"manager", "phone"} <= set(stations.columns)
    assert (stations["manager"] == "张三").all()


def test_a_column_named_like_a_renamed_duplicate_is_kept(project, run_cli):
    from fivecolor import load_data, load_params

    params = project.with_stations(project.stations.assign(**{"name.1": "另名"}))
    assert _score(run_cli, params) == _score(run_cli, project.params_path)
    assert (load_data(load_params(params)).stations["name.1"] == "另名").all()


def test_missing_cell_with_reweight_scores_and_validate_warns(project, run_cli):
    holed = _drop(lambda f: project.cell("NB02", "line_loss"))(project.indicators.copy())
    params = project.with_indicators(holed)  # p.yaml inherits missing: reweight
    scores = _score_frame(run_cli, params)
    assert len(scores) == len(STATIONS) and scores["score"].notna().all()
    code, out, err = run_cli("validate", "--params", params)
    assert (code, err) == (0, "")
    finding = [line for line in out.splitlines() if "NB02" in line]
    assert len(finding) == 1
    assert "warning" in finding[0] and "line_loss" in finding[0] and "missing value" in finding[0]
    assert out.splitlines()[-1] == f"{REPORTED}: 0 errors, 1 warnings"


def test_validate_on_clean_data(project, run_cli):
    code, out, err = run_cli("validate", "--params", project.params_path)
    assert (code, out, err) == (0, f"{REPORTED}: 0 errors, 0 warnings\n", "")


def test_big_month_over_month_jump_is_a_warning(project, run_cli):
    _, high = CATALOGUE[WIDE]["valid"]
    jumped = _set_value("NB06", WIDE, high)(
        project.indicators.copy()
    )  # from tens to the top of valid
    params = project.with_indicators(jumped)
    code, out, err = run_cli("validate", "--params", params)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == f"{REPORTED}: 0 errors, 1 warnings"
    (finding,) = [line for line in out.splitlines() if "jump" in line]
    assert "warning" in finding and "NB06" in finding and WIDE in finding
    assert _score_frame(run_cli, params)["score"].notna().all()
