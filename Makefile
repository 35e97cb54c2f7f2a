# The two commands of the quick start are `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE ?= config.settings.development

.PHONY: run test test-dates faults mutation lint format bench screenshots demo-data migrate install install-dev npm clean help

help:
	@echo "make run    - install, migrate, load the synthetic Northamptonshire demo, start web + worker + beat"
	@echo "make test   - the whole test suite (browser and Redis tests skip without Chromium/Redis unless CI=true)"
	@echo "make test-dates - the date-dependent tests at each hard date (Christmas, Easter, 29 February, clock changes...)"
	@echo "make faults - pull plugs on real processes (needs DATABASE_URL=postgres://..., redis-server); writes docs/reliability.md"
	@echo "make lint   - ruff, mypy, import-linter (the layers), bandit and pip-audit"
	@echo "make bench  - national-scale benchmarks; writes docs/performance.md"
	@echo "make mutation - mutmut on the need-to-know rules, the statistics and the state-change services (MUTANTS='need_to_know.*' for one area)"

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt constraints.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

npm: node_modules/.installed
	$(PY) scripts/copy_frontend_assets.py

migrate: install npm
	$(PY) manage.py migrate --no-input

demo-data: migrate
	$(PY) manage.py load_demo --area northamptonshire --seed 2025

run: demo-data
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) scripts/run_all.py

# Two processes for everything that can share the machine (each file stays on one worker; a transactional test's
# emptied tables get their reference data back before the next test, see conftest.py); then, one at a time, the
# tests that start and stop real servers (fault tests) or use the machine's Redis. Exit status 5 ("no tests
# selected", e.g. with a PYTEST_ARGS=-k that matches none of them) is not a failure.
TEST_PROCESSES ?= 2
test: install-dev npm
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile -m "not faults and not redis" $(PYTEST_ARGS)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -m "faults or redis" $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The date-dependent tests (marked `calendar`) once at each hard date of tests/hard_dates.py (browser journeys at three).
test-dates: install-dev npm
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -m calendar --hard-dates -n $(TEST_PROCESSES) $(PYTEST_ARGS)

# The fault tests alone, on PostgreSQL, writing each run's figures to docs/reliability.md (they also run in `make test`).
faults: install-dev
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL=postgres://... (the fault tests need PostgreSQL)"; exit 1; }
	FAULTS_REPORT=1 CI=true DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest tests/faults -m faults $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -q -c pyproject.toml -r config mappa_workflow need_to_know referrals meetings case_reviews reporting notifications oversight release_planning level_one transfers victims api web administration
	@# --strict: a package that could not be audited is a failure. Tolerated (with a warning) only when
	@# PyPI's vulnerability data is unreachable from this machine, so an offline run never passes silently.
	@$(VENV)/bin/pip-audit -r requirements.txt --progress-spinner off --strict $(PIP_AUDIT_ARGS); status=$$?; \
	if [ $$status -ne 0 ] && ! $(PY) -c "import urllib.request; urllib.request.urlopen('https://pypi.org/pypi/pip-audit/2.10.1/json', timeout=10)" >/dev/null 2>&1; then \
	  echo "WARNING: PyPI's vulnerability data is unreachable (network): dependencies were NOT audited"; exit 0; fi; exit $$status

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Mutation testing (docs/contributing.md, "Mutation testing"): mutmut mutates the modules listed under
# [tool.mutmut] in pyproject.toml and runs, for each mutant, the focused SQLite tests that reach the mutated
# function. MUTANTS narrows the run to names matching a pattern (e.g. MUTANTS='reporting.*'); results are kept
# in mutants/ and only changed code is tested again. The score per module is printed at the end.
# MUTATION_DATABASE_URL=postgres://... also runs the survivors of PostgreSQL-only code on PostgreSQL
# (scripts/mutation_on_postgresql.py; give it a database no other run uses).
MUTATION_CHILDREN ?= 2
mutation: install-dev npm
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) $(MUTANTS)
	@if [ -n "$(MUTATION_DATABASE_URL)" ]; then DATABASE_URL="$(MUTATION_DATABASE_URL)" $(PY) scripts/mutation_on_postgresql.py; fi
	$(PY) scripts/mutation_score.py --survivors

bench: install-dev npm
	$(PY) benchmarks/run.py

screenshots: install-dev npm
	$(PY) scripts/screenshots.py

clean:
	rm -rf var/ node_modules/ static/govuk/
