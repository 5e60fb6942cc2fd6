# HireWatch developer commands. `make run` and `make test` work on a fresh machine: they create
# .venv and install what they need themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The whole service on embedded defaults (web app, worker, beat, sandbox ATS; lists: stored, else
# ../shared/data imported into the store, else the labelled DEMO list), then a demo. Ctrl-C stops it.
run: $(STAMP)
	$(BIN)/hirewatch run

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
