"""The project's promises about itself: conda, pip and the lock offer the same dependencies, every
import is declared, optional extras fail in one line, and the commands exist."""

import ast
import hashlib
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, requires
from pathlib import Path

import pandas as pd
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import fivecolor.resources
from fivecolor.site import manifest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = PROJECT["optional-dependencies"]
#: Import names whose distribution is named otherwise, for when the distribution is not installed.
DISTRIBUTION_OF = {"yaml": "pyyaml", "vl_convert": "vl-convert-python", "IPython": "ipython"}
#: Every declared requirement: the core ones, then each extra's.
ALL_REQUIREMENTS = [*PROJECT["dependencies"], *(r for extra in EXTRAS.values() for r in extra)]


def _requirement(text: str) -> tuple[str, str]:
    # pip extras (psycopg[binary]) have no conda counterpart: conda's package is the whole thing
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$", text)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_offers_the_same_dependencies_as_pyproject():
    wanted = dict(_requirement(r) for r in ALL_REQUIREMENTS)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    offered = {}
    for dep in env["dependencies"]:
        for item in dep["pip"] if isinstance(dep, dict) else [dep]:
            name, spec = _requirement(item)
            offered[name] = spec
    python = offered.pop("python")
    offered.pop("pip")
    assert python == PROJECT["requires-python"]
    assert offered == wanted


def test_readme_quick_start_is_the_two_make_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(make \w+)\s*$", quick, flags=re.MULTILINE)
    assert commands == ["make report", "make test"]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def _declared() -> dict[str, str | None]:
    """Every declared distribution (canonical name) -> the extra it needs (``None``: a core one)."""
    out = {canonicalize_name(Requirement(r).name): None for r in PROJECT["dependencies"]}
    for extra, requirements in EXTRAS.items():
        for r in requirements:
            out.setdefault(canonicalize_name(Requirement(r).name), extra)
    return out


def _imports(tree: ast.Module):
    """``(top-level name, imported at module level?)`` for every absolute import in a module."""
    function_bodies = {
        id(node)
        for fn in ast.walk(tree)
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(fn)
        if node is not fn
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            yield name.split(".")[0], id(node) not in function_bodies


def test_every_import_of_the_package_is_declared_and_extras_are_imported_lazily():
    declared = _declared()
    installed = packages_distributions()
    undeclared, eager = set(), set()
    for path in sorted((ROOT / "fivecolor").rglob("*.py")):
        for name, at_top in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if name in sys.stdlib_module_names or name in ("fivecolor", "__future__"):
                continue
            candidates = {canonicalize_name(d) for d in installed.get(name, [])}
            candidates.add(canonicalize_name(DISTRIBUTION_OF.get(name, name)))
            found = candidates & set(declared)
            if not found:
                undeclared.add(f"{path.relative_to(ROOT)}: {name}")
            elif at_top and any(declared[d] is not None for d in found):
                eager.add(
                    f"{path.relative_to(ROOT)}: {name}"
                )  # an absent extra would break the import
    assert not undeclared, "imported but not declared in pyproject.toml"
    assert not eager, "an optional extra imported at module level"


def _locked() -> dict[str, list[tuple[str, str | None]]]:
    """requirements.lock: canonical name -> [(pinned version, marker or None)]."""
    out: dict[str, list] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if not line or line.startswith((" ", "#")):
            continue
        requirement, _, marker = line.partition(";")
        name, _, version = requirement.strip().partition("==")
        assert version, f"requirements.lock: {line!r} is not pinned with =="
        out.setdefault(canonicalize_name(name.split("[")[0]), []).append(
            (version, marker.strip() or None)
        )
    return out


def test_the_lock_pins_every_declared_dependency_within_its_range():
    locked = _locked()
    for text in ALL_REQUIREMENTS:
        requirement = Requirement(text)
        pins = locked.get(canonicalize_name(requirement.name))
        assert pins, f"{requirement.name} is declared but not in requirements.lock (run make lock)"
        here = [v for v, marker in pins if marker is None or Marker(marker).evaluate()]
        assert here, f"requirements.lock pins {requirement.name} for no Python like this one"
        for version, _ in pins:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {requirement.name}=={version}, outside {requirement.specifier} (run make lock)"
            )
        for extra in (
            requirement.extras
        ):  # psycopg[binary], pyright[nodejs]: what the extra adds is pinned too
            added = [Requirement(r) for r in requires(requirement.name) or ()]
            added = [
                r for r in added if r.marker is not None and r.marker.evaluate({"extra": extra})
            ]
            assert added, f"{requirement.name}[{extra}] adds nothing installed here"
            for needed in added:
                assert canonicalize_name(needed.name) in locked, (
                    f"{requirement.name}[{extra}] needs {needed.name}, not in requirements.lock (run make lock)"
                )


