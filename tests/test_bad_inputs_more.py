"""More bad inputs from many hands: damaged files, mixed types, numbers as people type them,
hostile YAML, tables that disagree. Each is refused with one line (exit 2, the file and the row
or key named, no traceback, nothing written: ``expect_bad_input``) or loads with a documented
conversion checked against the plain value.

Documented decisions:

- ``5%`` is refused, not converted: whether it means 5 or 0.05 depends on the indicator's unit,
  so the message asks for the plain number. ``５`` and ``1,234.5`` are converted
  (:func:`fivecolor.data.validate.to_numbers`); ``95,5`` (a decimal comma) and ``1,23`` are refused.
- CSV is read as UTF-8 (with or without BOM) or GBK/GB18030; anything else is refused with "save
  the CSV as UTF-8".
- A station in the table with no data, or in the data but not the table, is an error; a month
  missing in the history before the reported one is a warning and the colour changes read "new".
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import CATALOGUE, PERIODS, REPORTED, Project

FIRST = next(iter(CATALOGUE))  # valid [0, 100]
WIDE = "frequent_outage"  # valid [0, 10000]


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Project], Path]
    file: str
    where: tuple[str, ...]
    extra: tuple[str, ...] = ()


def _value(value, station: str = "NB04", indicator: str = FIRST, name: str = "typed.csv"):
    def build(project: Project) -> Path:
        frame = project.indicators.copy()
        frame["value"] = frame["value"].astype(object)
        frame.loc[project.cell(station, indicator), "value"] = value
        return project.with_indicators(frame, name=name)

    return build


def _row(project: Project, station: str = "NB04", indicator: str = FIRST) -> str:
    return f"row {int(np.flatnonzero(project.cell(station, indicator))[0]) + 2}"


def _bytes(role: str, name: str, payload: Callable[[Project], bytes]) -> Callable[[Project], Path]:
    return lambda project: project.with_data_bytes(role, name, payload(project))


def _csv(project: Project) -> bytes:
    return (project.root / "indicators.csv").read_bytes()


def _xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def _stations(change: Callable[[pd.DataFrame], pd.DataFrame], name: str = "stations_v.csv"):
    return lambda project: project.with_stations(change(project.stations.copy()), name=name)


def _indicators(change: Callable[[pd.DataFrame], pd.DataFrame], name: str = "indicators_v.csv"):
    return lambda project: project.with_indicators(change(project.indicators.copy()), name=name)


def _extra_station(frame: pd.DataFrame) -> pd.DataFrame:
    row = dict(
        station_id="NB09", name="象山供电所", county="象山县", lat=29.48, lon=121.87, staff=20
    )
    return pd.concat([frame, pd.DataFrame([row])], ignore_index=True)


def _yaml(text: str) -> Callable[[Project], Path]:
    def build(project: Project) -> Path:
        return project.with_text((project.root / "p.yaml").read_text(encoding="utf-8") + text)

    return build


DATA = [
    # damaged files
    Case(
        "CSV truncated mid-row",
        _bytes("indicators", "half.csv", lambda p: _csv(p)[: len(_csv(p)) // 2]),
        "half.csv",
        ("row", "(and"),
    ),
    Case(
        "CSV with an unclosed quote",
        _bytes(
            "indicators", "quote.csv", lambda p: _csv(p) + b'2020-05,NB01,"safety_production,5\n'
        ),
        "quote.csv",
        ("malformed CSV",),
    ),
    Case(
        "CSV row with too many fields",
        _bytes(
            "indicators", "wide.csv", lambda p: _csv(p) + b"2020-05,NB01,safety_production,5,7,8\n"
        ),
        "wide.csv",
        ("malformed CSV", "line 242"),
    ),
    Case(
        "CSV of only a BOM",
        _bytes("indicators", "bom.csv", lambda p: b"\xef\xbb\xbf"),
        "bom.csv",
        ("empty",),
    ),
    Case(
        "CSV in UTF-16 (Excel 'Unicode text')",
        _bytes("stations", "utf16.csv", lambda p: p.stations.to_csv(index=False).encode("utf-16")),
        "utf16.csv",
        ("save the CSV as UTF-8",),
    ),
    Case(
        "CSV separated by semicolons",
        _bytes("indicators", "semi.csv", lambda p: _csv(p).replace(b",", b";")),
        "semi.csv",
        ("column period", "period;station_id;indicator;value"),
    ),
    Case(
        "xlsx truncated",
        _bytes(
            "indicators",
            "halfbook.xlsx",
            lambda p: _xlsx(p.indicators)[: len(_xlsx(p.indicators)) // 2],
        ),
        "halfbook.xlsx",
        ("cannot read as xlsx",),
    ),
    Case(
        "xlsx of zero bytes",
        _bytes("stations", "zero.xlsx", lambda p: b""),
        "zero.xlsx",
        ("cannot read as xlsx",),
    ),
    Case(
        "CSV renamed .xlsx",
        _bytes("indicators", "renamed.xlsx", _csv),
        "renamed.xlsx",
        ("cannot read as xlsx",),
    ),
    Case(
        "xlsx with a title row above the header",
        _bytes(
            "stations",
            "titled.xlsx",
            lambda p: _xlsx(
                pd.concat(
                    [
                        pd.DataFrame([p.stations.columns], columns=p.stations.columns),
                        p.stations.astype(object),
                    ],
                    ignore_index=True,
                ).set_axis(["宁波供电所名单"] + [""] * 5, axis=1)
            ),
        ),
        "titled.xlsx",
        ("column station_id", "missing"),
    ),
    Case(
        "Parquet of zero bytes",
        _bytes("indicators", "zero.parquet", lambda p: b""),
        "zero.parquet",
        ("cannot read as parquet",),
    ),
    Case(
        "CSV renamed .parquet",
        _bytes("indicators", "renamed.parquet", _csv),
        "renamed.parquet",
        ("cannot read as parquet",),
    ),
    Case(
        "Parquet with a typo in a column",
        lambda p: p.with_indicators(
            p.indicators.rename(columns={"value": "valeu"}), name="typo.parquet"
        ),
        "typo.parquet",
        ("column value", "'valeu'"),
    ),
    # empty tables
    Case(
        "indicators with a header and no rows",
        _bytes("indicators", "header_only.csv", lambda p: b"period,station_id,indicator,value\n"),
        "header_only.csv",
        ("no data for the reported month 2020-05",),
    ),
    Case(
        "stations with a header and no rows",
        _bytes("stations", "no_stations.csv", lambda p: b"station_id,name,county,lat,lon,staff\n"),
        "no_stations.csv",
        ("no rows",),
    ),
    # mixed types and numbers as typed
    Case(
        "'n/a' in an xlsx value column",
        _value("n/a", name="na_book.xlsx"),
        "na_book.xlsx",
        ("column value", "'n/a' is not a number"),
    ),
    Case(
        "text in a Parquet value column",
        lambda p: p.with_indicators(
            p.indicators.astype({"value": str}).assign(
                value=lambda f: f["value"].where(~p.cell("NB02", FIRST), "缺")
            ),
            name="text.parquet",
        ),
        "text.parquet",
        ("column value", "'缺' is not a number"),
    ),
    Case(
        "booleans as values in Parquet",
        lambda p: p.with_indicators(
            p.indicators.assign(value=p.indicators["value"] > 50), name="bools.parquet"
        ),
        "bools.parquet",
        ("record 1", "column value", "'True' is not a number"),
    ),
    Case(
        "percentage 95%", _value("95%"), "typed.csv", ("column value", "'95%'", "rather than 5.3%")
    ),
    Case(
        "full-width percentage ９５％",
        _value("９５％"),
        "typed.csv",
        ("column value", "'９５％'", "5.3%"),
    ),
    Case("decimal comma 95,5", _value("95,5"), "typed.csv", ("column value", "'95,5'", "5,3")),
    Case(
        "misplaced thousands separator 1,23",
        _value("1,23", indicator=WIDE),
        "typed.csv",
        ("column value", "'1,23'"),
    ),
    Case("a NUL byte in a number", _value("9\x005"), "typed.csv", ("column value", "not a number")),
    Case(
        "full-width digits outside valid",
        _value("１５０"),
        "typed.csv",
        ("column value", "150", "valid range"),
    ),
    Case(
        "staff written in words",
        _stations(
            lambda f: f.assign(staff=f["staff"].astype(object).where(f.index != 2, "twenty"))
        ),
        "stations_v.csv",
        ("row 4", "column staff", "'twenty'"),
    ),
    Case(
        "latitude beyond 90",
        _stations(lambda f: f.assign(lat=f["lat"].where(f.index != 1, 291.0))),
        "stations_v.csv",
        ("row 3", "column lat", "outside"),
    ),
    Case(
        "station without a name",
        _stations(lambda f: f.assign(name=f["name"].where(f.index != 5, " "))),
        "stations_v.csv",
        ("row 7", "column name", "no name"),
    ),
    Case(
        "period typed as an Excel date",
        _indicators(lambda f: f.assign(period=pd.to_datetime(f["period"])), name="dates.xlsx"),
        "dates.xlsx",
        ("row 2", "column period", "'2020-03-01 00:00:00'", "format the column as text"),
    ),
    Case(
        "header typo indcator suggests indicator",
        _indicators(lambda f: f.rename(columns={"indicator": "indcator"})),
        "indicators_v.csv",
        ("column indicator", "found 'indcator'"),
    ),
    # the two tables disagree
    Case(
        "a station in the table with no data at all",
        _stations(_extra_station),
        "indicators.csv",
        ("NB09", "no data in 2020-05"),
    ),
    Case(
        "a station in the data missing from the table",
        _stations(lambda f: f[f["station_id"] != "NB08"].reset_index(drop=True)),
        "indicators.csv",
        ("column station_id", "'NB08'", "not in the stations table stations_v.csv"),
    ),
    Case(
        "the reported month has no data at all",
        _indicators(lambda f: f[f["period"] != REPORTED].reset_index(drop=True)),
        "indicators_v.csv",
        ("2020-05", "latest month: 2020-04"),
    ),
]

PARAMS = [
    Case(
        "YAML tag python/object/new",
        _yaml("language: !!python/object/new:os.system [echo pwned]\n"),
        "variant.yaml",
        ("line", "python/object/new"),
    ),
    Case(
        "YAML tag python/name",
        _yaml("language: !!python/name:os.system\n"),
        "variant.yaml",
        ("line", "python/name"),
    ),
    Case(
        "YAML tag python/module", _yaml("language: !!python/module:os\n"), "variant.yaml", ("line",)
    ),
    Case(
        "custom YAML tag !include",
        _yaml("missing: !include other.yaml\n"),
        "variant.yaml",
        ("line", "!include"),
    ),
    Case(
        "duplicate key nested under an indicator",
        _yaml(f"indicators:\n  {FIRST}:\n    weight: 3\n    weight: 4\n"),
        "variant.yaml",
        ("line", "duplicate key 'weight'"),
    ),
    Case(
        "weight not a number (.nan)",
        _yaml(f"indicators:\n  {FIRST}:\n    weight: .nan\n"),
        "variant.yaml",
        (f"indicators.{FIRST}.weight",),
    ),
    Case(
        "weight infinite",
        _yaml(f"indicators:\n  {FIRST}:\n    weight: .inf\n"),
        "variant.yaml",
        (f"indicators.{FIRST}.weight",),
    ),
    Case(
        "cut-offs with a repeat",
        _yaml("bands:\n  cutoffs: [90, 90, 80, 75]\n"),
        "variant.yaml",
        ("bands.cutoffs", "decreasing"),
    ),
    Case(
        "cut-offs as text",
        _yaml("bands:\n  cutoffs: [high, 85, 80, 75]\n"),
        "variant.yaml",
        ("bands.cutoffs",),
    ),
    Case(
        "period as a YAML date",
        lambda p: p.with_text(
            (p.root / "p.yaml")
            .read_text(encoding="utf-8")
            .replace("period: 2020-05", "period: 2020-05-01")
            .replace("period: '2020-05'", "period: 2020-05-01")
        ),
        "variant.yaml",
        ("period", "as text YYYY-MM"),
    ),
    Case("unknown language", _yaml("language: fr\n"), "variant.yaml", ("language", "'fr'")),
    Case(
        "tab-indented YAML",
        _yaml("bands:\n\tcutoffs: [90, 85, 80, 75]\n"),
        "variant.yaml",
        ("line",),
    ),
    Case(
        "parameter file in UTF-16",
        lambda p: (
            (p.root / "variant.yaml").write_bytes("title: 五色\n".encode("utf-16"))
            and p.root / "variant.yaml"
        ),
        "variant.yaml",
        ("UTF-8",),
    ),
]


@pytest.mark.parametrize("case", DATA + PARAMS, ids=[c.id for c in DATA + PARAMS])
def test_more_bad_inputs_give_one_line_exit_2_and_write_nothing(project, expect_bad_input, case):
    params = case.build(project)
    where = tuple(_row(project) if w == "<row>" else w for w in case.where)
    expect_bad_input(params, case.file, where, *case.extra)


def test_percentage_names_the_row(project, expect_bad_input):
    expect_bad_input(_value("5%")(project), "typed.csv", (_row(project), "'5%'"))


def test_yaml_object_tags_are_never_executed(project, expect_bad_input):
    marker = project.root / "executed"
    for tag in ("!!python/object/apply:os.system", "!!python/object/new:os.system"):
        params = _yaml(f'language: {tag} ["touch {marker}"]\n')(project)
        expect_bad_input(params, "variant.yaml", ("line",))
    assert not marker.exists()


# -- loads, with a documented conversion -----------------------------------------------------
def _scores(run_cli, params: Path) -> pd.DataFrame:
    code, out, err = run_cli("score", "--params", params)
    assert code == 0, err
    return pd.read_csv(io.StringIO(out), dtype={"station_id": str}, keep_default_na=False)


def test_header_spaces_and_value_spaces_are_stripped(project, run_cli):
    text = (
        _csv(project)
        .decode()
        .replace("period,station_id,indicator,value", " period , station_id,indicator , value ")
    )
    params = project.with_data_bytes(
        "indicators", "spaced.csv", text.replace(",NB01,", ", NB01 ,").encode()
    )
    pd.testing.assert_frame_equal(_scores(run_cli, params), _scores(run_cli, project.params_path))


def test_gbk_indicators_with_fullwidth_numbers_read_as_plain(project, run_cli):
    plain = _value(55.5, station="NB03", name="plain.csv")(project)
    typed = project.indicators.copy()
    typed["value"] = typed["value"].astype(object)
    typed.loc[project.cell("NB03", FIRST), "value"] = "５５．５"
    gbk = project.with_indicators(typed, name="gbk.csv", encoding="gbk")
    pd.testing.assert_frame_equal(_scores(run_cli, gbk), _scores(run_cli, plain))


def test_a_gap_month_in_the_history_is_a_warning_and_changes_read_new(project, run_cli):
    gap = project.with_indicators(
        project.indicators[project.indicators["period"] != PERIODS[1]], name="gap.csv"
    )
    scores = _scores(run_cli, gap)
    assert (scores["prev_band"] == "").all() and (scores["change"] == "new").all()
    full = _scores(run_cli, project.params_path)
    assert (
        scores["score"].tolist() == full["score"].tolist()
    )  # the reported month itself is unchanged
    code, out, err = run_cli("validate", "--params", gap)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == f"{REPORTED}: 0 errors, 1 warnings"
    (line,) = [line for line in out.splitlines() if line.lstrip().startswith("warning")]
    assert f"no data for {PERIODS[1]}" in line and "shown as new" in line
