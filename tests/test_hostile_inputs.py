"""Hostile inputs, second round: the input-side classes of the hardening trial.

Each case is refused with one line (exit 2, the file and the key or row named, no traceback,
nothing written: ``expect_bad_input``) or, where the input is legitimate, gives a correct
result. Cases that could hang run under an alarm; cases that could fill the memory run in a
subprocess under an address-space limit.

- live formulas: text that reaches a CSV or xlsx file cannot start a formula;
- finite parameters: every number finite and in its domain;
- bounds: parameter files by size, nesting and alias expansion; special files; worksheet
  dimensions; nested Parquet columns; sample counts;
- plausible input that used to end in a traceback;
- months in ASCII digits; names without control characters or line separators.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import CATALOGUE, REPORTED, STATIONS, Project, setting

FIRST = next(iter(CATALOGUE))  # safety_production: higher is better, goalposts [60, 100]
SECOND = list(CATALOGUE)[1]

#: Text that a spreadsheet would run, and what it must become (the OWASP prefix).
FORMULAS = {
    '=HYPERLINK("http://evil.example/x","click")': '\'=HYPERLINK("http://evil.example/x","click")',
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(1,1)": "'@SUM(1,1)",
}


@contextlib.contextmanager
def within(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block takes longer than ``seconds``."""

    def expire(*_):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _one_line(code: int, out: str, err: str) -> str:
    assert code == 2, f"exit {code}: {err!r}"
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fivecolor: error: "), err
    return lines[0]


# -- 1. no live formulas -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *FORMULAS.items(),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("宁波北站", "宁波北站"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_prefixes_only_formula_starts(text, expected):
    from fivecolor.data.formulas import neutralise, neutralise_formulas

    assert neutralise(text) == expected
    frame = pd.DataFrame({"name": [text], "score": [-3.5]})
    out = neutralise_formulas(frame)
    assert out["name"].tolist() == [expected]
    assert out["score"].tolist() == [-3.5] and out["score"].dtype == float


def test_numbers_in_a_text_column_stay_numbers():
    from fivecolor.data.formulas import neutralise_formulas

    frame = pd.DataFrame(
        {"mixed": ["=1", -2, 3.5, None], "when": pd.to_datetime(["2020-05-01"] * 4)}
    )
    out = neutralise_formulas(frame)
    assert out["mixed"].tolist()[:3] == ["'=1", -2, 3.5] and out["mixed"].isna().tolist()[3]
    assert out["when"].equals(frame["when"])
    assert frame["mixed"].tolist()[0] == "=1", "the input frame was changed"


def _hostile_names(project: Project) -> tuple[Path, dict[str, str]]:
    """Stations named with formulas (and a county), the parameter file using them."""
    stations = STATIONS.copy()
    names = dict(zip(stations["station_id"], FORMULAS, strict=False))
    stations["name"] = stations["station_id"].map(names).fillna(stations["name"])
    stations.loc[5, "name"] = "\t=1+2"  # the tab is cleaned away: still a formula after it
    return project.with_stations(stations), names


def test_score_csv_holds_no_formula(project, run_cli, tmp_path):
    params, names = _hostile_names(project)
    out = tmp_path / "scores.csv"
    code, _, err = run_cli("score", "--params", params, "--out", out)
    assert code == 0, err
    table = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("station_id")
    for sid, name in names.items():
        assert table.loc[sid, "name"] == FORMULAS[name]
    assert table.loc["NB06", "name"] == "'=1+2"
    text_cells = table.drop(columns=[c for c in table if c.startswith(("score", "rank"))])
    assert not text_cells.stack().str.match(r"^[=+\-@\t\r]").any()
    # scores are numbers, not text with a quote
    assert pd.to_numeric(table["score"]).notna().all()


