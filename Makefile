# Two commands do all the set-up on a fresh machine:
#   make demo   the main job: the lecture example as a forward/backward table, then a small MLP trained
#   make test   lint (ruff), types (mypy), the whole test suite and every notebook (pytest + nbmake)
# Both create .venv when it is missing and install the Graphviz `dot` binary when it is missing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench dot venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $@

dot:
	@sh scripts/install-graphviz.sh

demo: $(STAMP) dot
	$(BIN)/python -m autograd_lite demo --out out

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) dot
	$(BIN)/python -m pytest --doctest-modules autograd_lite tests notebooks --nbmake -p no:cacheprovider

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_training.py

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache .hypothesis
