# Atelier: `make run` starts the service, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
ATELIER_HOME ?= $(HOME)/.cache/atelier
export ATELIER_HOME
# Two busy cores run faster with one torch thread per process (see shared STACK.md).
export OMP_NUM_THREADS ?= 2
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false
# UMAP's numba JIT costs ~20 s per new process unless its cache persists.
export NUMBA_CACHE_DIR ?= $(ATELIER_HOME)/numba

.PHONY: install models run test lint typecheck pytest bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU wheel of torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

models: $(BIN)/.installed
	$(BIN)/atelier models fetch defaults

install: $(BIN)/.installed models

run: install
	$(BIN)/atelier serve --host 127.0.0.1 --port 8000

lint: $(BIN)/.installed
	$(BIN)/ruff check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest
	@if [ -n "$$ATELIER_PG_URL" ]; then \
		echo "service tests against PostgreSQL"; \
		ATELIER_TEST_DATABASE_URL="$$ATELIER_PG_URL" $(BIN)/pytest -q tests/service; \
	fi

test: install lint typecheck pytest

bench: install
	$(BIN)/atelier bench

clean:
	rm -rf $(VENV) build *.egg-info