def test_scores_xlsx_holds_no_formula_cell(project, tmp_path):
    from fivecolor.data.dataset import load_data
    from fivecolor.params import load_params
    from fivecolor.scoring.pipeline import score
    from fivecolor.site.outputs import write_xlsx
    from fivecolor.views.common import scores_file

    params_path, names = _hostile_names(project)
    params = load_params(params_path)
    table = scores_file(score(load_data(params), params))
    path = write_xlsx(table, tmp_path / "scores.xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    shown = {c.value for c in cells if isinstance(c.value, str)}
    assert {FORMULAS[n] for n in names.values()} <= shown
    numbers = [c.value for c in cells if c.data_type == "n" and c.value is not None]
    assert len(numbers) >= len(table)  # the scores stayed numbers


def test_action_tables_hold_no_formula(project, run_cli, tmp_path):
    """Project titles (and station names) reach actions/*.csv neutralised."""
    projects = pd.DataFrame(
        {
            "station_id": ["NB01", "NB02"],
            "indicator": [FIRST, FIRST],
            "start": ["2020-03", "2020-04"],
            "target": [95, 96],
            "title": ['=HYPERLINK("http://evil.example")', "@cmd"],
        }
    )
    projects.to_csv(project.root / "projects.csv", index=False)
    params, _ = _hostile_names(project)
    with_projects = project.with_params(
        lambda doc: doc["data"].update(
            stations=params.parent.joinpath("stations_v.csv").name, projects="projects.csv"
        ),
        name="p_projects.yaml",
    )
    out = tmp_path / "actions"
    code, _, err = run_cli("actions", "--params", with_projects, "--out", out)
    assert code == 0, err
    files = sorted(out.glob("*.csv"))
    assert files
    for path in files:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        cells = frame.stack()
        assert not cells.str.match(r"^[=+@\t\r]").any(), path.name
        assert not cells[cells.str.startswith("-")].str.match(r"^-[^0-9.]").any(), path.name


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("北仑\x00供电所", "北仑 供电所"),
        ("\x1b[31mRED\x1b[0m", "[31mRED [0m"),
        ("line\u2028break", "line break"),
        ("para\u2029graph", "para graph"),
        ("tab\there", "tab here"),
        ("\t=1", "=1"),
        ("cr\r\nlf", "cr lf"),
        ("del\x7fete", "del ete"),
    ],
)
def test_station_names_are_cleaned_of_control_characters(project, run_cli, raw, shown):
    from fivecolor.data.formulas import neutralise

    stations = STATIONS.copy()
    stations.loc[3, "name"] = raw
    params = project.with_stations(stations)
    code, out, err = run_cli("score", "--params", params)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert table.set_index("station_id").loc["NB04", "name"] == neutralise(shown)


@pytest.mark.parametrize("text", ["五色\u2028地图", "Five\x1b]0;owned\x07 colour", "a\x00b"])
def test_labels_in_parameters_are_cleaned(project, text):
    from fivecolor.params import load_params

    path = project.with_params(
        lambda doc: doc.update(
            title={"zh": text, "en": text},
            indicators={FIRST: {"label": {"zh": text, "en": text}, "unit": text}},
        )
    )
    params = load_params(path)
    for shown in (
        params.title.zh,
        params.indicators[FIRST].label.en,
        params.indicators[FIRST].unit,
    ):
        assert not any(ord(c) < 32 or c in "\u2028\u2029\x7f" for c in str(shown)), shown
        assert shown.replace(" ", "") == "".join(
            c for c in text if c.isprintable() and c not in "\u2028\u2029"
        ).replace(" ", "")


# -- 2. finite parameters in their domain -------------------------------------------------------
NAN, INF = float("nan"), float("inf")


@dataclass(frozen=True)
class Bad:
    id: str
    build: Callable[[Project], Path]
    where: tuple[str, ...]


def _weights(value: float) -> Callable[[Project], Path]:
    return lambda project: project.with_params(
        lambda doc: doc.update(indicators={FIRST: {"weight": value}, SECOND: {"weight": value}})
    )


FINITE_CASES = [
    Bad("cutoffs-nan", setting("bands", "cutoffs", [NAN, NAN, NAN, NAN]), ("bands.cutoffs",)),
    Bad("cutoff-one-nan", setting("bands", "cutoffs", [90, NAN, 80, 75]), ("bands.cutoffs",)),
    Bad("cutoff-inf", setting("bands", "cutoffs", [INF, 85, 80, 75]), ("bands.cutoffs",)),
    Bad("cutoff-minus-inf", setting("bands", "cutoffs", [90, 85, 80, -INF]), ("bands.cutoffs",)),
    Bad(
        "cutoff-above-range",
        setting("bands", "cutoffs", [150, 85, 80, 75]),
        ("bands.cutoffs", "0..100"),
    ),
    Bad(
        "cutoff-below-range",
        setting("bands", "cutoffs", [90, 85, 80, -5]),
        ("bands.cutoffs", "0..100"),
    ),
    Bad("quantile-nan", setting("bands", "quantiles", [0.9, NAN, 0.3, 0.1]), ("bands.quantiles",)),
    Bad(
        "goalpost-nan",
        setting("indicators", FIRST, "goalposts", [NAN, 100]),
        (f"indicators.{FIRST}.goalposts",),
    ),
    Bad(
        "goalpost-minus-inf",
        setting("indicators", FIRST, "goalposts", [-INF, 100]),
        (f"indicators.{FIRST}.goalposts",),
    ),
    Bad(
        "goalpost-inf",
        setting("indicators", FIRST, "goalposts", [60, INF]),
        (f"indicators.{FIRST}.goalposts",),
    ),
    Bad(
        "valid-nan",
        setting("indicators", FIRST, "valid", [NAN, 100]),
        (f"indicators.{FIRST}.valid",),
    ),
    Bad(
        "valid-inf", setting("indicators", FIRST, "valid", [0, INF]), (f"indicators.{FIRST}.valid",)
    ),
    Bad("weights-overflow", _weights(1.0e308), (f"indicators.{FIRST}.weight",)),
    Bad("weight-nan", setting("indicators", FIRST, "weight", NAN), (f"indicators.{FIRST}.weight",)),
    Bad(
        "weight-huge", setting("indicators", FIRST, "weight", 1e7), (f"indicators.{FIRST}.weight",)
    ),
    Bad(
        "red-share-nan",
        setting("actions", "stages", [{"period": "2020-12", "red_share": NAN}]),
        ("actions.stages",),
    ),
    Bad(
        "distance-scale-inf",
        setting("actions", "distance_km_scale", INF),
        ("actions.distance_km_scale",),
    ),
    Bad(
        "department-threshold-nan",
        setting("actions", "department_threshold", NAN),
        ("actions.department_threshold",),
    ),
    Bad(
        "cutoff-shift-inf",
        setting("sensitivity", "cutoff_shift", INF),
        ("sensitivity.cutoff_shift",),
    ),
    Bad(
        "spread-nan",
        setting("sensitivity", "weights", "spread", NAN),
        ("sensitivity.weights.spread",),
    ),
    Bad("samples-huge", setting("sensitivity", "samples", 10**9), ("sensitivity.samples",)),
    Bad(
        "sobol-huge", setting("sensitivity", "sobol_samples", 2**30), ("sensitivity.sobol_samples",)
    ),
    Bad(
        "pairing-capacity-huge",
        setting("actions", "pairing_capacity", 10**9),
        ("actions.pairing_capacity",),
    ),
    Bad("max-cr-nan", setting("ahp", "max_cr", NAN), ("ahp",)),
    Bad("period-full-width", setting("period", "２０２０-05"), ("period", "ASCII")),
    Bad("period-arabic-indic", setting("period", "٢٠٢٠-05"), ("period",)),
    Bad("period-year-zero", setting("period", "0000-01"), ("period",)),
]


