"""The JSON Schema an editor checks parameter files with, and "did you mean" for misspelt keys.

The schema must accept what the program accepts where it can tell from one file: a complete
file, and a monthly file that ``extends`` another and changes a few keys. A misspelt key, at
the top or nested, is refused by both the schema and the program, which names the likely key.
"""

from __future__ import annotations

import re

import jsonschema
import pytest
import yaml

from fivecolor.params import params_schema

from conftest import CATALOGUE, DEFAULT_PARAMS, REPO

FIRST = next(iter(CATALOGUE))


def _readme_monthly_example() -> dict:
    """The monthly file the README's "For analysts" section shows."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# params/2020-06\.yaml\n.*?)```", readme, re.S)
    assert block, "the README no longer shows params/2020-06.yaml"
    return yaml.safe_load(block.group(1))


def _load(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = params_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _problems(validator, doc: dict) -> list[str]:
    return [error.message for error in validator.iter_errors(doc)]


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(_readme_monthly_example(), id="README monthly example"),
        pytest.param(_load(REPO / "params" / "2020-05.yaml"), id="params/2020-05.yaml"),
        pytest.param(_load(DEFAULT_PARAMS), id="params/default.yaml (complete)"),
        pytest.param(
            {"extends": "default.yaml", "indicators": {"line_loss": {"weight": 20}}},
            id="one nested override",
        ),
    ],
)
def test_the_schema_accepts_complete_and_partial_files(validator, doc):
    assert _problems(validator, doc) == []


def test_every_scheme_file_is_accepted(validator):
    for path in sorted((REPO / "params").rglob("*.yaml")):
        assert _problems(validator, _load(path)) == [], path


def _complete() -> dict:
    return _load(DEFAULT_PARAMS)


def _monthly() -> dict:
    return _readme_monthly_example()


def _with(doc: dict, *keys_and_value) -> dict:
    *keys, value = keys_and_value
    node = doc
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "misspelt"),
    [
        pytest.param(
            _with(_monthly(), "normalisaton", "minmax"), "normalisaton", id="monthly, top-level"
        ),
        pytest.param(
            _with(_monthly(), "bands", "cutofs", [90, 85, 80, 75]), "cutofs", id="monthly, bands"
        ),
        pytest.param(
            _with(_monthly(), "indicators", "line_loss", "wieght", 20),
            "wieght",
            id="monthly, indicator",
        ),
        pytest.param(_with(_monthly(), "data", "indicator", "x.csv"), "indicator'", id="data"),
        pytest.param(
            _with(_monthly(), "sensitivity", "weights", "sprad", 0.2), "sprad", id="two deep"
        ),
        pytest.param(
            _with(_complete(), "normalisaton", "minmax"), "normalisaton", id="complete, top-level"
        ),
        pytest.param(
            _with(_complete(), "indicators", FIRST, "wieght", 2), "wieght", id="complete, nested"
        ),
    ],
)
def test_the_schema_flags_a_misspelt_key_and_nothing_else(validator, doc, misspelt):
    problems = _problems(validator, doc)
    assert any(misspelt in problem for problem in problems), problems
    assert not any("required property" in problem for problem in problems), problems


def test_a_file_without_extends_must_be_complete(validator):
    doc = _monthly()
    del doc["extends"]
    assert _problems(validator, doc)
    complete = _complete()
    del complete["title"]
    assert _problems(validator, complete)


def test_a_list_in_a_monthly_file_is_whole(validator):
    # extends replaces a list instead of merging it, so each stage still needs every key
    stage = {"period": "2020-06"}
    doc = {"extends": "default.yaml", "actions": {"stages": [stage]}}
    assert any("red_share" in problem for problem in _problems(validator, doc))
    stage["red_share"] = 0.2
    assert _problems(validator, doc) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        pytest.param(
            lambda doc: _with(doc, "indicators", "line_los", {"weight": 20}),
            "indicators.line_los: unknown indicator; did you mean line_loss? "
            "(a new indicator needs label, direction, goalposts and valid)",
            id="indicator line_los",
        ),
        pytest.param(
            lambda doc: _with(doc, "normalisaton", "minmax"),
            "normalisaton: unknown key; did you mean normalisation?",
            id="top-level normalisaton",
        ),
        pytest.param(
            lambda doc: _with(doc, "bands", "cutofs", [90, 85, 80, 75]),
            "bands.cutofs: unknown key; did you mean cutoffs?",
            id="bands.cutofs",
        ),
        pytest.param(
            lambda doc: _with(doc, "indicators", FIRST, "wieght", 3),
            f"indicators.{FIRST}.wieght: unknown key; did you mean weight?",
            id="indicator key wieght",
        ),
        pytest.param(
            lambda doc: _with(doc, "sensitivity", "weights", "sprad", 0.2),
            "sensitivity.weights.sprad: unknown key; did you mean spread?",
            id="two deep",
        ),
        pytest.param(
            lambda doc: _with(doc, "data", "indicators", {"url": "sqlite:///x.db", "tabel": "t"}),
            "data.indicators.tabel: unknown key; did you mean table?",
            id="database source",
        ),
    ],
)
def test_a_misspelt_key_gets_did_you_mean(project, expect_bad_input, change, where):
    message = expect_bad_input(project.with_params(change), "variant.yaml", (where,))
    assert "(and" not in message  # one problem, one line


def test_a_misspelt_required_key_is_named_before_the_missing_one(project, expect_bad_input):
    doc = project.standalone_doc()
    doc["titel"] = doc.pop("title")
    message = expect_bad_input(
        project.with_params(doc=doc), "variant.yaml", ("titel: unknown key; did you mean title?",)
    )
    assert "(and 1 more)" in message  # title itself is still missing


def test_an_unknown_key_with_no_close_match_lists_the_keys(project, expect_bad_input):
    expect_bad_input(
        project.with_params(lambda doc: _with(doc, "bands", "zzz", 1)),
        "variant.yaml",
        ("bands.zzz: unknown key; the keys here are method, cutoffs, quantiles",),
    )


def test_a_new_indicator_far_from_any_other_still_names_its_missing_key(project, expect_bad_input):
    expect_bad_input(
        project.with_params(lambda doc: _with(doc, "indicators", "zzz", {"weight": 1})),
        "variant.yaml",
        ("indicators.zzz.label: required key is missing",),
    )


def test_the_key_path_is_the_one_written_not_pydantic_s_union_arm(project, expect_bad_input):
    # unit is text or a {zh, en} label; the path must not name the arm pydantic tried (Label)
    unit = {"zh": "分", "enn": "points"}
    message = expect_bad_input(
        project.with_params(lambda doc: _with(doc, "indicators", FIRST, "unit", unit)),
        "variant.yaml",
        (f"indicators.{FIRST}.unit.enn: unknown key; did you mean en?",),
    )
    assert "Label" not in message
