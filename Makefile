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

# Lists: the stored ones if any, else ../shared/data imported into the store, else the labelled DEMO list.
SHARED_DATA ?= ../shared/data
run: $(STAMP)
	@if ! $(BIN)/hirewatch lists status >/dev/null 2>&1 && [ -f $(SHARED_DATA)/ofac/sdn.csv ]; then \
		$(BIN)/hirewatch lists update --from $(SHARED_DATA); fi; \
	if $(BIN)/hirewatch lists status >/dev/null 2>&1; then lists=""; else lists="--lists demo"; fi; \
	$(BIN)/hirewatch screen examples/applicants.jsonl --format table $$lists

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
