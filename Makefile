# Two commands are the whole set-up: `make run` and `make test`.
# Each creates .venv on first use and installs the project into it.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SCENARIO ?= scenarios/weekday.yaml
PYTEST_ARGS ?=

.PHONY: run test test-fast lint typecheck validate bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev,dask]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/checkoutsim run $(SCENARIO)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not validation and not notebook and not browser and not slow" $(PYTEST_ARGS)

# The performance benchmark (docs/performance.md); `--quick` is a smoke run that writes nothing.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check checkoutsim tests benchmarks notebooks
	$(BIN)/ruff format --check checkoutsim tests benchmarks notebooks

typecheck: $(STAMP)
	$(BIN)/mypy checkoutsim

# Every simulation-vs-theory case; rewrites docs/validation.md (commit it).
validate: $(STAMP)
	$(BIN)/python -m checkoutsim.validation

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis results
