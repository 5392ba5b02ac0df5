# Kehou: two commands. `make demo` runs the site with a seeded demo district; `make test` runs every check.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced-$(shell sha1sum requirements.lock 2>/dev/null | cut -c1-12)
DEMO_SIZE ?= district
PG_URL ?= $(or $(TEST_DATABASE_URL),postgresql://postgres@127.0.0.1:5432/kehou)
# The settings fail closed (no DJANGO_ENV = production); these commands are development and tests.
export DJANGO_ENV ?= development
PURE_TESTS := tests/solver tests/allocation/engine
# The two database runs go side by side (`test-dbs`), so the slow page-level suites are split between
# them instead of run twice: the crawl of every page as every demo role on SQLite; the browser tests
# (Chromium) split so the two runs end together — the phone walk and the phone and English pages on
# PostgreSQL, the production database, the other browser journeys on SQLite. Every other test runs on
# both. `make test-sqlite FULL=1` / `make test-postgres FULL=1` run everything.
BROWSER_ON_POSTGRES := $(addprefix tests/browser/,test_walk_browser.py test_english_browser.py \
	test_teacher_phone_browser.py test_parent_home_browser.py test_enrollment_parent.py test_gate_browser.py)
BROWSER_ON_SQLITE := $(filter-out $(BROWSER_ON_POSTGRES),$(wildcard tests/browser/test_*.py))
SQLITE_ONLY := $(if $(FULL),,$(addprefix --ignore=,$(BROWSER_ON_POSTGRES)))
POSTGRES_ONLY := $(if $(FULL),,--ignore=tests/demo/test_crawl.py $(addprefix --ignore=,$(BROWSER_ON_SQLITE)))

.PHONY: demo test venv system-deps lint checks test-dbs test-sqlite test-postgres test-pure run migrate seed messages lock

venv: $(STAMP)

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv
	@$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	@rm -f $(VENV)/.synced-* && touch $@

lock:  ## re-pin every dependency after editing pyproject.toml
	$(BIN)/uv pip compile -q pyproject.toml --extra dev -o requirements.lock --python-version 3.11

migrate: venv
	@$(BIN)/python manage.py migrate --noinput -v0 || { echo "migrate failed: a database made before the migrations were reset (2026-12-06) must be deleted: rm var/kehou.sqlite3*"; exit 1; }

seed: migrate
	@$(BIN)/python manage.py seed_demo --size $(DEMO_SIZE) --timetables demo

demo: seed
	@echo "Kehou 课后 → http://127.0.0.1:8000  (Ctrl-C stops the site and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/python manage.py worker --interval 0.5 --no-reload & \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000 --noreload

# --- tests ---------------------------------------------------------------------------------------
system-deps:  ## Debian packages the tests need: Chromium, a CJK font, gettext, wrk
	@missing=""; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	  command -v wrk >/dev/null || missing="$$missing wrk"; \
	  fc-list 2>/dev/null | grep -qi "noto sans cjk\|wqy" || missing="$$missing fonts-noto-cjk"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

checks: venv
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv
	@git diff --quiet -- locale || (echo "compiled catalogue differs from git: commit locale/*.mo"; exit 1)
	@test -z "$$(msgattrib --only-fuzzy --no-obsolete locale/zh_Hans/LC_MESSAGES/django.po)" \
	  || (echo "fuzzy entries in the zh_Hans catalogue (left out of the .mo): review them"; exit 1)
	@test -z "$$(msgattrib --untranslated --no-obsolete locale/zh_Hans/LC_MESSAGES/django.po | grep -v '^#' | sed 1,2d)" \
	  || (echo "untranslated entries in the zh_Hans catalogue"; exit 1)

test-pure: venv  ## the pure solver and allocation packages, without Django settings
	$(BIN)/python -m pytest -p no:django -p no:cacheprovider -W ignore::pytest.PytestConfigWarning $(PURE_TESTS)

test-sqlite: venv
	@echo "=== Django suite on SQLite ==="
	DJANGO_ENV=test $(BIN)/python -m pytest -p no:cacheprovider --ignore=tests/solver --ignore=tests/allocation/engine $(SQLITE_ONLY)

test-postgres: venv
	@if pg_isready -q -d "$(PG_URL)" 2>/dev/null || $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "=== Django suite on PostgreSQL ($(PG_URL)) ==="; \
	  DJANGO_ENV=test DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -p no:cacheprovider --ignore=tests/solver --ignore=tests/allocation/engine $(POSTGRES_ONLY); \
	elif [ -n "$$KEHOU_REQUIRE_POSTGRES" ]; then \
	  echo "!!! PostgreSQL at $(PG_URL) is not reachable and KEHOU_REQUIRE_POSTGRES is set"; exit 1; \
	else \
	  echo "!!! PostgreSQL SKIPPED: nothing reachable at $(PG_URL) (set TEST_DATABASE_URL)"; \
	fi

# The two database suites are independent (own test databases, own live servers on free ports), so they
# run side by side, one per core; each suite's output is printed whole when it ends.
test-dbs: venv
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test: system-deps venv lint checks test-pure test-dbs
	@echo "make test: all checks passed"
