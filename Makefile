# CPAS Workbench — the two commands a newcomer needs:
#   make demo   creates .venv, installs cpas_kit, loads the demo mission, writes the UN-DEMO pack
#   make test   creates/uses .venv with the test extras and runs the whole suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint pack bench clean-outputs

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# rfc3987-syntax (pulled in through jsonschema's format extras) adds ~1.2 s to every process and kernel that
# imports jsonschema (papermill, nbconvert, voila, altair); only the 'iri' format check needs it.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/pip uninstall -q -y rfc3987-syntax || true
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip uninstall -q -y rfc3987-syntax || true
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/cpas demo

# the layers and the absence of import cycles (import-linter contracts in pyproject.toml), then ruff
lint: $(VENV)/.installed-test
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check cpas_kit tests benchmarks

test: lint
	$(BIN)/python -m pytest

# what a developer runs between changes: no browser, no PostgreSQL, no notebook executions, nothing slow
test-fast: lint
	$(BIN)/python -m pytest -m "not browser and not postgres and not notebook and not slow" -q

pack: $(VENV)/.installed
	$(BIN)/cpas pack --mission $(MISSION) --cycle $(CYCLE)

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_store_writes.py

clean-outputs:
	find outputs -mindepth 1 ! -name README.md -exec rm -rf {} +
