# Microscope Copilot: set-up, run, test, bench.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
# the suite runs on every core (up to 4 workers), a test file per worker (module fixtures are shared)
PYTEST_PARALLEL ?= -n auto --maxprocesses 4 --dist loadfile

.PHONY: run test lint typecheck pytest bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

## make run: set up and open the chat UI on http://localhost:$(PORT) (offline planner, no key needed)
run: $(VENV)/.installed
	$(BIN)/copilot ui --host 127.0.0.1 --port $(PORT)

## make test: set up with the test extras, then lint, type-check and run the whole suite
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy copilot tools app.py
	$(BIN)/pytest -q $(PYTEST_PARALLEL)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy copilot tools app.py

pytest: $(VENV)/.installed-test
	$(BIN)/pytest -q $(PYTEST_PARALLEL)

## make bench: print the speed figures (medians, with a same-run reference ratio)
bench: $(VENV)/.installed
	$(BIN)/copilot bench

## make serve: the MCP server over streamable HTTP on 127.0.0.1:8765
serve: $(VENV)/.installed
	$(BIN)/copilot serve --transport http --host 127.0.0.1 --port 8765

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
