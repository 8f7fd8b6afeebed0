# Two commands do all set-up on a fresh machine (Python 3.11+ and make):
#   make run    create .venv (the runtime lock, requirements.txt), migrate, serve ASGI on
#               127.0.0.1:$(PORT) + a django-q2 worker
#   make test   create .venv-dev (the development lock, requirements-dev.txt), run the whole suite
#               (embedded default, then PostgreSQL + Redis, then Django 6 on Python 3.12)
# and one for working on the code:
#   make dev    as make run, restarting the server and the worker when a .py file changes
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEV_VENV := .venv-dev
DEV_PY := $(DEV_VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
DEV_STAMP := $(DEV_VENV)/.installed-$(shell cksum requirements-dev.txt | cut -d' ' -f1)
# More workers than cores: much of a run waits on uvicorn, Chromium, node and pip subprocesses
# (on 2 cores, pass 1 took 6.5-7 min with 4 workers, 8.4 with 2).
PYTEST_WORKERS ?= 4

URL := http://realtime.agnost.app.localhost:$(PORT)

.PHONY: install install-dev run dev setup test test-embedded test-services test-django6 interop-deps browser-deps schema lock clean

# pip-sync semantics: a lock file installed into a virtualenv of its own, nothing else in it.
define install_lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@test -x $(1)/bin/python || { echo "Creating the virtualenv $(1)"; $(PYTHON) -m venv $(1); }
	@echo "Installing $(2) into $(1) (the first time takes a minute or two)"
	$(1)/bin/python -m pip install --disable-pip-version-check --progress-bar on -r $(2)
	@rm -f $(1)/.installed-*; touch $@
endef

$(STAMP): requirements.txt
	$(call install_lock,$(VENV),requirements.txt)

$(DEV_STAMP): requirements-dev.txt
	$(call install_lock,$(DEV_VENV),requirements-dev.txt)

install: $(STAMP)
install-dev: $(DEV_STAMP)

# Recompile the lock files after a change of pyproject.toml or the .in files (needs uv:
# pip install uv); versions already locked are kept unless UPGRADE=1.
UV ?= uv
lock:
	$(UV) pip compile pyproject.toml requirements.in --all-extras --python-version 3.11 \
		--annotation-style line $(if $(UPGRADE),--upgrade) -o requirements.txt
	$(UV) pip compile pyproject.toml requirements.in requirements-dev.in --all-extras --python-version 3.11 \
		--annotation-style line -c requirements.txt $(if $(UPGRADE),--upgrade) -o requirements-dev.txt

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

test: $(DEV_STAMP) interop-deps browser-deps
	@$(MAKE) --no-print-directory test-embedded
	@$(MAKE) --no-print-directory test-services
	@$(MAKE) --no-print-directory test-django6

test-embedded: $(DEV_STAMP)
	@echo "=== pass 1: embedded default (SQLite, LocMem, in-memory channel layer)"
	$(DEV_PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup
	@echo "=== pass 1b: agnost core and auth installed alone (tests.settings_minimal, tests marked minimal)"
	$(DEV_PY) -m pytest -m minimal --ds=tests.settings_minimal -q tests/test_minimal.py
	@echo "=== pass 1c: auth on a custom user model (tests.settings_custom_user, tests marked user_models)"
	$(DEV_PY) -m pytest -m user_models --ds=tests.settings_custom_user -q

test-services: $(DEV_STAMP)
	@if $(DEV_PY) tests/services.py; then \
		echo "=== pass 2: PostgreSQL + Redis (tests.settings_services)"; \
		$(DEV_PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --ds=tests.settings_services; \
	else \
		echo "=== pass 2 SKIPPED: PostgreSQL or Redis is not reachable (see above); CI has both."; \
	fi

# Django 6.x (needs Python 3.12+): pass 1 in a virtualenv of its own, the development lock
# with Django replaced.
# The first Python 3.12+ that runs: python3.12, python3.13, or one that pyenv installed but did
# not activate (its shims answer "command not found" then).
PYTHON312 ?= $(shell for p in python3.12 python3.13 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)
DJANGO6 ?= 6.1.3
D6_VENV := .venv-django6
D6_STAMP := $(D6_VENV)/.installed-$(shell cksum requirements-dev.txt | cut -d' ' -f1)-$(DJANGO6)

$(D6_STAMP): requirements-dev.txt
	@test -n "$(PYTHON312)" || { echo "Django 6 needs Python 3.12+: set PYTHON312=... (pyenv install 3.12, or python.org)"; exit 1; }
	@test -x $(D6_VENV)/bin/python || $(PYTHON312) -m venv $(D6_VENV)
	grep -iv '^django==' requirements-dev.txt > $(D6_VENV)/requirements.txt
	$(D6_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(D6_VENV)/requirements.txt "django==$(DJANGO6)"
	@rm -f $(D6_VENV)/.installed-*; touch $@

test-django6: $(D6_STAMP) interop-deps
	@echo "=== pass 3: Django $(DJANGO6) on $$($(D6_VENV)/bin/python -V), embedded default"
	$(D6_VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not package"

# Regenerate the committed OpenAPI snapshot after an intended API change.
schema: $(DEV_STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings $(DEV_PY) manage.py spectacular --urlconf agnost_django.urls --validate --fail-on-warn --file tests/snapshots/openapi.yaml

clean:
	rm -rf $(VENV) $(DEV_VENV) $(D6_VENV) tests/interop/node_modules db.sqlite3* test-artifacts .env
