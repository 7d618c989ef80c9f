"""The quick commands stay quick: what ``score`` and ``sensitivity`` import, not how long they take.

Each command runs in a fresh interpreter on the sample month, which then lists the top-level
packages it has imported. Charts, templates, notebooks, databases and scipy belong to other
commands; pulling any of them in costs the command line a large share of its start-up
(``benchmarks/cli.py`` prints the times). The same listing of a module that does chart work
shows altair, so the check sees what it looks for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

SAMPLE = REPO / "params" / "2020-05.yaml"
#: Libraries no scoring command needs (the report, the pages, the base map, the stores of
#: record, scipy).
HEAVY = (
    "altair",
    "jinja2",
    "papermill",
    "nbformat",
    "nbconvert",
    "duckdb",
    "sqlalchemy",
    "scipy",
    "shapely",
    "openpyxl",
)
#: The package's own modules that only the pages and the base map use: the pages' shared functions
#: (which read the base map at import) and the base map itself.
PAGES_ONLY = ("fivecolor.views.common", "fivecolor.data.geography")

_LIST_IMPORTS = """
import json, sys
{run}
print(json.dumps(sorted(sys.modules)))
"""


def imported_after(run: str, tmp_path: Path, *, top_level: bool = True) -> set[str]:
    """Top-level packages (or, with ``top_level=False``, every module) a fresh interpreter has
    imported after running ``run``."""
    done = subprocess.run(
        [sys.executable, "-c", _LIST_IMPORTS.format(run=run)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    return {name.partition(".")[0] for name in modules} if top_level else modules


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "--params", str(SAMPLE)],
        ["sensitivity", "--params", str(SAMPLE), "--samples", "500"],
    ],
    ids=["score", "sensitivity"],
)
def test_scoring_commands_leave_heavy_libraries_unimported(argv, tmp_path):
    out = tmp_path / "out.csv"
    run = f"from fivecolor.cli import main\nassert main({[*argv, '--out', str(out)]!r}) == 0"
    modules = imported_after(run, tmp_path, top_level=False)
    imported = {name.partition(".")[0] for name in modules}
    assert out.stat().st_size > 0  # the command did its work
    assert "pandas" in imported and "pydantic" in imported
    assert not imported & set(HEAVY), f"{argv[0]} imports {sorted(imported & set(HEAVY))}"
    assert not modules & set(PAGES_ONLY), f"{argv[0]} imports {sorted(modules & set(PAGES_ONLY))}"


def test_the_listing_sees_a_chart_module_import_altair(tmp_path):
    assert "altair" in imported_after("import fivecolor.views.maps", tmp_path)


def test_the_listing_sees_the_pages_shared_module_import_the_base_map(tmp_path):
    modules = imported_after("import fivecolor.views.common", tmp_path, top_level=False)
    assert set(PAGES_ONLY) <= modules and "shapely" in modules


def test_importing_the_parameters_builds_no_validator(tmp_path):
    """The models build when a file is first validated (as one Params), not at import."""
    run = (
        "from pydantic import BaseModel\n"
        "import fivecolor.params.model as model\n"
        "built = sorted(name for name, value in vars(model).items() if isinstance(value, type)\n"
        "    and issubclass(value, BaseModel) and value.__pydantic_complete__)\n"
        "assert not built, built"
    )
    imported_after(run, tmp_path)  # fails (check=True) with the names built at import


def test_the_model_defaults_equal_validated_ones():
    from pydantic import BaseModel

    from fivecolor.params.model import Params

    defaults = {
        (model.__name__, name): field.default
        for model in (Params, *_nested_models(Params))
        for name, field in model.model_fields.items()
        if isinstance(field.default, BaseModel)
    }
    assert {name for _, name in defaults} >= {"bands", "sensitivity", "actions", "weights", "plan"}
    for (owner, name), default in defaults.items():
        # built without validation: its values must pass validation and come back the same
        validated = type(default).model_validate(default.model_dump())
        assert default == validated, f"{owner}.{name}"
        assert default.model_dump() == validated.model_dump(), f"{owner}.{name}"


def _nested_models(model) -> set:
    """The models a model's fields hold, directly (``Sensitivity.weights`` inside ``Params``)."""
    from pydantic import BaseModel

    return {
        type(field.default)
        for field in model.model_fields.values()
        if isinstance(field.default, BaseModel)
    }
