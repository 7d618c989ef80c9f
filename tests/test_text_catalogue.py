"""The text catalogue ``fivecolor/views/text.yaml``: both languages in every entry, and exactly the
keys that fivecolor/ and the notebooks use, so a missing key and an unused key both fail here.

Uses are found in the syntax trees of the sources and notebook code cells by ``text_keys``.
"""

from __future__ import annotations

import re
import string
import subprocess
import tomllib
from pathlib import Path

import pytest
from text_keys import find_keys, sources

from fivecolor.params import load_params
from fivecolor.views import notebook
from fivecolor.views.text import (
    BAND_KEYS,
    BANDS,
    CATALOGUE_FILE,
    LANGUAGES,
    TEXT,
    load_catalogue,
    template,
    text,
)

ROOT = Path(__file__).resolve().parents[1]


def _placeholders(template_text: str) -> set[str]:
    parsed = string.Formatter().parse(template_text)
    return {field for _, field, _, _ in parsed if field is not None}


@pytest.fixture(scope="module")
def usage() -> tuple[dict[str, list[str]], list[str]]:
    """Each key fivecolor/ and the notebooks use (with where), and each key built at run time."""
    used: dict[str, list[str]] = {}
    built: list[str] = []
    for name, source in sources(ROOT, "fivecolor", "notebooks"):
        uses, runtime = find_keys(source)
        for use in uses:
            used.setdefault(use.key, []).append(f"{name}:{use.node.lineno}")
        built += [f"{name}:{b.line}: {b.source}" for b in runtime]
    return used, built


# --------------------------------------------------------------------------- the entries
def test_every_entry_has_both_languages_non_empty_with_the_same_placeholders():
    for key, entry in TEXT.items():
        assert sorted(entry) == sorted(LANGUAGES), key
        assert all(entry[language].strip() for language in LANGUAGES), key
        assert _placeholders(entry["zh"]) == _placeholders(entry["en"]), key


def test_keys_are_dotted_lower_case():
    odd = [key for key in TEXT if not re.fullmatch(r"[a-z]+(\.[a-z0-9_]+)+", key)]
    assert not odd


def test_the_catalogue_is_package_data():
    # the wheel takes every file of the package that git does not ignore (tests/test_wheel.py
    # builds one and runs a report from it)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["fivecolor"]
    catalogue = ROOT / "fivecolor" / "views" / CATALOGUE_FILE
    assert catalogue.is_file()
    ignored = subprocess.run(["git", "check-ignore", "-q", str(catalogue)], cwd=ROOT, check=False)
    assert ignored.returncode == 1, "text.yaml is git-ignored, so the wheel would leave it out"


# --------------------------------------------------------------------------- used = defined
def test_no_key_is_built_at_run_time(usage):
    _, built = usage
    assert not built, "keys built at run time (write them out):\n" + "\n".join(built)


def test_every_key_used_is_defined(usage):
    used, _ = usage
    missing = {key: where for key, where in used.items() if key not in TEXT}
    assert not missing, f"keys used but not in {CATALOGUE_FILE}: {missing}"


def test_every_key_defined_is_used(usage):
    used, _ = usage
    unused = sorted(set(TEXT) - set(used))
    assert not unused, f"keys in {CATALOGUE_FILE} that no source or notebook uses: {unused}"


def test_every_intro_is_shown_under_its_heading():
    intros = {key for key in TEXT if key.endswith(".intro") and key.removesuffix(".intro") in TEXT}
    assert set(notebook._INTRO_KEYS.values()) == intros
    assert all(notebook._INTRO_KEYS[key.removesuffix(".intro")] == key for key in intros)


def test_the_plan_intro_follows_the_effort_model():
    params = load_params(ROOT / "params" / "2020-05.yaml")
    assert params.actions.plan.effort.value == "linear"
    assert notebook.intro_key(params, "station.next") == "station.next.intro"
    actions = params.actions.model_dump(mode="python")
    actions["plan"]["effort"] = "quadratic"
    quadratic = params.replace(actions=actions)
    assert notebook.intro_key(quadratic, "station.next") == "station.next.intro.quadratic"
    assert "平方和" in text("station.next.intro.quadratic", "zh")
    assert "their sum" in text("station.next.intro", "en")
    assert notebook.intro_key(params, "overview.map") == "overview.map.intro"


def test_every_grade_has_a_name():
    assert list(BAND_KEYS) == list(BANDS)


# --------------------------------------------------------------------------- failures
def test_an_unknown_key_raises_a_key_error_naming_it():
    with pytest.raises(KeyError, match=r"'table\.rnak' is not a key of the text catalogue"):
        text("table.rnak", "en")
    with pytest.raises(KeyError, match=r"'table\.rank' has no language 'fr'"):
        template("table.rank", "fr")


def test_the_finder_tells_a_missing_key_and_a_key_built_at_run_time():
    source = (
        "from fivecolor.views.text import text\n"
        "def table(language, name):\n"
        '    columns = {"table.rank": 1, "table.rnak": 2}\n'
        "    headers = {text(key, language): v for key, v in columns.items()}\n"
        '    key = "sens.shift_points" if name else "sens.shift_quantile"\n'
        '    return text(key, language), text(f"overview.{name}", language)\n'
    )
    uses, built = find_keys(source)
    assert [use.key for use in uses] == [
        "table.rank",
        "table.rnak",
        "sens.shift_points",
        "sens.shift_quantile",
    ]
    assert [b.source for b in built] == ['f"overview.{name}"']


def test_a_key_written_twice_or_a_missing_language_is_refused():
    entry = 'table.rank:\n  zh: "排名"\n  en: "Rank"\n'
    twice = entry + entry.replace("Rank", "Place")
    with pytest.raises(ValueError, match=r"'table\.rank' is defined twice"):
        load_catalogue(twice)
    assert load_catalogue(entry) == {"table.rank": {"zh": "排名", "en": "Rank"}}
    with pytest.raises(ValueError, match=r"'table\.rank' must have exactly the languages"):
        load_catalogue('table.rank:\n  zh: "排名"\n')