@pytest.mark.parametrize("case", FINITE_CASES, ids=lambda c: c.id)
def test_parameters_out_of_their_domain_are_refused(case, project, expect_bad_input):
    expect_bad_input(case.build(project), "variant.yaml", case.where)


def test_a_nan_cutoff_is_refused_before_any_colour():
    from fivecolor.errors import InputError
    from fivecolor.params.model import Bands

    with pytest.raises(Exception, match="finite"):
        Bands(cutoffs=(NAN, NAN, NAN, NAN))
    with pytest.raises(Exception, match="finite"):
        Bands(cutoffs=(90, 85, NAN, 75))
    assert Bands(cutoffs=(100, 85, 80, 0)).cutoffs == (100, 85, 80, 0)  # the ends are allowed
    assert InputError  # the CLI's form is checked in the parametrised cases


# -- 7. bounds: parameter files ------------------------------------------------------------------
ALIAS_BOMB = textwrap.dedent(
    """\
    a: &a ["x","x","x","x","x","x","x","x","x","x"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """
)


def _text(text: Callable[[Project], str] | str) -> Callable[[Project], Path]:
    return lambda project: project.with_text(text(project) if callable(text) else text)


def _base(project: Project) -> str:
    return f"extends: {project.params_path.name}\n"


def _bomb_as(key: str) -> Callable[[Project], str]:
    body = ALIAS_BOMB.replace("a: &a", "x_a: &a").replace("b: &b", "x_b: &b")
    body = "\n".join(line for line in body.splitlines() if not line.startswith("i:"))
    return lambda p: _base(p) + "x: &x\n  " + body.replace("\n", "\n  ") + f"\n{key}: *h\n"


YAML_CASES = [
    Bad("alias-bomb-top", _text(lambda p: _base(p) + ALIAS_BOMB), ("aliases",)),
    Bad("alias-bomb-language", _text(lambda p: _bomb_as("language")(p)), ("aliases",)),
    Bad("alias-bomb-period", _text(lambda p: _bomb_as("period")(p)), ("aliases",)),
    Bad("alias-recursive", _text(lambda p: _base(p) + "language: &a [*a]\n"), ("alias",)),
    Bad(
        "deep-flow-list",
        _text(lambda p: _base(p) + "language: " + "[" * 5000 + "]" * 5000 + "\n"),
        ("nested",),
    ),
    Bad(
        "deep-mapping",
        _text(lambda p: _base(p) + "language: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n"),
        ("nested",),
    ),
    Bad(
        "too-large", _text(lambda p: _base(p) + "language: [" + "1," * 600_000 + "1]\n"), ("bytes",)
    ),
    Bad("key-is-a-list", _text(lambda p: _base(p) + "? [a, b]\n: 1\n"), ("key must be text",)),
    Bad("key-is-a-map", _text(lambda p: _base(p) + "? {a: 1}\n: 1\n"), ("key must be text",)),
    Bad(
        "key-no-is-false",
        _text(lambda p: _base(p) + f"indicators:\n  {FIRST}:\n    no: 1\n"),
        ("'no'", "quote"),
    ),
    Bad("key-on-is-true", _text(lambda p: _base(p) + "on: 1\n"), ("'on'", "quote")),
    Bad("key-is-a-number", _text(lambda p: _base(p) + "2020: 1\n"), ("2020", "quote")),
    Bad(
        "merge-key",
        _text(lambda p: _base(p) + "x: &x {zh: a, en: b}\ntitle:\n  <<: *x\n"),
        ("merge keys",),
    ),
    Bad("period-a-list", _text(lambda p: _base(p) + "period: [2020, 5]\n"), ("period",)),
    Bad(
        "period-long-number",
        _text(lambda p: _base(p) + "period: " + "9" * 100_000 + "\n"),
        ("line 2", "100,000 characters"),
    ),
    Bad(
        "store-a-list", _text(lambda p: _base(p) + "store: [" + "1," * 10_000 + "1]\n"), ("store",)
    ),
]


