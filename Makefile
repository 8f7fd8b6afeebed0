# Two commands do all set-up on a fresh machine (Python 3.11+ and make):
#   make run    create .venv, install, migrate, serve ASGI on 127.0.0.1:$(PORT) + a django-q2 worker
#   make test   create .venv, install, run the whole suite (embedded default, then PostgreSQL + Redis)
# and one for working on the code:
#   make dev    as make run, restarting the server and the worker when a .py file changes
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PYTEST_WORKERS ?= 2

URL := http://realtime.agnost.app.localhost:$(PORT)

.PHONY: install run dev setup test test-embedded test-services test-django6 interop-deps browser-deps schema clean

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@test -x $(PY) || { echo "Creating the virtualenv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the pinned dependencies into $(VENV) (the first time takes a minute or two)"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

# Development settings for make run / make dev and the manage.py commands typed by hand;
# production sets real variables instead (see project/settings.py).
.env:
	@echo "Writing .env for development: DJANGO_DEBUG=1 and a random DJANGO_SECRET_KEY"
	@printf 'DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@

# Migrations, the demo's client key and bucket, and what to open.
setup: $(STAMP) .env
	$(PY) manage.py migrate --noinput
	@$(PY) manage.py demo_setup --port $(PORT)
	@echo ""
	@echo "  Demo app:  $(URL)/   (cross-origin: http://localhost:$(PORT)/)"
	@echo "  Admin:     $(URL)/admin/   (first: .venv/bin/python manage.py createsuperuser)"
	@echo "  API:       $(URL)/_api/rest/v1   docs: $(URL)/_api/docs"
	@echo "  Ctrl-C stops the server and the worker."
	@echo ""

run: setup
	@trap 'trap - INT TERM EXIT; kill 0 2>/dev/null' INT TERM EXIT; \
	$(PY) manage.py qcluster & \
	$(PY) manage.py agnost_serve --host 127.0.0.1 --port $(PORT) & \
	wait -n

# uvicorn restarts on a change of a .py file; the worker is restarted by watchfiles likewise.
dev: setup
	@trap 'trap - INT TERM EXIT; kill 0 2>/dev/null' INT TERM EXIT; \
	$(VENV)/bin/watchfiles --filter python "$(PY) manage.py qcluster" agnost_django project & \
	$(PY) manage.py agnost_serve --host 127.0.0.1 --port $(PORT) --reload agnost_django --reload project & \
	wait -n

# The interop tests drive the real altogic npm client; without npm they skip themselves.
interop-deps:
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/interop && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the interop tests will be skipped"; fi

# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium not found: the browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

test: $(STAMP) interop-deps browser-deps
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
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py spectacular --urlconf agnost_django.urls --validate --fail-on-warn --file tests/snapshots/openapi.yaml

clean:
	rm -rf $(VENV) .venv-django6 tests/interop/node_modules db.sqlite3* test-artifacts .env
