# fivecolor: `make report` builds .venv and the sample month's site; `make test` runs the tests,
# `make lint` checks style, types and the stage imports.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PARAMS ?= params/2020-05.yaml
UV ?= uv
# the extras `make venv` installs and requirements.lock pins: all of them
EXTRAS := test,dev,dask,postgres
comma := ,
LINT_PATHS := fivecolor tests benchmarks

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# the dependencies exactly as requirements.lock pins them, then the project itself on top
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e '.[$(EXTRAS)]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the locked dependencies and the project into it

lock: ## re-pin requirements.lock after changing pyproject.toml's dependencies (needs uv: pip install uv)
	$(UV) pip compile pyproject.toml $(addprefix --extra ,$(subst $(comma), ,$(EXTRAS))) --python-version 3.11 --universal \
		--custom-compile-command "make lock" -o requirements.lock

report: $(STAMP) ## build the sample month's report (PARAMS=params/2020-05.yaml)
	$(BIN)/fivecolor report --params $(PARAMS)

test: $(STAMP) ## run the whole test suite
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## run the tests not marked slow (no notebooks, no browser)
	$(BIN)/python -m pytest -m "not slow"

# every check runs, so one run shows all the findings; the target fails if any check did
lint: $(STAMP) ## ruff (lint and format check), pyright, and the import contracts
	@failed=""; \
	for check in "ruff check $(LINT_PATHS)" \
	             "ruff format --check --output-format concise $(LINT_PATHS)" \
	             "pyright" "lint-imports --no-logo"; do \
	  echo "== $$check"; $(BIN)/$$check || failed="$$failed; $$check"; \
	done; \
	test -z "$$failed" || { echo "lint: failed: $${failed#; }"; exit 1; }

bench: $(STAMP) ## run the benchmarks and print their figures
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## remove the built reports (keeps .venv)
	rm -rf reports/*/ reports/index.html

.PHONY: help venv lock report test test-fast lint bench clean