@pytest.mark.parametrize("case", YAML_CASES, ids=lambda c: c.id)
def test_hostile_yaml_fails_fast_with_one_line(case, project, expect_bad_input):
    path = case.build(project)
    with within(20):
        message = expect_bad_input(path, "variant.yaml", case.where)
    assert len(message) < 400, "a value was quoted whole"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: (os.mkfifo(d / "fifo.yaml"), d / "fifo.yaml")[1], "named pipe (FIFO)"),
        (lambda d: Path("/dev/zero"), "is a device"),
        (lambda d: (d / "folder.yaml").mkdir() or d / "folder.yaml", "is a folder"),
        (
            lambda d: (d / "gone.yaml").symlink_to(d / "nowhere.yaml") or d / "gone.yaml",
            "symbolic link to a missing",
        ),
        (
            lambda d: (
                ((d / "a.yaml").symlink_to(d / "b.yaml"), (d / "b.yaml").symlink_to(d / "a.yaml"))
                and d / "a.yaml"
            ),
            "loop",
        ),
        (lambda d: d / "absent.yaml", "not found"),
    ],
    ids=["fifo", "dev-zero", "folder", "dangling-link", "link-loop", "absent"],
)
def test_special_files_as_parameters_are_named_by_kind(tmp_path, run_cli, make, words):
    path = make(tmp_path)
    with within(20):
        message = _one_line(*run_cli("score", "--params", path))
    assert words in message and str(path.name) in message


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: (os.mkfifo(d / "fifo.csv"), "fifo.csv")[1], "named pipe (FIFO)"),
        (lambda d: (d / "folder.csv").mkdir() or "folder.csv", "is a folder"),
        (
            lambda d: (d / "gone").symlink_to(d / "nowhere.csv") or "gone",
            "symbolic link to a missing",
        ),
        (
            lambda d: (
                ((d / "a.csv").symlink_to(d / "b.csv"), (d / "b.csv").symlink_to(d / "a.csv"))
                and "a.csv"
            ),
            "loop",
        ),
        (lambda d: "/dev/zero", "is a device"),
    ],
    ids=["fifo", "folder", "dangling-link", "link-loop", "dev-zero"],
)
@pytest.mark.parametrize("role", ["stations", "indicators"])
def test_special_files_as_data_are_named_by_kind(project, expect_bad_input, make, words, role):
    name = make(project.root)
    params = project.with_params(lambda doc: doc["data"].update({role: name}))
    with within(20):
        message = expect_bad_input(params, Path(name).name)
    assert words in message


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: (os.mkfifo(d / "areas.geojson"), d / "areas.geojson")[1], "named pipe (FIFO)"),
        (lambda d: Path("/dev/zero"), "is a device"),
        (
            lambda d: (
                (d / "deep.geojson").write_text("[" * 100_000 + "]" * 100_000)
                and d / "deep.geojson"
            ),
            "nested too deeply",
        ),
        (lambda d: (d / "areas").mkdir() or d / "areas", "is a folder"),
    ],
    ids=["fifo", "dev-zero", "deep", "folder"],
)
def test_hostile_boundaries_are_refused_in_one_line(tmp_path, make, words):
    from fivecolor.data.geography import load_boundaries

    path = make(tmp_path)
    with within(20), pytest.raises(ValueError) as refused:
        load_boundaries(path, STATIONS["station_id"])
    message = str(refused.value)
    assert words in message and path.name in message and "\n" not in message


# -- 7. bounds: data files -----------------------------------------------------------------------
def _sparse_workbook(path: Path, far_cell: str = "XFD1048576") -> Path:
    """A valid stations sheet plus one value in a far cell: a tiny file declaring billions of cells."""
    STATIONS.to_excel(path, index=False, engine="openpyxl")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet[far_cell] = 1
    book.save(path)
    return path


@pytest.mark.parametrize("far", ["XFD1048576", "ZZ500000", "J1048576"])
def test_a_workbook_declaring_too_many_cells_is_refused_before_loading(
    project, expect_bad_input, far
):
    _sparse_workbook(project.root / "far.xlsx", far)
    assert (project.root / "far.xlsx").stat().st_size < 20_000
    params = project.with_params(lambda doc: doc["data"].update(stations="far.xlsx"))
    with within(30):
        message = expect_bad_input(params, "far.xlsx", ("sheet",))
    assert "rows" in message and "columns" in message


