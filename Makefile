# fivecolor: `make report` builds .venv and the sample month's site; `make test` runs the tests,
# `make lint` checks style, types and the stage imports.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PARAMS ?= params/2020-05.yaml
UV ?= uv
# the extras `make venv` installs and requirements.lock pins: all of them
EXTRAS := test,dev,dask,postgres,lab
comma := ,
LINT_PATHS := fivecolor tests benchmarks

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# the dependencies exactly as requirements.lock pins them (the lock is the whole environment:
# nothing is added beside it), then the project itself on top
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	@# an environment made from an older lock may still hold what the lock now leaves out
	$(BIN)/python -m pip uninstall -y -qq --disable-pip-version-check $(LOCK_LEFT_OUT)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e '.[$(EXTRAS)]'
	@$(MAKE) --no-print-directory git-filter
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the locked dependencies and the project into it

# What .gitattributes names: git stores notebooks through nbstripout, so a notebook saved with
# outputs in JupyterLab is unchanged for git unless its cells changed, and diffs them as
# py:percent scripts (jupytext), so a review reads code. Cell ids stay
# (they name the cells); besides nbstripout's own list, what a run or a save adds to the
# metadata goes (the pre-commit hook reads the same list from git's config). Nothing happens
# outside a git clone.
NBSTRIPOUT = "$(abspath $(BIN))/python" -m nbstripout --keep-id
NBSTRIP_KEYS = metadata.papermill cell.metadata.papermill metadata.language_info
git-filter: ## define the notebooks' git filter for this clone (make venv does it)
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '$(NBSTRIPOUT)' && \
	  git config filter.nbstripout.extrakeys '$(NBSTRIP_KEYS)' && \
	  git config filter.nbstripout.smudge cat && \
	  git config diff.ipynb.textconv '"$(abspath $(BIN))/python" -m jupytext --quiet --to py:percent -o -'; \
	fi

# Left out: rfc3987-syntax, which jsonschema[format-nongpl] (through jupyter-events, the lab
# extra) adds for IRI format checks that nothing here uses; jsonschema imports it when present,
# and its import builds a Lark grammar: 1.7 s or more in every process that imports jsonschema
# (the report, each worker, each notebook kernel: Altair and nbformat import it).
LOCK_LEFT_OUT := rfc3987-syntax
lock: ## re-pin requirements.lock after changing pyproject.toml's dependencies (needs uv: pip install uv)
	$(UV) pip compile pyproject.toml $(addprefix --extra ,$(subst $(comma), ,$(EXTRAS))) --python-version 3.11 --universal \
		$(addprefix --no-emit-package ,$(LOCK_LEFT_OUT)) --custom-compile-command "make lock" -o requirements.lock

report: $(STAMP) ## build the sample month's report (PARAMS=params/2020-05.yaml)
	$(BIN)/fivecolor report --params $(PARAMS)

# The .venv's interpreter is the notebooks' python3 kernel (installed into .venv, which Jupyter
# prefers over a user-wide one); no update check, news feed or extension catalogue, so nothing
# leaves the machine.
lab: $(STAMP) ## JupyterLab on the sample's notebooks, from .venv, offline (Ctrl-C stops it)
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@printf '%s\n' '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
		> $(VENV)/share/jupyter/lab/settings/overrides.json
	JUPYTER_PREFER_ENV_PATH=1 $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=. \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --LabApp.news_url=None \
		--LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root) \
		notebooks/overview.ipynb

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

.PHONY: help venv git-filter lock report lab test test-fast lint bench clean
