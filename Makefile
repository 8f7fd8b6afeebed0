# Two commands do all set-up on a fresh machine (Python 3.11+ and make):
#   make run    create .venv, install, migrate, serve ASGI on 127.0.0.1:$(PORT) + a django-q2 worker
#   make test   create .venv, install, run the whole suite (embedded default, then PostgreSQL + Redis)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PYTEST_WORKERS ?= 2

.PHONY: install run test test-embedded test-services test-django6 interop-deps schema clean

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	@echo "agnost_django on http://realtime.agnost.app.localhost:$(PORT) (admin: /admin/, API: /_api/rest/v1, docs: /_api/docs). Ctrl-C stops."
	@trap 'trap - INT TERM EXIT; kill 0 2>/dev/null' INT TERM EXIT; \
	$(PY) manage.py qcluster & \
	$(VENV)/bin/uvicorn project.asgi:application --host 127.0.0.1 --port $(PORT) & \
	wait -n

# The interop tests drive the real altogic npm client; without npm they skip themselves.
interop-deps:
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/interop && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the interop tests will be skipped"; fi

test: $(STAMP) interop-deps
	@$(MAKE) --no-print-directory test-embedded
	@$(MAKE) --no-print-directory test-services

test-embedded: $(STAMP)
	@echo "=== pass 1: embedded default (SQLite, LocMem, in-memory channel layer)"
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup
	@echo "=== pass 1b: agnost core and auth installed alone (tests.settings_minimal, tests marked minimal)"
	$(PY) -m pytest -m minimal --ds=tests.settings_minimal -q tests/test_minimal.py
	@echo "=== pass 1c: auth on a custom user model (tests.settings_custom_user, tests marked user_models)"
	$(PY) -m pytest -m user_models --ds=tests.settings_custom_user -q

test-services: $(STAMP)
	@if $(PY) tests/services.py; then \
		echo "=== pass 2: PostgreSQL + Redis (tests.settings_services)"; \
		$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --ds=tests.settings_services; \
	else \
		echo "=== pass 2 SKIPPED: PostgreSQL or Redis is not reachable (see above); CI has both."; \
	fi

# Django 6.x (needs Python 3.12+): pass 1 in a separate virtualenv, same pins except Django.
PYTHON312 ?= python3.12
test-django6: interop-deps
	@test -x .venv-django6/bin/python || $(PYTHON312) -m venv .venv-django6
	grep -iv '^django==' requirements.txt > .venv-django6/requirements.txt
	.venv-django6/bin/python -m pip install --quiet --disable-pip-version-check -r .venv-django6/requirements.txt "django==6.1.3"
	.venv-django6/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Regenerate the committed OpenAPI snapshot after an intended API change.
schema: $(STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py spectacular --urlconf agnost_django.urls --file tests/snapshots/openapi.yaml

clean:
	rm -rf $(VENV) .venv-django6 tests/interop/node_modules db.sqlite3