def test_import_refuses_a_huge_declared_workbook(project, tmp_path, run_cli):
    _sparse_workbook(tmp_path / "bomb.xlsx")
    with within(30):
        message = _one_line(
            *run_cli("import", tmp_path / "bomb.xlsx", "--params", project.params_path)
        )
    assert "bomb.xlsx" in message and "cells" in message


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([[1.0, 2.0]] * 8),
        pd.Series([{"a": 1}] * 8),
    ],
    ids=["list", "struct"],
)
def test_nested_parquet_columns_are_refused(project, expect_bad_input, column):
    stations = STATIONS.copy()
    stations["name"] = column.to_numpy()
    stations.to_parquet(project.root / "nested.parquet", index=False)
    params = project.with_params(lambda doc: doc["data"].update(stations="nested.parquet"))
    message = expect_bad_input(params, "nested.parquet", ("column name",))
    assert "one number or text per cell" in message


@pytest.mark.parametrize("samples", ["100001", "1000000000", "15"])
def test_monte_carlo_samples_are_bounded_on_the_command_line(project, run_cli, samples):
    with within(20):
        message = _one_line(
            *run_cli("sensitivity", "--params", project.params_path, "--samples", samples)
        )
    assert "samples" in message


def test_a_dense_boundary_is_simplified_before_embedding():
    """A circle of 200,000 vertices keeps its shape (area within 0.1%) with far fewer vertices."""
    import shapely
    from shapely.geometry import shape

    from fivecolor.data.geography import SIMPLIFY_DEGREES, _simplified

    angles = np.linspace(0, 2 * np.pi, 200_000, endpoint=False)
    ring = np.c_[121.5 + 0.05 * np.cos(angles), 29.9 + 0.05 * np.sin(angles)]
    geometry = {"type": "Polygon", "coordinates": [[*ring.tolist(), ring[0].tolist()]]}
    simpler = _simplified(geometry)
    vertices = shapely.get_num_coordinates(shape(simpler))
    assert vertices < 2_000
    # every point of the simplified ring lies within the tolerance of the circle, so it loses
    # at most perimeter × tolerance of the analytic area pi r^2
    r = 0.05
    assert np.pi * r**2 - 2 * np.pi * r * SIMPLIFY_DEGREES <= shape(simpler).area <= np.pi * r**2
    assert shape(simpler).hausdorff_distance(shape(geometry)) <= SIMPLIFY_DEGREES * 1.01
    small = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    assert _simplified(small) is small  # nothing to drop: as given


