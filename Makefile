# Two commands set everything up: `make run` (the app with demo data) and `make test`
# (the whole test suite). Both are idempotent. Without DATABASE_URL both run on a
# PostgreSQL server from a pip wheel, its data under var/postgres, started by the first
# command that needs it and stopped when the last one ends (config/embedded_db.py).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench clean messages browser

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the pinned dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

var:
	mkdir -p var

# The Russian UI: compiled .mo files are committed; rebuild them when gettext is here.
messages: $(STAMP)
	@if command -v msgfmt >/dev/null; then \
		$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0; \
	fi

run: $(STAMP) messages | var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@# A background worker takes the large imports and sends the e-mails: started again
	@# if it ever stops, and stopped with the server.
	( trap 'kill $$child 2>/dev/null; exit 0' INT TERM; \
		while :; do $(BIN)/python manage.py run_worker --queue-name "*" & child=$$!; \
			wait $$child; sleep 2; done ) & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The browser tests drive Debian's Chromium: installed here when missing and we may.
browser:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Chromium for the browser tests (apt-get)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing: install it (apt-get install chromium) to run the browser tests"; \
		fi; }

test: $(STAMP) messages browser | var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The scale benchmark (benchmarks/README.md): needs PostgreSQL, reached through BENCH_PG
# (default postgres://postgres@127.0.0.1:5432); creates and drops its own databases.
bench: $(STAMP) | var
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
