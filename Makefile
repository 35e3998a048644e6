# Insured Portal — Billing. Two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test install lint test-sqlite test-postgres e2e e2e-deps bench clean

$(VENV)/.installed: pyproject.toml
	@PYBIN=$$(bin/find-python) || exit 1; \
	  echo "Creating $(VENV) with $$PYBIN"; \
	  [ -x $(PY) ] || $$PYBIN -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

## Serve the portal on http://127.0.0.1:$(PORT) with gunicorn and the background worker.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Insured Portal — Billing is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Sign in at http://127.0.0.1:$(PORT)/accounts/sign-in/  (password for all: portal-demo-2026)"
	@echo "    insured@example.com  household insured, 3 billing accounts"
	@echo "    fleet@example.com    commercial insured, 2,500 billing accounts"
	@echo "    billing@example.com  billing supervisor: staff admin at http://127.0.0.1:$(PORT)/staff/"
	@echo "  Email sent by the portal is written to var/mail/ unless EMAIL_HOST is set."
	@echo ""
	$(VENV)/bin/honcho start -f Procfile

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .

## Browser tests need Debian's Chromium and axe-core (npm); installed only when missing.
e2e-deps:
	@[ -x /usr/bin/chromium ] || { echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	@[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund

# The SQLite run includes the browser tests (tests/e2e, marker e2e); they serve the app
# on a SQLite file of their own, so the PostgreSQL run leaves them out.
test-sqlite: install e2e-deps
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(PY) -m pytest

## Only the browser tests.
e2e: install e2e-deps
	$(PY) -m pytest -m e2e

test-postgres: install
	@bin/require-postgres "$(TEST_DATABASE_URL)"; rc=$$?; \
	  if [ $$rc -eq 0 ]; then DATABASE_URL="$(TEST_DATABASE_URL)" $(PY) -m pytest -m "not e2e"; \
	  elif [ $$rc -eq 2 ]; then true; else exit $$rc; fi

## Lint, type-check, then the whole suite on SQLite and on PostgreSQL.
test: lint test-sqlite test-postgres

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) var/*.sqlite3* var/staticfiles
