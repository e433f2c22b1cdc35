# Atelier. `make run` serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 5000
PYTEST_FLAGS ?= -q -p no:cacheprovider
export FLASK_APP := wsgi

.PHONY: run test test-serial test-sqlite test-postgres test-browser test-a11y lint format bench bench-load bench-soak translations venv venv-run system-deps clean

# `make run` installs what production runs (requirements.txt); the tests and
# tools install requirements-dev.txt on top of it.
$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv-run: $(BIN)/.installed

venv: $(BIN)/.installed-dev

run: venv-run
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask keys create --if-missing
	@echo
	@echo "Atelier is serving on http://127.0.0.1:$(PORT)"
	@echo "Demo sign-ins (demo data only), password atelier-demo:"
	@echo "  admin@example.org        administrator"
	@echo "  coordinator@example.org  workshop coordinator"
	@echo "  trainer@example.org      trainer"
	@echo "  participant@example.org  participant"
	@echo
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

system-deps:
	bash .ci/system-deps.sh

# Two lanes side by side (one per core): SQLite then the browser journeys, and
# PostgreSQL. Each lane writes a log, printed when both are done; the target
# fails if either lane fails.
test: venv system-deps
	@logs=$$(mktemp -d); \
	echo "== two lanes: SQLite then browser, and PostgreSQL (logs follow when both end)"; \
	( $(MAKE) --no-print-directory test-sqlite test-browser ) > $$logs/sqlite-browser.log 2>&1 & lane_a=$$!; \
	$(MAKE) --no-print-directory test-postgres > $$logs/postgres.log 2>&1 & lane_b=$$!; \
	wait $$lane_a; status_a=$$?; wait $$lane_b; status_b=$$?; \
	cat $$logs/sqlite-browser.log $$logs/postgres.log; rm -rf $$logs; \
	echo "== SQLite and browser: $$( [ $$status_a -eq 0 ] && echo passed || echo FAILED ); PostgreSQL: $$( [ $$status_b -eq 0 ] && echo passed || echo FAILED )"; \
	[ $$status_a -eq 0 ] && [ $$status_b -eq 0 ]

test-serial: venv system-deps
	$(MAKE) --no-print-directory test-sqlite test-postgres test-browser

test-sqlite: venv
	@echo "== unit and integration tests on SQLite"
	$(BIN)/pytest $(PYTEST_FLAGS) tests --ignore=tests/browser

# With a throw-away Redis too: the two-node test (tests/scaleout) runs here.
test-postgres: venv
	@echo "== unit and integration tests on PostgreSQL and Redis"
	ATELIER_REQUIRE_TWO_NODES=1 bash .ci/with-postgres.sh bash .ci/with-redis.sh $(BIN)/pytest $(PYTEST_FLAGS) tests --ignore=tests/browser

# The npm packages the browser tests load from disk (axe-core), as locked.
tests/browser/node_modules/.installed: tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

test-browser: venv tests/browser/node_modules/.installed
	@echo "== browser tests in headless Chromium"
	$(BIN)/pytest $(PYTEST_FLAGS) tests/browser

# The whole accessibility sweep: every page of every role in every language
# at both widths (make test checks each page in one of the six, in turn).
test-a11y: venv tests/browser/node_modules/.installed
	ATELIER_A11Y_FULL=1 $(BIN)/pytest $(PYTEST_FLAGS) tests/browser/test_accessibility.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# The architecture (pyproject.toml [tool.importlinter]) and the types.
	$(BIN)/lint-imports
	$(BIN)/mypy
	@# --strict: a package pip-audit cannot audit fails the audit instead of being
	@# skipped under "No known vulnerabilities found"; the grep is the backstop.
	@$(BIN)/pip-audit --strict --progress-spinner off -r requirements.txt -r requirements-dev.txt \
	  2>&1 | tee $(VENV)/pip-audit.log; status=$${PIPESTATUS[0]}; \
	if grep -qiE "skip|could not be audited" $(VENV)/pip-audit.log; then \
	  echo "make lint: pip-audit could not audit every package (above): its vulnerability service did not answer for them, so nothing was proven safe." >&2; \
	  exit 1; fi; \
	if [ $$status -ne 0 ]; then \
	  echo "make lint: pip-audit failed: known vulnerabilities, requirements it could not resolve, or a vulnerability service it could not reach (above)." >&2; fi; \
	exit $$status

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# bench_load.py needs its own servers and minutes: `make bench-load`, below.
bench: venv
	@for script in bench/bench_*.py; do [ $$script = bench/bench_load.py ] && continue; \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Load: two gunicorn nodes on a throw-away PostgreSQL and Redis, the full
# programme (bench/generate.py, SCALE=1: 100,000 participants), LOAD_USERS
# simulated people for DURATION minutes (locust, pinned in
# bench/requirements.txt and installed here, not by `make run`). The soak
# runs SOAK_MINUTES and fails if a worker's memory grows by more than 20 %.
DURATION ?= 5
SOAK_MINUTES ?= 30
LOAD_USERS ?= 50
SCALE ?= 1
LOAD_FLAGS ?=
LOCUST_PIN = $$(grep -E '^locust==' bench/requirements.txt)

bench-load: venv system-deps
	$(BIN)/pip install --quiet --disable-pip-version-check "$(LOCUST_PIN)"
	bash .ci/with-postgres.sh bash .ci/with-redis.sh $(BIN)/python bench/bench_load.py \
	  --minutes $(DURATION) --users $(LOAD_USERS) --scale $(SCALE) $(LOAD_FLAGS)

bench-soak: venv system-deps
	$(BIN)/pip install --quiet --disable-pip-version-check "$(LOCUST_PIN)"
	bash .ci/with-postgres.sh bash .ci/with-redis.sh $(BIN)/python bench/bench_load.py \
	  --minutes $(SOAK_MINUTES) --users $(LOAD_USERS) --scale $(SCALE) --soak $(LOAD_FLAGS)

translations: venv
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k lazy_ngettext:1,2 -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
