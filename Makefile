# Torrent Server. `make run` starts a working server on a bare machine with Python 3.11+;
# `make test` runs the whole suite. `make help` lists the other targets.
SHELL := /bin/bash

# The first Python >= 3.11 on PATH (override with PYTHON=/path/to/python3.x); looked up
# once, and only by targets that need it.
ifeq ($(origin PYTHON), undefined)
PYTHON = $(eval PYTHON := $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done))$(PYTHON)
endif
VENV ?= .venv
VPY := $(VENV)/bin/python
MANAGE := $(VPY) manage.py
# The install is redone only when pyproject.toml or the install mode changes (their hash
# names the stamp file). "compat" editable installs put the checkout on sys.path with a
# plain .pth line; the default import-hook finder costs ~28 ms at every Python start-up,
# which every plugin job and management command pays.
EDITABLE_MODE := compat
STAMP := $(VENV)/.installed-$(shell (cat pyproject.toml; echo $(EDITABLE_MODE)) 2>/dev/null | cksum | cut -d' ' -f1)
VAR_DIR := $(or $(ION_VAR_DIR),var)
HOST ?= 127.0.0.1
PORT ?= 8000
# The address jobs call the API back at (ION_NET_LOCATION, unless already set): the served
# one, with a wildcard bind reached through the loopback address.
CALLBACK_HOST = $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv run serve test lint-imports browser-test-deps migrate bootstrap demo worker beat jobservice web sge sge-restart-master compose-config

help:
	@echo "make run         install (first time), migrate, create ionadmin + catalog + demo run, serve on http://$(HOST):$(PORT)"
	@echo "make test        check the layer contract, then run the whole test suite (PYTEST_ARGS='-k x' to narrow)"
	@echo "make lint-imports  check the import layers of docs/architecture.md"
	@echo "make migrate     apply database migrations"
	@echo "make bootstrap   superuser, ionusers group, API key, reference catalog (idempotent)"
	@echo "make web         serve with gunicorn (config/gunicorn.conf.py)"
	@echo "make worker      Celery worker (needs REDIS_URL)"
	@echo "make beat        Celery beat scheduler (needs REDIS_URL)"
	@echo "make jobservice  the job service that runs analysis and plugin jobs"
	@echo "make sge         install and start a single-node Grid Engine (root)"
	@echo "make sge-restart-master  restart sge_qmaster (then the execd); running jobs carry on (root)"
	@echo "make compose-config  validate docker-compose.yml"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ ! -x "$(VPY)" ]; then \
		if [ -z "$(PYTHON)" ] || ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
			echo "Python 3.11 or newer is needed (none found on PATH; set PYTHON=...)" >&2; exit 1; fi; \
		echo "Creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
			rm -rf $(VENV); \
			if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
				v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
				echo "Installing python$$v-venv (Debian)"; \
				{ apt-get install -y -qq "python$$v-venv" || { apt-get update -qq && apt-get install -y -qq "python$$v-venv"; }; } >/dev/null \
				&& $(PYTHON) -m venv $(VENV); \
			else false; fi; \
		} || { echo "Cannot create a virtualenv: install your distribution's python3-venv package" >&2; exit 1; }; \
	fi
	$(VPY) -m pip install --quiet --disable-pip-version-check --config-settings editable_mode=$(EDITABLE_MODE) -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

migrate: venv
	$(MANAGE) migrate --noinput

bootstrap: migrate
	$(MANAGE) bootstrap

demo: bootstrap
	$(MANAGE) demo_data --if-empty

run: demo
	@$(MAKE) --no-print-directory serve

# The job service runs beside the web server when it is installed and stops with it.
serve: venv
	@export ION_NET_LOCATION="$${ION_NET_LOCATION:-http://$(CALLBACK_HOST):$(PORT)}"; \
	js=""; mkdir -p "$(VAR_DIR)"; \
	if $(MANAGE) help jobservice >/dev/null 2>&1; then \
		$(MANAGE) jobservice >>"$(VAR_DIR)/jobservice.log" 2>&1 & js=$$!; \
		echo "Job service started (pid $$js, log $(VAR_DIR)/jobservice.log)"; \
	else \
		echo "No job service installed yet (manage.py jobservice): analysis and plugin jobs will not start."; \
	fi; \
	trap 'if [ -n "$$js" ]; then kill $$js 2>/dev/null; fi' EXIT; \
	trap 'exit 130' INT TERM; \
	echo "Serving on http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/rundb/api/v1/, Ctrl-C stops; jobs call back $$ION_NET_LOCATION)"; \
	$(MANAGE) runserver --insecure $(HOST):$(PORT)

# The layer contract of docs/architecture.md (pyproject.toml [tool.importlinter]) first: a
# broken layer fails in seconds, before the suite.
test: venv browser-test-deps lint-imports
	$(VPY) -m pytest $(PYTEST_ARGS)

lint-imports: venv
	@cd $(CURDIR) && $(VENV)/bin/lint-imports --no-cache

# axe-core for the browser tests' accessibility checks (tests/browser/package-lock.json); without
# npm those checks skip (and fail in CI). Chromium itself comes from Debian (.ci/run).
browser-test-deps:
	@if command -v npm >/dev/null 2>&1; then \
		[ tests/browser/node_modules/.package-lock.json -nt tests/browser/package-lock.json ] \
		|| npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the axe-core accessibility checks will be skipped" >&2; fi

# gunicorn serves static files through WhiteNoise from <ION_VAR_DIR>/static.
web: venv
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(VENV)/bin/gunicorn -c config/gunicorn.conf.py

worker: venv
	@if [ -z "$$REDIS_URL" ]; then echo "Set REDIS_URL (without it tasks run in the web process and no worker is needed)" >&2; exit 1; fi
	$(VENV)/bin/celery -A iondb worker --loglevel=INFO

beat: venv
	@if [ -z "$$REDIS_URL" ]; then echo "Set REDIS_URL (beat hands tasks to workers through Redis)" >&2; exit 1; fi
	@mkdir -p "$(VAR_DIR)"
	$(VENV)/bin/celery -A iondb beat --loglevel=INFO --schedule "$(VAR_DIR)/celerybeat-schedule"

jobservice: venv
	$(MANAGE) jobservice

sge:
	bash sge/setup_gridengine.sh
	@echo 'Now: eval "$$(bash sge/setup_gridengine.sh --print-env)"; export ION_JOB_BACKEND=sge'

sge-restart-master:
	bash sge/setup_gridengine.sh --restart-master

compose-config:
	@if docker compose version >/dev/null 2>&1; then docker compose config -q; \
	elif command -v docker-compose >/dev/null 2>&1; then docker-compose config -q; \
	else echo "Neither 'docker compose' nor 'docker-compose' is installed" >&2; exit 1; fi
	@echo "docker-compose.yml is valid"
