"""The style and import checks cover the whole package, and CI runs them before the tests."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "fivecolor"


def _stages_contract() -> dict:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in pyproject["tool"]["importlinter"]["contracts"] if c["id"] == "stages"]
    return contract


def _package_children() -> set[str]:
    """The modules and packages directly under fivecolor/, as import-linter names them."""
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    return modules | packages


def test_the_stages_contract_lists_exactly_the_stages_under_the_package():
    contract = _stages_contract()
    assert contract["type"] == "layers" and contract["containers"] == ["fivecolor"]
    layered = [name.strip() for layer in contract["layers"] for name in re.split(r"[|:]", layer)]
    assert len(layered) == len(set(layered)), "a stage is listed twice"
    # a new stage folder or module must be placed in the contract (or, like __main__, left out on purpose)
    assert set(layered) | set(contract.get("exhaustive_ignores", [])) == _package_children()
    assert contract.get("exhaustive") is True


def test_the_stages_run_in_data_flow_order():
    layered = [re.split(r"[|:]", layer)[0].strip() for layer in _stages_contract()["layers"]]
    assert layered == ["cli", "site", "views", "analysis", "scoring", "data", "params", "resources"]


def test_ci_runs_make_lint_then_make_test():
    commands = re.findall(r"^\s*(make \S+)\s*$", (ROOT / ".ci" / "run").read_text(), flags=re.M)
    assert "make lint" in commands and "make test" in commands
    assert commands.index("make lint") < commands.index("make test")


def test_no_module_of_the_package_imports_itself_back():
    """The layers contract orders the stages; inside a stage, imports must not run in a circle
    either (a circle of modules is one module in disguise). Type-checking imports count."""
    import grimp

    graph = grimp.build_graph("fivecolor", exclude_type_checking_imports=False)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    circles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(imports[module]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(imports):
        if module not in state:
            visit(module, [module])
    assert not circles, circles
