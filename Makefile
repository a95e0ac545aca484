# ODP task runner. Every target creates the virtual environment it needs.
#   make demo       install and run the example pipeline on the embedded default
#   make test       install everything and run every quality gate and the whole test suite
#   make format | lint | typecheck | bench

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# the CPU build of PyTorch for the `ml` extra; override on machines with a GPU
TORCH  ?= torch==2.13.0
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
PYTEST_ARGS ?=
# code that must be fully covered (lines and branches) besides odp.spec
FULLY_COVERED := src/odp/engine/workflows.py,src/odp/engine/activities.py,src/odp/engine/lifecycle.py,src/odp/agent/*

.PHONY: demo test format lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)

# the base install: enough to validate and run pipelines
$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(PIP) --upgrade pip
	$(PIP) -e .
	touch $@

# everything: the ml extra (CPU torch first) and the dev tools
$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(PIP) --upgrade pip
	$(PIP) "$(TORCH)"
	$(PIP) -e '.[ml,dev]'
	touch $@ $(VENV)/.base

demo: $(VENV)/.base
	$(BIN)/odp run examples/quickstart.yaml

format: $(VENV)/.dev
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.dev
	$(BIN)/mypy

# pytest exits 5 when it collects no test; that is reported, not hidden as success
pytest: $(VENV)/.dev
	@rm -f .coverage .coverage.*
	@set +e; $(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit 5): nothing to fail"; exit 0; fi; exit $$rc
	$(BIN)/python -m coverage report --include='src/odp/spec/*' --fail-under=100 --skip-covered > /dev/null \
	  || { $(BIN)/python -m coverage report --include='src/odp/spec/*' --skip-covered; echo "odp.spec must be fully covered"; exit 1; }
	$(BIN)/python -m coverage report --include='$(FULLY_COVERED)' --fail-under=100 --skip-covered > /dev/null \
	  || { $(BIN)/python -m coverage report --include='$(FULLY_COVERED)' --skip-covered; \
	       echo "the workflow, its activities, lifecycle events and odp.agent must be fully covered (lines and branches): the files listed above are not"; exit 1; }

test: lint typecheck pytest

bench: $(VENV)/.dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .odp .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache
