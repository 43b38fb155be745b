# Two commands for a fresh machine: `make run` and `make test`. `make test-postgresql` runs
# the same suite with every hub on a throw-away PostgreSQL server.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config/hub.toml

.PHONY: run test test-postgresql install init clean bench lint soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

init: $(STAMP)
	$(BIN)/docexchange --config $(CONFIG) init --if-needed

run: init
	$(BIN)/docexchange --config $(CONFIG) serve

test: $(STAMP)
	bash scripts/ensure-browser.sh
	$(BIN)/python -m pytest

test-postgresql: $(STAMP)
	bash scripts/ensure-browser.sh
	bash scripts/test-postgresql.sh

lint: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,lint]'
	$(BIN)/ruff check docexchange tests bench
	$(BIN)/mypy docexchange

# The long proofs (tests/exchange/test_durability.py, tests/reliability/test_load.py at full
# length): 200 SIGKILLs under concurrent traffic with the hub ready within 2 s of each restart,
# the database and the whole evidence log checked after every 10th kill and the last, then
# 10 minutes at 70 % of the measured capacity. Prints its figures.
soak: $(STAMP)
	DX_KILLS=200 DX_CHECK_EVERY=10 DX_READY_LIMIT=2 DX_LOAD_SECONDS=600 $(BIN)/python -m pytest -s -q \
		tests/exchange/test_durability.py tests/reliability/test_load.py

# Real hubs driven from separate client processes; prints one table, writes
# bench/results/latest.json (DX_BENCH_QUICK=1: a few documents of each size).
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV)
