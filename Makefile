# Tessera: two commands on a fresh machine.
#   make run    start NATS, all six services and the console on embedded defaults (SQLite, var/)
#   make test   run the test suite against a real nats-server
#   make clients  rewrite docs/openapi/*.json and the Python SDK in clients/python
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test demo lint audit install lock asyncapi clients images compose-images compose-test clean-var faults debian-packages screenshots

# Every distribution in the checkout, editable: the shared floor, each slice, the tooling.
# PYTHONWARNINGS quiets setuptools' notice, on each editable install, that a folder of
# the package's name may shadow it.
PROJECTS := services gateway $(wildcard services/*/pyproject.toml) clients/python
EDITABLE := $(foreach p,$(patsubst %/pyproject.toml,%,$(PROJECTS)),-e ./$(p))
# the console's front-end packages (npm, with its lock) and the stylesheet built from them
CONSOLE := services/console

# pip's, setuptools' and npm's own output goes to $(INSTALL_LOG), shown only on failure
INSTALL_LOG := $(VENV)/install.log
$(STAMP): requirements.lock pyproject.toml $(addsuffix /pyproject.toml,services gateway clients/python) \
		$(wildcard services/*/pyproject.toml) $(CONSOLE)/package-lock.json \
		$(CONSOLE)/styles/console.scss
	@echo "Installing Tessera into $(VENV) (a few minutes the first time; log: $(INSTALL_LOG))"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@: > $(INSTALL_LOG)
	@{ $(PY) -m pip install --quiet --upgrade pip && \
	  PYTHONWARNINGS=ignore $(PY) -m pip install --quiet -c requirements.lock $(EDITABLE) -e '.[dev]' && \
	  $(MAKE) --no-print-directory debian-packages && \
	  cd $(CONSOLE) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build; \
	} >> $(INSTALL_LOG) 2>&1 || { tail -n 40 $(INSTALL_LOG); echo "install failed: see $(INSTALL_LOG)" >&2; exit 1; }
	@touch $(STAMP)

# npm for the console's packages, Debian's Chromium for its browser tests (never a
# browser download) and HAProxy, which balances `tessera run --replicas N`
# (deploy/balancer.py): installed when missing, as root; anyone else is told the command.
DEBIAN_PACKAGES := npm:npm chromium:chromium chromedriver:chromium-driver haproxy:haproxy
debian-packages:
	@missing="$(foreach p,$(DEBIAN_PACKAGES),$$({ command -v $(word 1,$(subst :, ,$(p))) || test -x /usr/sbin/$(word 1,$(subst :, ,$(p))); } >/dev/null 2>&1 || echo $(word 2,$(subst :, ,$(p)))))"; \
	missing=$$(echo $$missing); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Tessera needs: sudo apt-get install $$missing" >&2; exit 1; \
	  fi; \
	fi

install: $(STAMP)

# re-resolve every pin after a pyproject.toml's dependencies change
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	PYTHONWARNINGS=ignore $(PY) -m deploy.lock

# docs/asyncapi.yaml and docs/messages.md from services/common/subjects.py and messages.py
# (the test suite fails when they differ)
asyncapi: $(STAMP)
	$(PY) -m deploy.asyncapi

# the OpenAPI documents from each service's create_app(), then the SDK generated from them
# (docs/clients.md); the tests fail while either differs from what is committed
clients: $(STAMP)
	$(PY) -m deploy.openapi --client

run: $(STAMP)
	@$(PY) -m deploy run

demo: $(STAMP)
	@$(PY) -m deploy demo

test: $(STAMP)
	$(PY) -m pytest

faults: $(STAMP)
	$(PY) -m pytest -m fault tests/faults

# the console's pages as PNG files in docs/console/, taken by its browser tests
screenshots: $(STAMP)
	TESSERA_CONSOLE_SCREENSHOTS=docs/console $(PY) -m pytest tests/console -q

# One image per slice (docs/operations.md). BASE: any image with Python 3.11 and venv.
BASE ?= python:3.11-slim
ENGINE ?= $(shell command -v podman >/dev/null 2>&1 && echo podman || echo docker)
SLICES := gateway pseudonymiser linker scorer reidentify consent
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)
# each image upgrades its Debian packages afresh on each day it is built (docs/security.md)
UPGRADED_ON := $(shell date -u +%F)

images:
	for slice in $(SLICES); do \
	  $(ENGINE) build $(if $(findstring podman,$(ENGINE)),--format docker) \
	    -f deploy/container/Dockerfile --build-arg BASE=$(BASE) \
	    --build-arg UPGRADED_ON=$(UPGRADED_ON) --build-arg SLICE=$$slice \
	    -t localhost/tessera-$$slice:$(VERSION) . || exit 1; \
	done
	$(ENGINE) build $(if $(findstring podman,$(ENGINE)),--format docker) \
	  -f deploy/container/console.Dockerfile --build-arg BASE=$(BASE) \
	  --build-arg UPGRADED_ON=$(UPGRADED_ON) -t localhost/tessera-console:$(VERSION) .

# NATS and PostgreSQL for deploy/compose.yaml, on the same base (no registry needed)
compose-images:
	$(ENGINE) build $(if $(findstring podman,$(ENGINE)),--format docker) \
	  -f deploy/container/nats.Dockerfile --build-arg BASE=$(BASE) \
	  --build-arg UPGRADED_ON=$(UPGRADED_ON) \
	  -t localhost/tessera-nats:$(VERSION) .
	$(ENGINE) build $(if $(findstring podman,$(ENGINE)),--format docker) \
	  -f deploy/container/postgres.Dockerfile --build-arg BASE=$(BASE) \
	  --build-arg UPGRADED_ON=$(UPGRADED_ON) \
	  -t localhost/tessera-postgres:15 .

# the federation in containers with Podman, end to end (docs/operations.md)
compose-test: $(STAMP) images compose-images
	$(PY) -m pytest -m container tests/containers

# deptry in each project folder: what its code imports, its pyproject.toml declares, and
# all it declares is used (the [tool.deptry] of each pyproject.toml says what is not imported)
lint: $(STAMP) audit
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	for p in . $(patsubst %/pyproject.toml,%,$(PROJECTS)); do \
	  echo "deptry $$p"; (cd $$p && $(CURDIR)/$(VENV)/bin/deptry --no-ansi .) || exit 1; \
	done

# known vulnerabilities in the pinned versions, less deploy/vulnerability-waivers.toml
audit: $(STAMP)
	$(PY) -m deploy.audit

# everything `make run` keeps (keys, databases, JetStream, logs): stop it first
clean-var:
	@if test -x $(PY) && ! $(PY) -m deploy.running var; then exit 4; fi
	rm -rf var
