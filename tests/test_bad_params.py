"""Every bad parameter file gets one clear line on stderr, exit 2, and no output written.

Each case changes one thing in the valid project's ``p.yaml`` (which ``extends`` the default
catalogue) and names what the message must contain: the file and the key (or line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CATALOGUE, Project, setting

FIRST = next(iter(CATALOGUE))  # safety_production: direction higher, goalposts [60, 100]
LOWER = next(k for k, spec in CATALOGUE.items() if spec["direction"] == "lower")


@dataclass(frozen=True)
class Case:
    """A bad parameter file: ``build(project) -> path`` and what the message must name."""

    id: str
    build: Callable[[Project], Path]
    where: tuple[str, ...]
    file: str = "variant.yaml"


def _all_weights_zero(project: Project) -> Path:
    return project.with_params(
        lambda doc: doc.update(indicators={k: {"weight": 0} for k in CATALOGUE})
    )


def _unknown_group(project: Project) -> Path:
    def change(doc: dict) -> None:
        doc["groups"] = {
            "operations": {"label": {"zh": "安全运行", "en": "Operations"}, "weight": 1}
        }
        doc["indicators"] = {k: {"group": "operations"} for k in CATALOGUE}
        doc["indicators"][LOWER]["group"] = "opreations"

    return project.with_params(change)


def _missing_title(project: Project) -> Path:
    doc = project.standalone_doc()
    del doc["title"]
    return project.with_params(doc=doc)


def _extends_missing(project: Project) -> Path:
    return project.with_params(lambda doc: doc.update(extends="no_such_base.yaml"))


def _extends_loop(project: Project) -> Path:
    project.with_text("extends: variant.yaml\nlanguage: en\n", name="loop_b.yaml")
    return project.with_params(lambda doc: doc.update(extends="loop_b.yaml"))


def _text(text: str) -> Callable[[Project], Path]:
    return lambda project: project.with_text(text)


def _bytes_file(project: Project, payload: bytes) -> Path:
    path = project.root / "variant.yaml"
    path.write_bytes(payload)
    return path


def _duplicate_key(project: Project) -> Path:
    text = (project.root / "p.yaml").read_text(encoding="utf-8")
    return project.with_text(text + "language: en\nlanguage: zh\n")


CASES = [
    Case(
        "unknown top-level key",
        setting("colour_scheme", "rainbow"),
        ("colour_scheme", "unknown key"),
    ),
    Case(
        "unknown key in an indicator (wieght)",
        setting("indicators", FIRST, "wieght", 3),
        (f"indicators.{FIRST}.wieght", "unknown key"),
    ),
    Case(
        "weight of the wrong type",
        setting("indicators", FIRST, "weight", "heavy"),
        (f"indicators.{FIRST}.weight",),
    ),
    Case(
        "negative weight",
        setting("indicators", FIRST, "weight", -1),
        (f"indicators.{FIRST}.weight",),
    ),
    Case("all weights zero", _all_weights_zero, ("indicators", "sum to zero")),
    Case(
        "cut-offs not strictly decreasing",
        setting("bands", "cutoffs", [90, 80, 85, 75]),
        ("bands.cutoffs", "decreasing"),
    ),
    Case(
        "cut-offs with three values",
        setting("bands", "cutoffs", [90, 85, 80]),
        ("bands.cutoffs: too few values",),
    ),
    Case(
        "cut-offs with five values",
        setting("bands", "cutoffs", [95, 90, 85, 80, 75]),
        ("bands.cutoffs", "at most 4"),
    ),
    Case(
        "quantile outside (0, 1)",
        setting("bands", "quantiles", [1.2, 0.7, 0.3, 0.1]),
        ("bands.quantiles", "between 0 and 1"),
    ),
    Case(
        "quantiles not decreasing",
        setting("bands", "quantiles", [0.1, 0.3, 0.7, 0.9]),
        ("bands.quantiles", "decreasing"),
    ),
    Case(
        "equal goalposts",
        setting("indicators", FIRST, "goalposts", [80, 80]),
        (f"indicators.{FIRST}.goalposts", "equal"),
    ),
    Case(
        "goalposts against direction higher",
        setting("indicators", FIRST, "goalposts", [100, 60]),
        (f"indicators.{FIRST}.goalposts", "direction higher"),
    ),
    Case(
        "goalposts against direction lower",
        setting("indicators", LOWER, "goalposts", [0.2, 3.0]),
        (f"indicators.{LOWER}.goalposts", "direction lower"),
    ),
    Case(
        "valid range reversed",
        setting("indicators", FIRST, "valid", [100, 0]),
        (f"indicators.{FIRST}.valid",),
    ),
    Case(
        "period without leading zero 2020-5",
        setting("period", "2020-5"),
        ("period: '2020-5'", "YYYY-MM"),
    ),
    Case("period month 13", setting("period", "2020-13"), ("period: '2020-13'", "YYYY-MM")),
    Case("period as the number 202005", setting("period", 202005), ("period", "YYYY-MM")),
    Case(
        "unknown normalisation", setting("normalisation", "minmaxx"), ("normalisation", "'minmaxx'")
    ),
    Case("unknown aggregation", setting("aggregation", "harmonic"), ("aggregation", "'harmonic'")),
    Case("unknown missing policy", setting("missing", "ignore"), ("missing", "'ignore'")),
    Case("extends a missing file", _extends_missing, ("extends", "no_such_base.yaml", "not found")),
    Case("extends loop a -> b -> a", _extends_loop, ("extends", "loop")),
    Case("duplicate key in YAML", _duplicate_key, ("line", "duplicate key 'language'")),
    Case("YAML syntax error", _text('period: "2020-05"\nbands: {cutoffs: [90, 85\n'), ("line 3",)),
    Case(
        "parameter file in GBK, not UTF-8",
        lambda p: _bytes_file(p, "title: 五色地图\n".encode("gbk")),
        ("UTF-8",),
    ),
    Case(
        "extends given as a list", setting("extends", ["a.yaml", "b.yaml"]), ("extends", "one file")
    ),
    Case(
        "data without indicators",
        lambda p: p.with_params(doc={**p.standalone_doc(), "data": {"stations": "stations.csv"}}),
        ("data.indicators", "missing"),
    ),
    Case("not a mapping at top level", _text("- period: 2020-05\n- language: zh\n"), ("mapping",)),
    Case("empty file", _text(""), ("empty",)),
    Case("empty file with only a comment", _text("# nothing yet\n"), ("empty",)),
    Case(
        "unknown group of an indicator",
        _unknown_group,
        (f"indicators.{LOWER}.group", "'opreations'"),
    ),
    Case("weights_scheme ahp without an ahp block", setting("weights_scheme", "ahp"), ("ahp",)),
    Case(
        "log transform with a zero goalpost",
        setting(
            "indicators", FIRST, {"transform": "log", "goalposts": [0, 100], "valid": [0.1, 100]}
        ),
        (f"indicators.{FIRST}", "log"),
    ),
    Case("missing required key title", _missing_title, ("title", "missing")),
    Case("data path that is not text", setting("data", "stations", 5), ("data.stations",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_parameters_give_one_line_exit_2_and_write_nothing(project, expect_bad_input, case):
    expect_bad_input(case.build(project), case.file, case.where)


def test_the_valid_parameters_score(project, run_cli):
    # The control for every case above: unchanged, the project scores.
    code, out, err = run_cli("score", "--params", project.params_path)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1 + len(project.stations)


def test_python_object_tag_is_refused_and_not_executed(project, expect_bad_input):
    marker = project.root / "marker"
    text = (project.root / "p.yaml").read_text(encoding="utf-8")
    params = project.with_text(
        text + f'language: !!python/object/apply:os.system ["echo pwned > {marker}"]\n'
    )
    message = expect_bad_input(params, "variant.yaml", ("line",))
    assert "python/object/apply" in message
    assert not marker.exists()


def test_missing_parameter_file(project, expect_bad_input):
    expect_bad_input(project.root / "nowhere.yaml", "nowhere.yaml", ("not found",))


def test_period_option_must_be_a_month(project, expect_bad_input):
    message = expect_bad_input(
        project.params_path, "usage", ("--period", "'2020-5'"), "--period", "2020-5"
    )
    assert "YYYY-MM" in message


def test_broken_yaml_in_an_extended_file_names_that_file(project, expect_bad_input):
    project.with_text("period: [2020\n", name="base.yaml")
    params = project.with_params(lambda doc: doc.update(extends="base.yaml"))
    message = expect_bad_input(params, "base.yaml", ("line 2",))
    assert "variant.yaml" not in message


def test_a_bad_value_merged_from_an_extended_file_names_the_key(project, expect_bad_input):
    project.with_params(lambda doc: doc.update(period="2020-13"), name="base.yaml")
    params = project.with_params(lambda doc: (doc.update(extends="base.yaml"), doc.pop("period")))
    expect_bad_input(params, "variant.yaml", ("period: '2020-13'",))


def test_a_negative_seed_is_refused(project, expect_bad_input):
    bad = project.with_params(lambda d: d.update(sensitivity={"seed": -1}), name="seed.yaml")
    expect_bad_input(bad, "seed.yaml", ("sensitivity.seed",))
