# Tessera: two commands on a fresh machine.
#   make run    start NATS and all six services on embedded defaults (SQLite, var/)
#   make test   run the test suite against a real nats-server
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test demo lint install clean-var faults

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m deploy run

demo: $(STAMP)
	$(PY) -m deploy demo

test: $(STAMP)
	$(PY) -m pytest

faults: $(STAMP)
	$(PY) -m pytest -m fault tests/faults

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean-var:
	rm -rf var
