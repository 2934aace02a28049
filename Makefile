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

# The browser test drives this Chromium (Debian's package by default; Playwright cannot download its own here).
export ATELIER_CHROMIUM ?= /usr/bin/chromium

# llama-cpp-python has no wheel on PyPI: its OpenAI-compatible server (the `openai` runtime's test
# peer) is compiled once per machine (6-13 min on 2 cores) and the wheel is kept for later venvs.
LLAMA_CPP_VERSION ?= 0.3.36
# A portable AVX2 build, not -march=native: on CPUs that advertise AMX (Sapphire Rapids and later),
# a native build routes weights through ggml's AMX backend, and inside VMs that do not grant AMX
# its first decode segfaults (measured here: the server died on its first completion).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
WHEELS := $(ATELIER_HOME)/wheels/llama-avx2

# Where torch's CPU build comes from, e.g. --index-url https://download.pytorch.org/whl/cpu.
TORCH_PIP_ARGS ?=

.PHONY: lock install models browser llama-server run test lint typecheck docs messages screenshots pytest bench image clean

# Everything but torch comes from requirements-dev.lock, every file checked by sha256 (.ci/lock
# regenerates it); the project itself is installed without dependencies, and `pip check` proves the
# locked set is complete.
$(BIN)/.installed: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU wheel of torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0 $(TORCH_PIP_ARGS)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

models: $(BIN)/.installed
	$(BIN)/atelier models fetch defaults

install: $(BIN)/.installed models

run: install
	$(BIN)/atelier serve --host 127.0.0.1 --port 8000

# Installs Debian's Chromium when it is missing and we are root; otherwise one line says what to run.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

browser: node_modules/axe-core/axe.min.js
	@if [ -x "$(ATELIER_CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || exit 1; \
		[ -x "$(ATELIER_CHROMIUM)" ] || { echo "chromium installed, but not at $(ATELIER_CHROMIUM): set ATELIER_CHROMIUM" >&2; exit 1; }; \
	else \
		echo "make test needs Chromium for the browser test: run 'sudo apt-get install chromium' (or 'make ATELIER_CHROMIUM=/path/to/chromium test')" >&2; \
		exit 1; \
	fi

$(BIN)/.llama-server: $(BIN)/.installed
	@ls $(WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || { \
		echo "building llama-cpp-python $(LLAMA_CPP_VERSION) once for this machine (several minutes)"; \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip wheel --quiet --no-deps \
			--no-cache-dir -w $(WHEELS) llama-cpp-python==$(LLAMA_CPP_VERSION); }
	$(BIN)/pip install --quiet --find-links $(WHEELS) 'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)'
	touch $@

llama-server: $(BIN)/.llama-server

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The pages' catalogs: extract the French messages, then add the new ones to the English and German
# .po files (translate them there; tests/service/test_i18n.py fails on any left empty or fuzzy).
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o service/locale/messages.pot .
	$(BIN)/pybabel update -i service/locale/messages.pot -d service/locale --width 120

# The README's screenshots: the shipped Make.org excerpt synthesised by the real models in a throwaway
# home (a few minutes), then its workshop and axis pages in Chromium.
screenshots: install browser
	@home=$$(mktemp -d); ln -s $(ATELIER_HOME)/models $$home/models; \
	ATELIER_HOME=$$home $(BIN)/atelier serve --host 127.0.0.1 --port 8765 & pid=$$!; \
	trap "kill $$pid; rm -rf $$home" EXIT; \
	for i in $$(seq 120); do curl -sf http://127.0.0.1:8765/health >/dev/null && break; sleep 1; done; \
	$(BIN)/python docs/screenshots/take.py --url http://127.0.0.1:8765 --key "$$(cat $$home/admin.key)"

typecheck: $(BIN)/.installed
	$(BIN)/mypy

# The PostgreSQL pass: where .ci/services started PostgreSQL it also installed Redis, so the queue
# test must run there (ATELIER_REQUIRE_REDIS=1); with your own ATELIER_PG_URL it may skip, saying why.
pytest: install browser llama-server
	$(BIN)/pytest
	@url="$${ATELIER_PG_URL:-$$(bash .ci/services)}"; \
	if [ -n "$$url" ]; then \
		echo "service tests against PostgreSQL (with Redis for the queue test)"; \
		require="$${ATELIER_REQUIRE_REDIS:-$$([ -z "$${ATELIER_PG_URL:-}" ] && echo 1)}"; \
		ATELIER_REQUIRE_REDIS="$$require" ATELIER_TEST_DATABASE_URL="$$url" $(BIN)/pytest -q tests/service; \
	fi

# The docs site (MkDocs Material, mkdocs.yml): warnings are errors; the API page is generated from the app.
docs: $(BIN)/.installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

test: install lint typecheck docs pytest

bench: install
	$(BIN)/atelier bench

# Builds the container image and checks it (podman/buildah; see .ci/image for the options).
image:
	bash .ci/image

# Regenerates the hash-locked requirement files after a dependency change.
lock:
	bash .ci/lock

clean:
	rm -rf $(VENV) build *.egg-info
