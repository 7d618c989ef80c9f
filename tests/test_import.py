"""``fivecolor import``: the company's workbook into the store of record.

Every expectation is checked against the sample's long CSV read here with plain pandas, never
against the importer's own reading of it. Each store test runs on a DuckDB file and on the
throwaway PostgreSQL cluster (skipped when PostgreSQL is not installed).
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fivecolor.data.importing import parse_period
from fivecolor.data.store import load_history, open_store
from fivecolor.params import load_params

from conftest import CATALOGUE, SAMPLE_DIR, store_params, write_yaml

#: The sample's values as published in its long CSV: the independent truth of these tests.
LONG = pd.read_csv(SAMPLE_DIR / "indicators.csv", dtype={"period": str, "station_id": str})
STATIONS = pd.read_csv(SAMPLE_DIR / "stations.csv", dtype=str)
ZH = {key: spec["label"]["zh"] for key, spec in CATALOGUE.items()}
EN = {key: spec["label"]["en"] for key, spec in CATALOGUE.items()}
NAME_OF = dict(zip(STATIONS["station_id"], STATIONS["name"], strict=True))


def wide_month(period: str, headers: dict[str, str] = ZH, station: str = "供电所") -> pd.DataFrame:
    """One month of the long CSV as an analyst's sheet: one row per station (by Chinese name),
    one column per indicator headed by its label."""
    month = LONG[LONG["period"] == period]
    wide = month.pivot(index="station_id", columns="indicator", values="value")
    wide = wide[list(CATALOGUE)].rename(columns=headers)
    wide.insert(0, station, [NAME_OF[s] for s in wide.index])
    return wide.reset_index(drop=True)


def expected(periods: list[str], drop: tuple[str, str, str] | None = None) -> pd.DataFrame:
    rows = LONG[LONG["period"].isin(periods)]
    if drop is not None:
        period, station, indicator = drop
        rows = rows[
            ~(
                (rows["period"] == period)
                & (rows["station_id"] == station)
                & (rows["indicator"] == indicator)
            )
        ]
    return _sorted(rows)


def _sorted(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows[["period", "station_id", "indicator", "value"]].astype(
        {"period": str, "station_id": str, "indicator": str, "value": float}
    )
    return out.sort_values(["period", "station_id", "indicator"]).reset_index(drop=True)


def history(params: Path) -> pd.DataFrame:
    return _sorted(load_history(load_params(params).store_location))


def store_state(params: Path) -> tuple:
    """What a refused import must leave: the DuckDB file's bytes, or the server's tables."""
    location = load_params(params).store_location
    if isinstance(location, Path):
        return (location.read_bytes(),)
    with open_store(location) as store:
        log = store.import_log()
        return (len(log), history(params).to_csv(), store.stations().to_csv())


def one_line(code: int, out: str, err: str) -> str:
    assert code == 2, (code, out, err)
    assert out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_may_as_a_wide_chinese_workbook_imports_to_the_long_csv(tmp_path, run_cli, store_doc):
    sheet = wide_month("2020-05")
    sheet.insert(0, "月份", datetime(2020, 5, 1))  # an Excel date cell
    row = int(np.flatnonzero(sheet["供电所"] == "慈城供电所")[0])
    sheet.loc[row, ZH["line_loss"]] = np.nan  # one blank cell
    workbook = tmp_path / "五月.xlsx"
    sheet.to_excel(workbook, index=False, sheet_name="2020年5月")
    params = store_params(tmp_path, store_doc)

    code, out, err = run_cli("import", workbook, "--params", params)

    assert code == 0, err
    assert "2020-05" in out and "60 stations, 599 values, 1 warnings" in out
    assert len(out.splitlines()) == 1
    assert f"row {row + 2}, column {ZH['line_loss']}: cicheng / line_loss (2020-05) is blank" in err
    pd.testing.assert_frame_equal(
        history(params), expected(["2020-05"], drop=("2020-05", "cicheng", "line_loss"))
    )


def test_a_june_workbook_appended_to_23_months_keeps_all_24(tmp_path, run_cli, store_doc):
    months = sorted(LONG["period"].unique())[1:]  # 2018-07 … 2020-05: 23 months
    assert len(months) == 23
    earlier = tmp_path / "history.csv"
    LONG[LONG["period"].isin(months)].to_csv(earlier, index=False)
    june = wide_month("2020-05")  # June's workbook: May's numbers, one moved
    june.loc[0, ZH["safety_production"]] = 88.8
    june.insert(1, "period", "2020年06月")
    workbook = tmp_path / "june.xlsx"
    june.to_excel(workbook, index=False)
    params = store_params(tmp_path, store_doc)

    assert run_cli("import", earlier, "--params", params)[0] == 0
    code, out, err = run_cli("import", workbook, "--params", params)

    assert code == 0, err
    held = history(params)
    assert sorted(held["period"].unique()) == [*months, "2020-06"]
    pd.testing.assert_frame_equal(
        held[held["period"] != "2020-06"].reset_index(drop=True), expected(months)
    )
    june_values = expected(["2020-05"]).assign(period="2020-06")
    first = STATIONS.set_index("name").loc[june.loc[0, "供电所"], "station_id"]
    june_values.loc[
        (june_values["station_id"] == first) & (june_values["indicator"] == "safety_production"),
        "value",
    ] = 88.8
    pd.testing.assert_frame_equal(
        held[held["period"] == "2020-06"].reset_index(drop=True), june_values
    )

    # scored from the store, June has May as its last month: no station is "new"
    from_store = write_yaml(
        {"extends": str(params), "period": "2020-06", "data": {"indicators": "store"}},
        tmp_path / "from-store.yaml",
    )
    code, out, err = run_cli("score", "--params", from_store)
    assert code == 0, err
    scores = pd.read_csv(io.StringIO(out))
    assert len(scores) == 60 and (scores["change"] != "new").all()


def _june_workbook(tmp_path: Path, name: str, safety: float) -> Path:
    june = wide_month("2020-05")
    june.loc[3, ZH["safety_production"]] = safety
    path = tmp_path / name
    june.to_excel(path, index=False)
    return path


def test_importing_june_again_is_refused_unless_replace(tmp_path, run_cli, store_doc):
    params = store_params(tmp_path, store_doc)
    first = _june_workbook(tmp_path, "june.xlsx", 91.0)
    assert run_cli("import", first, "--params", params, "--period", "2020-06")[0] == 0
    before = store_state(params)

    again = _june_workbook(tmp_path, "june-corrected.xlsx", 92.5)
    message = one_line(*run_cli("import", again, "--params", params, "--period", "2020-06"))

    assert "june-corrected.xlsx" in message and "period 2020-06" in message
    assert "changes 1 of its 600 values" in message and "--replace" in message
    assert store_state(params) == before  # byte for byte, for a DuckDB file

    code, out, err = run_cli(
        "import", again, "--params", params, "--period", "2020-06", "--replace"
    )
    assert code == 0, err
    assert "replaced 2020-06" in out
    with open_store(load_params(params).store_location) as store:
        log = store.import_log()
    assert list(log["action"]) == ["import", "replace"]
    assert pd.isna(log["old_hash"].iloc[0]) or log["old_hash"].iloc[0] in ("", None)
    assert log["old_hash"].iloc[1] == log["new_hash"].iloc[0]
    assert log["new_hash"].iloc[1] != log["new_hash"].iloc[0]
    assert list(log["file"]) == ["june.xlsx", "june-corrected.xlsx"]
    held = history(params)
    station = STATIONS.set_index("name").loc[wide_month("2020-05").loc[3, "供电所"], "station_id"]
    cell = held[(held["station_id"] == station) & (held["indicator"] == "safety_production")]
    assert cell["value"].tolist() == [92.5] and len(held) == 600


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (
            lambda sheet: (
                sheet.__setitem__(ZH["line_loss"], sheet[ZH["line_loss"]].astype(object))
                or sheet.loc.__setitem__((7, ZH["line_loss"]), "n/a")
            ),
            ("sheet Sheet1", "row 9", f"column {ZH['line_loss']}"),
            "'n/a' is not a number",
        ),
        (
            lambda sheet: sheet.loc.__setitem__((12, "供电所"), "海曙新区供电所"),
            ("sheet Sheet1", "row 14", "column 供电所"),
            "unknown station '海曙新区供电所'",
        ),
    ],
    ids=["text-in-a-number-column", "unknown-station"],
)
def test_a_malformed_workbook_changes_nothing(tmp_path, run_cli, store_doc, change, where, problem):
    params = store_params(tmp_path, store_doc)
    earlier = tmp_path / "april.csv"
    LONG[LONG["period"] == "2020-04"].to_csv(earlier, index=False)
    assert run_cli("import", earlier, "--params", params)[0] == 0
    before = store_state(params)
    sheet = wide_month("2020-05")
    change(sheet)
    workbook = tmp_path / "may.xlsx"
    sheet.to_excel(workbook, index=False)

    message = one_line(*run_cli("import", workbook, "--params", params, "--period", "2020-05"))

    assert message.startswith("fivecolor: error: ") and "may.xlsx" in message
    for part in where:
        assert part in message, message
    assert problem in message
    assert store_state(params) == before


def test_a_bad_first_import_creates_no_store(tmp_path, run_cli):
    params = store_params(tmp_path, "store.duckdb")
    sheet = wide_month("2020-05")
    sheet.loc[0, "供电所"] = "nowhere"
    sheet.to_excel(tmp_path / "may.xlsx", index=False)
    one_line(*run_cli("import", tmp_path / "may.xlsx", "--params", params, "--period", "2020-05"))
    assert not (tmp_path / "store.duckdb").exists()


def test_did_you_mean_for_a_misspelt_station_and_header(tmp_path, run_cli):
    params = store_params(tmp_path, "store.duckdb")
    sheet = wide_month("2020-05")
    sheet.loc[sheet["供电所"] == "慈城供电所", "供电所"] = "慈成供电所"
    sheet.to_excel(tmp_path / "station.xlsx", index=False)
    message = one_line(
        *run_cli("import", tmp_path / "station.xlsx", "--params", params, "--period", "2020-05")
    )
    assert "unknown station '慈成供电所'" in message and "did you mean '慈城供电所'?" in message

    header = wide_month("2020-05").rename(columns={ZH["line_loss"]: "线损管理指"})
    header.to_excel(tmp_path / "header.xlsx", index=False)
    message = one_line(
        *run_cli("import", tmp_path / "header.xlsx", "--params", params, "--period", "2020-05")
    )
    assert "column 线损管理指" in message and f"did you mean '{ZH['line_loss']}'?" in message
    assert not (tmp_path / "store.duckdb").exists()


@pytest.mark.parametrize(
    "cell",
    [
        "2020-06",
        "2020-6",
        "2020/06",
        "2020.6",
        "2020年6月",
        "2020年06月",
        "２０２０年０６月",
        "202006",
        202006,
        202006.0,
        "2020-06-15",
        datetime(2020, 6, 30),
        pd.Timestamp("2020-06-01"),
        43983,  # Excel's serial number of 2020-06-01
        44012.0,  # … of 2020-06-30
        "43983",
    ],
)
def test_period_spellings(cell):
    assert parse_period(cell) == "2020-06"


@pytest.mark.parametrize(
    "cell", ["June", "2020-13", 202013, "2020年13月", "", 1.5, "2020-06x", True, float("nan")]
)
def test_what_is_no_period(cell):
    assert parse_period(cell) is None


def test_periods_in_several_spellings_import_to_their_months(tmp_path, run_cli):
    """A long CSV whose period column mixes the spellings; dates as Excel serial numbers."""
    params = store_params(tmp_path, "store.duckdb")
    rows = LONG[LONG["period"].isin(["2020-03", "2020-04", "2020-05"])].copy()
    rows["period"] = rows["period"].map(
        {"2020-03": "2020年3月", "2020-04": "202004", "2020-05": "43952"}  # 43952: 2020-05-01
    )
    rows.to_csv(tmp_path / "three.csv", index=False)
    code, _, err = run_cli("import", tmp_path / "three.csv", "--params", params)
    assert code == 0, err
    pd.testing.assert_frame_equal(history(params), expected(["2020-03", "2020-04", "2020-05"]))


def test_a_bad_period_names_the_row(tmp_path, run_cli):
    params = store_params(tmp_path, "store.duckdb")
    rows = LONG[LONG["period"] == "2020-05"].copy()
    rows.iloc[4, 0] = "2020-13"
    rows.to_csv(tmp_path / "bad.csv", index=False)
    message = one_line(*run_cli("import", tmp_path / "bad.csv", "--params", params))
    assert "bad.csv: row 6, column period: '2020-13' is not a month" in message


def test_a_sheet_without_periods_takes_period_or_its_name(tmp_path, run_cli):
    params = store_params(tmp_path, "store.duckdb")
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as writer:
        wide_month("2020-04").to_excel(writer, sheet_name="2020年04月", index=False)
        wide_month("2020-05").to_excel(writer, sheet_name="2020年05月", index=False)
    code, out, err = run_cli("import", book, "--params", params)
    assert code == 0, err
    assert "2020-04, 2020-05" in out
    pd.testing.assert_frame_equal(history(params), expected(["2020-04", "2020-05"]))

    lone = tmp_path / "lone.xlsx"
    wide_month("2020-03").to_excel(lone, index=False, sheet_name="数据")
    message = one_line(*run_cli("import", lone, "--params", params))
    assert "sheet 数据" in message and "give --period YYYY-MM" in message
    assert run_cli("import", lone, "--params", params, "--period", "2020-03")[0] == 0
    assert sorted(history(params)["period"].unique()) == ["2020-03", "2020-04", "2020-05"]


def test_sheet_picks_one_and_an_unknown_sheet_lists_them(tmp_path, run_cli):
    params = store_params(tmp_path, "store.duckdb")
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"说明": ["本表为五月数据"]}).to_excel(writer, sheet_name="说明", index=False)
        wide_month("2020-05").to_excel(writer, sheet_name="数据", index=False)
    message = one_line(*run_cli("import", book, "--params", params, "--period", "2020-05"))
    assert "sheet 说明" in message and "--sheet NAME" in message and "['说明', '数据']" in message
    message = one_line(*run_cli("import", book, "--params", params, "--sheet", "数剧"))
    assert "sheet 数剧: no such sheet" in message and "['说明', '数据']" in message
    code, _, err = run_cli(
        "import", book, "--params", params, "--sheet", "数据", "--period", "2020-05"
    )
    assert code == 0, err
    pd.testing.assert_frame_equal(history(params), expected(["2020-05"]))
    with open_store(tmp_path / "store.duckdb", read_only=True) as store:
        assert store.import_log()["sheet"].tolist() == ["数据"]


def test_english_headers_aliases_and_names_in_a_long_workbook(tmp_path, run_cli):
    """English labels and an alias declared in the parameters; stations by English name or
    short Chinese name; and a long workbook whose indicator cells are Chinese labels."""
    params = store_params(
        tmp_path,
        "store.duckdb",
        indicators={"line_loss": {"aliases": ["综合线损率"]}},
    )
    sheet = wide_month("2020-05", headers={**EN, "line_loss": "综合线损率"}, station="name")
    english = dict(zip(STATIONS["name"], STATIONS["name_en"], strict=True))
    sheet["name"] = [english[n] for n in sheet["name"]]
    sheet.loc[0, "name"] = sheet.loc[0, "name"].removesuffix(" station").upper()
    sheet.insert(1, "county", "某区")  # read past
    sheet.to_excel(tmp_path / "en.xlsx", index=False)
    code, _, err = run_cli(
        "import", tmp_path / "en.xlsx", "--params", params, "--period", "2020-05"
    )
    assert code == 0, err
    pd.testing.assert_frame_equal(history(params), expected(["2020-05"]))

    long = LONG[LONG["period"] == "2020-04"].copy()
    long["indicator"] = long["indicator"].map(ZH)
    long["station_id"] = [NAME_OF[s].removesuffix("供电所") for s in long["station_id"]]
    long = long.rename(
        columns={"period": "月份", "station_id": "供电所", "indicator": "指标", "value": "数值"}
    )
    long.to_excel(tmp_path / "long.xlsx", index=False)
    code, _, err = run_cli("import", tmp_path / "long.xlsx", "--params", params)
    assert code == 0, err
    pd.testing.assert_frame_equal(history(params), expected(["2020-04", "2020-05"]))


def test_a_value_outside_its_valid_range_names_the_cell(tmp_path, run_cli):
    params = store_params(tmp_path, "store.duckdb")
    sheet = wide_month("2020-05")
    sheet.loc[2, ZH["line_loss"]] = 45.0  # valid: [0, 30]
    sheet.to_excel(tmp_path / "may.xlsx", index=False)
    message = one_line(
        *run_cli("import", tmp_path / "may.xlsx", "--params", params, "--period", "2020-05")
    )
    assert f"row 4, column {ZH['line_loss']}: 45 is outside the valid range" in message


def test_a_title_above_the_header_is_read_past_and_rows_keep_their_numbers(tmp_path, run_cli):
    import openpyxl

    params = store_params(tmp_path, "store.duckdb")
    sheet = wide_month("2020-05")
    book = openpyxl.Workbook()
    page = book.active
    assert page is not None
    page.append(["宁波供电公司 2020年5月 供电所指标"])  # row 1: a title
    page.append([])  # row 2: blank
    page.append(list(sheet.columns))  # row 3: the header
    for row in sheet.itertuples(index=False):
        page.append(list(row))
    book.save(tmp_path / "titled.xlsx")
    code, _, err = run_cli(
        "import", tmp_path / "titled.xlsx", "--params", params, "--period", "2020-05"
    )
    assert code == 0, err
    pd.testing.assert_frame_equal(history(params), expected(["2020-05"]))

    page.cell(row=10, column=3, value="九十")  # the 7th station's second indicator
    book.save(tmp_path / "titled-bad.xlsx")
    message = one_line(
        *run_cli("import", tmp_path / "titled-bad.xlsx", "--params", params, "--period", "2020-06")
    )
    assert f"row 10, column {sheet.columns[2]}: '九十' is not a number" in message


def test_a_file_of_blank_cells_imports_nothing(tmp_path, run_cli):
    params = store_params(tmp_path, "store.duckdb")
    sheet = wide_month("2020-05")
    sheet.loc[:, list(ZH.values())] = np.nan
    sheet.to_excel(tmp_path / "blank.xlsx", index=False)
    message = one_line(
        *run_cli("import", tmp_path / "blank.xlsx", "--params", params, "--period", "2020-05")
    )
    assert message.endswith("blank.xlsx: no values to import: every indicator cell is blank")
    assert not (tmp_path / "store.duckdb").exists()
