# Two commands are the whole set-up: `make run` and `make test`.
# Each creates .venv on first use and installs into it what it needs: `make run` the package
# alone, `make test` also the test, style and Dask extras.

# The first Python >= 3.11 on the PATH (a pyenv shim without its version installed fails the
# check and is passed over); `make PYTHON=/path/to/python ...` chooses one.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; \
	done)
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
STAMP      := $(VENV)/.installed-test
SCENARIO ?= scenarios/weekday.yaml
# Tests run on every core (pytest-xdist); the statistical ones have fixed seeds, so the
# outcome does not depend on the order or the worker. `make test PYTEST_ARGS=-n0` runs serially.
# loadgroup: a free worker takes the next test, longest first, and a module sharing a
# module-scoped fixture stays on one worker (tests/conftest.py orders and groups them).
PYTEST_ARGS ?=
PYTEST_WORKERS ?= auto

.PHONY: run test test-fast lint typecheck validate bench clean

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: no Python 3.11 or newer found (tried python3.13, python3.12, python3.11,"; \
		echo "python3); install one, or give its path: make PYTHON=/path/to/python3.11 ..."; \
		exit 2; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev,dask]'
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/checkoutsim run $(SCENARIO)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not validation and not notebook and not browser and not slow" $(PYTEST_ARGS)

# The performance benchmark (docs/performance.md); `--quick` is a smoke run that writes nothing.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/startup.py $(if $(findstring --quick,$(BENCH_ARGS)),--runs 2,)
	$(BIN)/python benchmarks/overhead.py $(if $(findstring --quick,$(BENCH_ARGS)),--quick,)
	$(BIN)/python benchmarks/hourly_metrics.py $(if $(findstring --quick,$(BENCH_ARGS)),--quick,)

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