# -- 7. memory and time, in a subprocess under a limit ----------------------------------------------
LIMITED = textwrap.dedent(
    """\
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    from fivecolor.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _limited_cli(*args: str | Path, timeout: int = 60) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", LIMITED, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("bomb.yaml", lambda p: _base(p) + ALIAS_BOMB.replace("a: &a [", "title: &a [")),
        ("big.yaml", lambda p: _base(p) + "language: [" + "1," * 10_000_000 + "1]\n"),
        ("deep.yaml", lambda p: _base(p) + "language: " + "[" * 200_000 + "]" * 200_000 + "\n"),
    ],
    ids=["alias-bomb", "20mb-list", "deep"],
)
def test_memory_heavy_yaml_fails_fast_under_a_memory_limit(project, name, payload):
    path = project.root / name
    path.write_text(payload(project), encoding="utf-8")
    message = _one_line(*_limited_cli("score", "--params", path, timeout=60))
    assert name in message


def test_a_far_cell_workbook_fails_fast_under_a_memory_limit(project):
    _sparse_workbook(project.root / "far.xlsx")
    params = project.with_params(lambda doc: doc["data"].update(indicators="far.xlsx"))
    message = _one_line(*_limited_cli("score", "--params", params))
    assert "far.xlsx" in message


def test_huge_samples_fail_fast_under_a_memory_limit(project):
    message = _one_line(
        *_limited_cli("sensitivity", "--params", project.params_path, "--samples", "999999999")
    )
    assert "samples" in message


# -- 8. plausible input that used to end in a traceback -----------------------------------------
def test_a_project_starting_in_year_zero_is_refused(project, run_cli, tmp_path):
    pd.DataFrame(
        {
            "station_id": ["NB01"],
            "indicator": [FIRST],
            "start": ["0000-01"],
            "target": [95],
            "title": ["x"],
        }
    ).to_csv(project.root / "projects.csv", index=False)
    params = project.with_params(lambda doc: doc["data"].update(projects="projects.csv"))
    message = _one_line(*run_cli("actions", "--params", params, "--out", tmp_path / "actions"))
    assert "projects.csv" in message and "start" in message
    assert not (tmp_path / "actions").exists()


@pytest.mark.parametrize("address", ["garbage", "tcp://", "http//x:1", "host:port"])
def test_a_garbage_scheduler_is_a_usage_error(project, run_cli, address, tmp_path):
    message = _one_line(
        *run_cli(
            "report",
            "--params",
            project.params_path,
            "--out",
            tmp_path / "r",
            "--executor",
            "dask",
            "--scheduler",
            address,
        )
    )
    assert "scheduler address" in message
    assert not (tmp_path / "r").exists()


def test_sample_sqlite_refuses_a_file_that_is_not_a_database(tmp_path, run_cli):
    target = tmp_path / "notes.db"
    target.write_text("my notes\n")
    message = _one_line(*run_cli("sample", "--sqlite", target))
    assert "not a SQLite database" in message
    assert target.read_text() == "my notes\n"


@pytest.mark.parametrize(
    "manifest",
    ["[]", '"ok"', "{}", '{"status": "ok", "period": 5}'],
    ids=["list", "string", "empty", "period-a-number"],
)
def test_rerun_of_a_tampered_manifest_is_one_line(tmp_path, run_cli, manifest):
    month = tmp_path / "reports" / REPORTED
    (month / "inputs").mkdir(parents=True)
    (month / "manifest.json").write_text(manifest)
    (month / "inputs" / "inputs.json").write_text("{}")
    (month / "scores.csv").write_text("station_id\n")
    message = _one_line(*run_cli("rerun", month, "--scores-only"))
    assert REPORTED in message


@pytest.mark.parametrize(
    "listing",
    ['["params/0"]', '{"params/x": {}}', '{"params/0": "file"}', '{"params/0": {"file": 1}}'],
    ids=["list", "bad-index", "entry-text", "file-a-number"],
)
def test_rerun_of_a_tampered_snapshot_listing_is_one_line(tmp_path, run_cli, listing):
    month = tmp_path / "reports" / REPORTED
    (month / "inputs").mkdir(parents=True)
    (month / "manifest.json").write_text(f'{{"status": "ok", "period": "{REPORTED}"}}')
    (month / "inputs" / "inputs.json").write_text(listing)
    (month / "scores.csv").write_text("station_id\n")
    message = _one_line(*run_cli("rerun", month, "--scores-only"))
    assert "inputs.json" in message or REPORTED in message


# -- 10. months in ASCII digits ----------------------------------------------------------------------
def test_full_width_months_in_the_data_are_converted(project, run_cli):
    """``２０２０-05`` in the period column is the month 2020-05 (NFKC, as values are): the same
    scores as the plain file, not a dropped cell."""
    rows = project.indicators.copy()
    rows["period"] = rows["period"].str.replace("2020", "２０２０")
    params = project.with_indicators(rows)
    code, converted, err = run_cli("score", "--params", params)
    assert code == 0, err
    code, plain, err = run_cli("score", "--params", project.params_path)
    assert code == 0, err
    assert converted == plain


@pytest.mark.parametrize("period", ["٢٠٢٠-05", "2020-\u06605", "0000-01", "2020-5"])
def test_other_digits_in_the_data_are_refused(project, expect_bad_input, period):
    rows = project.indicators.copy()
    rows.loc[project.cell("NB02", FIRST), "period"] = period
    params = project.with_indicators(rows)
    message = expect_bad_input(params, "indicators_v.csv", ("period",))
    assert "YYYY-MM" in message


@pytest.mark.parametrize("period", ["２０２０-05", "٢٠٢٠-05", "0000-01"])
def test_other_digits_in_a_period_option_are_refused(project, run_cli, period):
    message = _one_line(*run_cli("score", "--params", project.params_path, "--period", period))
    assert "ASCII digits" in message


# -- 9. braces in paths ----------------------------------------------------------------------------
@pytest.mark.parametrize("folder", ["{period}", "{x}", "a{params_file.__class__.__mro__}b", "}{"])
def test_papermill_keeps_literal_paths(folder):
    """Papermill formats its paths with the notebook's parameters; ours come back as written."""
    from papermill.parameterize import parameterize_path

    from fivecolor.site.runner import literal_path

    path = f"/reports/{folder}/notebooks/overview.ipynb"
    parameters = {"period": "2020-05", "params_file": "p.yaml"}
    assert parameterize_path(literal_path(path), parameters) == path


# -- 11. messages that name the right thing --------------------------------------------------------
def test_an_unwritable_out_folder_is_named_by_the_file_asked_for(
    project, run_cli, tmp_path, monkeypatch
):
    """The temporary file beside it is an implementation detail (root ignores file modes, so
    the refusal is simulated)."""
    import tempfile

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".scores.csv.abc.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    message = _one_line(
        *run_cli("score", "--params", project.params_path, "--out", tmp_path / "scores.csv")
    )
    assert "scores.csv: cannot write (Permission denied)" in message
    assert ".tmp" not in message


