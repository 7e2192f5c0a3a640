# Broadsheet: `make demo` serves the site with demo content; `make test` runs everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV     := .venv
PY       := $(VENV)/bin/python
PORT     ?= 8000
WORKERS  ?= 2
STAMPS   := var/stamps

.PHONY: help demo serve test pytest test-fast lint lint-js test-js audit format setup install assets static migrate demo-data browser bench bench-import bench-live clean messages screenshots

help:
	@echo "make demo   set everything up and serve the demo site at http://127.0.0.1:$(PORT)"
	@echo "make test   set everything up and run linters and the whole test suite"
	@echo "make bench  run the benchmarks in bench/ (see bench/README.md)"
	@echo "make bench-import  time a 1,000,000-comment Disqus import (COMMENTS=... to change)"

# --- set-up, each step skipped when already done --------------------------------------

$(STAMPS):
	@mkdir -p $(STAMPS)

$(VENV)/bin/python:
	@PYTHON_BIN=$$(scripts/find-python.sh) || exit 1; \
	echo "Creating $(VENV) with $$PYTHON_BIN"; \
	"$$PYTHON_BIN" -m venv $(VENV)

$(STAMPS)/install: requirements.lock pyproject.toml $(VENV)/bin/python | $(STAMPS)
	@$(PY) -m pip --version >/dev/null
	@$(VENV)/bin/pip install -q --disable-pip-version-check uv
	@$(VENV)/bin/uv pip install -q -p $(PY) -r requirements.lock
	@$(VENV)/bin/uv pip install -q -p $(PY) --no-deps -e .
	@touch $@

install: $(STAMPS)/install

$(STAMPS)/assets: package.json package-lock.json | $(STAMPS)
	@command -v npm >/dev/null || { echo "npm is needed for front-end libraries (install Node.js 20+)"; exit 1; }
	@npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p var/assets/vendor
	@cp node_modules/htmx.org/dist/htmx.min.js var/assets/vendor/htmx.min.js
	@touch $@

assets: $(STAMPS)/assets

static: install assets
	@$(PY) manage.py collectstatic --noinput -v0

migrate: install
	@$(PY) manage.py migrate --noinput -v0

setup: install assets static migrate

demo-data: setup
	@BROADSHEET_DEMO=true $(PY) manage.py load_demo
	@BROADSHEET_DEMO=true $(PY) manage.py register_demo_embed

# --- the two commands ----------------------------------------------------------------

demo: demo-data
	@BROADSHEET_DEMO=true PORT=$(PORT) WORKERS=$(WORKERS) scripts/serve.sh

serve: setup
	@PORT=$(PORT) WORKERS=$(WORKERS) scripts/serve.sh

browser:
	@scripts/ensure-chromium.sh

test: install assets static browser lint test-js
	@$(VENV)/bin/pytest $(PYTEST_ARGS)

# The front end's unit tests: Node's own test runner, happy-dom for the DOM (frontend/tests/).
test-js: assets
	@node --test frontend/tests/*.test.mjs

pytest: install assets static browser
	@$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: install assets static
	@$(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

# Known vulnerabilities (pip-audit, npm audit), bandit and Lighthouse (scripts/audit.sh),
# then the screenshots of the article and its discussion in English and Arabic
# (docs/screenshots/, as `make screenshots`), so a look at the pages comes with each audit.
audit: install assets browser
	@PY=$(PY) scripts/audit.sh
	@$(PY) scripts/screenshots.py

lint: install lint-js
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports
	@$(VENV)/bin/mypy broadsheet config

lint-js: assets
	@npx --no-install eslint --max-warnings 0 .

format: install
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

bench: setup
	@$(PY) bench/run.py

# The interface's message catalogues (broadsheet/locale/<language>/LC_MESSAGES): every
# string marked in templates, Python and the scripts extracted (makemessages), then
# compiled (compilemessages). The compiled .mo files are committed, so a fresh clone runs
# and tests without gettext; only this target needs GNU gettext (Debian: `gettext`).
# docs/languages.md says how to add a language.
LANGUAGES_SHIPPED := ar es
MESSAGES_IGNORE := --ignore='.venv/*' --ignore='node_modules/*' --ignore='var/*' \
	--ignore='*/tests/*' --ignore='tests/*' --ignore='bench/*' --ignore='docs/*' --ignore='deploy/*'
messages: install
	@command -v msgfmt >/dev/null || { echo "make messages needs GNU gettext (Debian: apt-get install gettext)"; exit 1; }
	@$(PY) manage.py makemessages $(addprefix -l ,$(LANGUAGES_SHIPPED)) -e html,txt,py \
		--no-obsolete --add-location=file $(MESSAGES_IGNORE) -v0
	@$(PY) manage.py makemessages -d djangojs $(addprefix -l ,$(LANGUAGES_SHIPPED)) -e js \
		--no-obsolete --add-location=file $(MESSAGES_IGNORE) --ignore='frontend/tests/*' -v0
	@$(PY) manage.py compilemessages $(addprefix -l ,$(LANGUAGES_SHIPPED)) $(MESSAGES_IGNORE) -v0

# Screenshots of an article with its discussion, 360 and 1280 px wide, English and Arabic,
# into docs/screenshots/ (scripts/screenshots.py starts its own server on a demo copy).
screenshots: setup browser
	@$(PY) scripts/screenshots.py

COMMENTS ?= 1000000
bench-import: setup
	@$(PY) bench/import_disqus.py --comments $(COMMENTS)

clean:
	rm -rf $(VENV) node_modules var/static var/assets $(STAMPS)

# Live fan-out through nginx + Nchan and the app, as deployed (bench/live.py; --engine
# pushpin for Pushpin; small by default, see bench/README.md).
bench-live: setup
	@$(PY) bench/live.py $(BENCH_LIVE_ARGS)