def test_make_venv_installs_the_lock_and_every_extra():
    makefile = (ROOT / "Makefile").read_text()
    extras = re.search(r"^EXTRAS := (.+)$", makefile, flags=re.MULTILINE).group(1).split(",")
    assert sorted(extras) == sorted(EXTRAS)
    assert (
        "pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock" in makefile
    )
    assert "--no-deps -e '.[$(EXTRAS)]'" in makefile


def test_the_environment_leaves_out_the_slow_iri_grammar():
    """rfc3987-syntax builds a Lark grammar when jsonschema imports it (1.7 s or more per
    process); the lock leaves it out and the venv installs the lock without resolving again."""
    assert "rfc3987-syntax" not in _locked()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^LOCK_LEFT_OUT := rfc3987-syntax$", makefile, flags=re.MULTILINE)
    assert "$(addprefix --no-emit-package ,$(LOCK_LEFT_OUT))" in makefile


def test_the_manifest_records_the_lock(monkeypatch):
    assert fivecolor.resources.lock_file() is not None
    assert (
        manifest.lock_sha256()
        == hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()
    )
    monkeypatch.setattr(manifest, "lock_file", lambda: None)
    assert manifest.lock_sha256() is None


def test_a_missing_dask_extra_is_one_line_naming_it(run_cli, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    code, _, err = run_cli(
        "report",
        "--params",
        ROOT / "params" / "2020-05.yaml",
        "--executor",
        "dask",
        "--out",
        tmp_path / "reports",
    )
    assert code == 2
    assert (
        err == "fivecolor: error: usage: --executor dask: distributed is not installed; "
        "pip install 'fivecolor[dask]'\n"
    )
    assert not (tmp_path / "reports").exists()


def test_a_missing_postgres_extra_is_one_line_naming_it(run_cli, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    params = tmp_path / "server.yaml"
    params.write_text(
        f"extends: {ROOT / 'params' / 'default.yaml'}\n"
        "data:\n  stations: {url: 'postgresql+psycopg://fivecolor@127.0.0.1:1/grid', table: stations}\n",
        encoding="utf-8",
    )
    code, _, err = run_cli("score", "--params", params)
    assert code == 2 and err.count("\n") == 1
    assert err.endswith(
        "the driver for postgresql+psycopg is not installed (psycopg); "
        "pip install 'fivecolor[postgres]'\n"
    )


def test_sample_out_writes_a_params_file_that_scores_like_the_sample_month(run_cli, tmp_path):
    code, out, _ = run_cli("sample", "--out", tmp_path)
    assert code == 0
    written = {Path(line).name for line in out.splitlines()}
    assert written == {"stations.csv", "indicators.csv", "projects.csv", "params.yaml"}
    for table in ("stations", "indicators", "projects"):
        shipped = ROOT / "fivecolor" / "data" / "sample" / f"{table}.csv"
        assert (tmp_path / f"{table}.csv").read_bytes() == shipped.read_bytes()
    assert "extends" not in yaml.safe_load((tmp_path / "params.yaml").read_text(encoding="utf-8"))
    _, from_folder, _ = run_cli("score", "--params", tmp_path / "params.yaml")
    _, from_checkout, _ = run_cli("score", "--params", ROOT / "params" / "2020-05.yaml")
    assert (
        from_folder == from_checkout and len(pd.read_csv(pd.io.common.StringIO(from_folder))) == 60
    )