def test_an_unreachable_scheduler_is_bad_input_not_a_write_failure(project, run_cli, tmp_path):
    pytest.importorskip("distributed")
    from conftest import free_port

    address = f"tcp://127.0.0.1:{free_port()}"
    with within(60):
        code, _, err = run_cli(
            "report",
            "--params",
            project.params_path,
            "--out",
            tmp_path / "reports",
            "--executor",
            "dask",
            "--scheduler",
            address,
        )
    # the report's progress line comes first; the error is the one last line
    assert code == 2 and "Traceback" not in err
    errors = [line for line in err.splitlines() if "error" in line]
    assert errors == [err.splitlines()[-1]]
    assert "cannot reach the Dask scheduler" in errors[0] and address in errors[0]
    assert not (tmp_path / "reports" / REPORTED).exists()


def test_a_far_cell_workbook_without_a_declared_dimension_is_measured(project, expect_bad_input):
    """A sheet may omit its ``<dimension>``: it is then measured row by row, not trusted."""
    import re
    import zipfile

    source = _sparse_workbook(project.root / "declared.xlsx")
    target = project.root / "undeclared.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, count = re.subn(rb"<dimension ref=\"[^\"]*\"\s*/>", b"", data)
                assert count == 1
            new.writestr(item, data)
    params = project.with_params(lambda doc: doc["data"].update(stations="undeclared.xlsx"))
    with within(60):
        message = expect_bad_input(params, "undeclared.xlsx", ("sheet",))
    assert "1,048,576 rows × 16,384 columns" in message


@pytest.mark.parametrize(
    "name",
    ["a\x1b[2Jb.yaml", "bell\x07.yaml", "title\x1b]0;owned\x07.yaml"],
    ids=["clear", "bell", "title"],
)
def test_terminal_escapes_in_a_path_are_shown_escaped(tmp_path, run_cli, name):
    message = _one_line(*run_cli("score", "--params", tmp_path / name))
    assert "\x1b" not in message and "\x07" not in message
    assert name.encode("unicode_escape").decode() in message


# -- 3. nothing overwritten unless asked by name -----------------------------------------------
SAMPLE_STATIONS = Path(__file__).parents[1] / "fivecolor" / "data" / "sample" / "stations.csv"


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links not followed) with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _published_site(tmp_path: Path) -> Path:
    """A site of two published months (their pages and manifests) and an empty month folder."""
    reports = tmp_path / "reports"
    for period in ("2019-12", "2020-05"):
        (reports / period / "variants" / "draft").mkdir(parents=True)
        (reports / period / "index.html").write_text(f"<h1>{period}</h1>", encoding="utf-8")
        (reports / period / "manifest.json").write_text(
            f'{{"status": "ok", "period": "{period}"}}', encoding="utf-8"
        )
    (reports / "2021-01").mkdir()
    (reports / "index.html").write_text("site index", encoding="utf-8")
    return reports


#: ``--out`` given a month folder, or a folder inside one: (the folder, words of the refusal).
MONTH_AS_SITE = [
    ("2020-05", "month's folder"),
    ("2019-12", "month's folder"),
    ("2021-01", "month's folder"),
    ("2020-06", "month's folder"),
    ("2020-05/variants/draft", "inside the published month"),
    ("2020-05/variants", "inside the published month"),
]


@pytest.mark.parametrize(("folder", "words"), MONTH_AS_SITE, ids=[c[0] for c in MONTH_AS_SITE])
def test_report_into_a_month_folder_is_refused(project, run_cli, tmp_path, folder, words):
    reports = _published_site(tmp_path)
    before = _tree(reports)
    out = reports / folder
    message = _one_line(*run_cli("report", "--params", project.params_path, "--out", out))
    assert f"{out}: " in message and words in message, message
    assert _tree(reports) == before and not (reports / "2020-06").exists()


@pytest.mark.parametrize("extra", [(), ("--scores-only",)], ids=["rebuild", "scores-only"])
@pytest.mark.parametrize("folder", ["2020-05", "2019-12", "2020-05/variants/draft"])
def test_rerun_into_a_month_folder_is_refused(run_cli, tmp_path, folder, extra):
    reports = _published_site(tmp_path)
    before = _tree(reports)
    out = reports / folder
    message = _one_line(*run_cli("rerun", reports / "2020-05", "--out", out, *extra))
    assert f"{out}: " in message, message
    assert _tree(reports) == before


def _my_data(tmp_path: Path) -> Path:
    folder = tmp_path / "my-data"
    folder.mkdir()
    (folder / "params.yaml").write_text("title: mine\n", encoding="utf-8")
    (folder / "stations.csv").write_text("station_id\nmine\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "extra", [(), ("--stations", "3", "--months", "2")], ids=["sample", "synthetic"]
)
def test_sample_refuses_a_folder_that_is_not_empty(run_cli, tmp_path, extra):
    folder = _my_data(tmp_path)
    before = _tree(folder)
    message = _one_line(*run_cli("sample", "--out", folder, *extra))
    assert f"{folder / 'params.yaml'}: already exists" in message and "--force" in message
    assert _tree(folder) == before


def test_sample_refuses_a_folder_holding_only_a_subfolder(run_cli, tmp_path):
    folder = tmp_path / "my-data"
    (folder / "archive").mkdir(parents=True)
    assert f"{folder / 'archive'}: already exists" in _one_line(*run_cli("sample", "--out", folder))
    assert sorted(os.listdir(folder)) == ["archive"]


