# Two commands do all the set-up on a fresh machine:
#   make demo   the main job: the lecture example as a forward/backward table, then a small MLP trained.
#               Installs only what the demo and the notebooks need (the package with its graph, plot and
#               notebook extras; no PyTorch, no linters).
#   make test   lint (ruff), types (mypy), the whole test suite, every notebook, a real-browser test of the
#               notebooks, and the static site of the executed lessons (make docs). Adds the test toolchain.
# Both create .venv when it is missing and install the Graphviz `dot` binary when it is missing; `make test`
# also installs Debian's Chromium and chromedriver for the browser test when they are missing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on
# One stamp per install level: the demo level (package + notebook extras) and the test level on top of it.
DEMO_STAMP := $(VENV)/.installed-demo
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck pytest docs bench dot browser venv venv-test clean

venv: $(DEMO_STAMP)
venv-test: $(TEST_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	@echo "== Installing autograd_lite with its graph, plot and notebook extras into $(VENV) (about a minute) =="
	$(PIP) -e '.[notebooks]'
	@touch $@

$(TEST_STAMP): $(DEMO_STAMP) pyproject.toml
	@echo "== Installing the test toolchain (PyTorch CPU, pytest, ruff, mypy, selenium, micrograd) into $(VENV) =="
	$(PIP) -e '.[test,bench]'
	@touch $@

dot:
	@sh scripts/install-graphviz.sh

browser:
	@sh scripts/install-chromium.sh

demo: $(DEMO_STAMP) dot
	$(BIN)/python -m autograd_lite demo --out out

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

pytest: $(TEST_STAMP) dot browser
	$(BIN)/python -m pytest --doctest-modules autograd_lite tests notebooks --nbmake -p no:cacheprovider

# The lessons readable without a kernel: every notebook executed and converted to HTML with its
# pictures, plus an index page, in build/docs/ (open build/docs/index.html).
docs: $(DEMO_STAMP) dot
	$(BIN)/python docs/build_site.py --out build/docs

test: lint typecheck pytest docs

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_training.py

clean:
	rm -rf $(VENV) out build .mypy_cache .ruff_cache .pytest_cache .hypothesis
