# Tessera: two commands on a fresh machine.
#   make run    start NATS and all six services on embedded defaults (SQLite, var/)
#   make test   run the test suite against a real nats-server
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test demo lint install clean-var faults

# Every distribution in the checkout, editable: the shared floor, each slice, the tooling.
# PYTHONWARNINGS quiets setuptools' notice, on each editable install, that a folder of
# the package's name may shadow it.
PROJECTS := services gateway $(wildcard services/*/pyproject.toml)
EDITABLE := $(foreach p,$(patsubst %/pyproject.toml,%,$(PROJECTS)),-e ./$(p))

$(STAMP): pyproject.toml $(addsuffix /pyproject.toml,services gateway) $(wildcard services/*/pyproject.toml)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet $(EDITABLE) -e '.[dev]'
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