def test_sample_force_writes_into_a_folder_that_is_not_empty(run_cli, tmp_path):
    folder = _my_data(tmp_path)
    (folder / "notes.txt").write_text("kept", encoding="utf-8")
    code, _, err = run_cli("sample", "--out", folder, "--force")
    assert code == 0, err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "kept"
    assert "title: mine" not in (folder / "params.yaml").read_text(encoding="utf-8")
    assert (folder / "stations.csv").read_bytes() == SAMPLE_STATIONS.read_bytes()


def _database(path: Path, *tables: str) -> Path:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        for table in tables:
            db.execute(f"CREATE TABLE {table} (station_id TEXT)")
            db.execute(f"INSERT INTO {table} VALUES ('mine')")
        db.commit()
    return path


@pytest.mark.parametrize(
    ("tables", "named"),
    [(("stations",), "stations"), (("zones", "projects"), "projects"), (("zones",), "zones")],
    ids=["a-sample-table", "the-sample-table-first", "another-table"],
)
def test_sample_sqlite_refuses_a_database_with_tables(run_cli, tmp_path, tables, named):
    db = _database(tmp_path / "real.db", *tables)
    before = db.read_bytes()
    message = _one_line(*run_cli("sample", "--sqlite", db))
    assert f"{db}: table {named}: the database already holds it" in message
    assert "--replace" in message and db.read_bytes() == before


def test_sample_checks_both_targets_before_writing_either(run_cli, tmp_path):
    db = _database(tmp_path / "real.db", "stations")
    new_folder = tmp_path / "new"
    _one_line(*run_cli("sample", "--out", new_folder, "--sqlite", db))
    assert not new_folder.exists()
    folder = _my_data(tmp_path)
    _one_line(*run_cli("sample", "--out", folder, "--sqlite", tmp_path / "new.db"))
    assert not (tmp_path / "new.db").exists()


def test_sample_sqlite_replace_keeps_other_tables(run_cli, tmp_path):
    import sqlite3

    db = _database(tmp_path / "real.db", "stations", "zones")
    code, _, err = run_cli("sample", "--sqlite", db, "--replace")
    assert code == 0, err
    with contextlib.closing(sqlite3.connect(db)) as con:
        assert con.execute("SELECT * FROM zones").fetchall() == [("mine",)]
        rows = con.execute("SELECT station_id FROM stations ORDER BY station_id").fetchall()
    shipped = pd.read_csv(SAMPLE_STATIONS, dtype=str)["station_id"].sort_values()
    assert [r[0] for r in rows] == shipped.tolist()


def test_sample_sqlite_writes_into_an_empty_file(run_cli, tmp_path):
    db = tmp_path / "empty.db"
    db.touch()
    code, _, err = run_cli("sample", "--sqlite", db)
    assert code == 0, err


# -- 8. plausible input: the data's first month -----------------------------------------------
def test_actions_for_the_first_month_of_the_data(run_cli, tmp_path):
    """The sample's first month (2018-06) has no history: the forecast keeps today's reds."""
    params = Path(__file__).parents[1] / "params" / "2020-05.yaml"
    code, _, err = run_cli("actions", "--params", params, "--period", "2018-06", "--out", tmp_path)
    assert code == 0, err
    table = pd.read_csv(tmp_path / "forecast.csv", encoding="utf-8-sig")
    assert len(table) and (table["forecast_red"] == table["red_now"]).all()


# -- 11. libpq's warnings --------------------------------------------------------------------
@pytest.mark.parametrize("where", ["data source", "store"])
def test_a_libpq_warning_does_not_precede_the_one_line(tmp_path, where):
    """libpq warns on stderr about a password file others may read, before the connection
    fails; the CLI still says one line (a subprocess: libpq writes to file descriptor 2)."""
    pgpass = tmp_path / "pgpass"
    pgpass.write_text("127.0.0.1:1:grid:fivecolor:secret\n", encoding="utf-8")
    pgpass.chmod(0o644)
    url = "postgresql+psycopg://fivecolor@127.0.0.1:1/grid"
    default = Path(__file__).parents[1] / "params" / "default.yaml"
    params = tmp_path / "params.yaml"
    if where == "store":
        params.write_text(f"extends: {default}\nstore: {{url: '{url}'}}\n", encoding="utf-8")
        command = [
            "import",
            str(default.parent.parent / "fivecolor" / "data" / "sample" / "indicators.csv"),
        ]
    else:
        params.write_text(
            f"extends: {default}\ndata:\n  stations: {{url: '{url}', table: stations}}\n",
            encoding="utf-8",
        )
        command = ["score"]
    done = subprocess.run(
        [sys.executable, "-m", "fivecolor", *command, "--params", str(params)],
        env={**os.environ, "PGPASSFILE": str(pgpass)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    message = _one_line(done.returncode, done.stdout, done.stderr)
    assert "cannot connect" in message and "WARNING" not in done.stderr
