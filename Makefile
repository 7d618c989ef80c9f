# fivecolor: `make report` builds .venv and the sample month's site; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PARAMS ?= params/2020-05.yaml

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project into it

report: $(STAMP) ## build the sample month's report (PARAMS=params/2020-05.yaml)
	$(BIN)/fivecolor report --params $(PARAMS)

test: $(STAMP) ## run the whole test suite
	$(BIN)/python -m pytest

bench: $(STAMP) ## run the benchmarks and print their figures
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## remove the built reports (keeps .venv)
	rm -rf reports/*/ reports/index.html

.PHONY: help venv report test bench clean
