# scout: `make run` serves the app with demo data; `make test` runs the whole test suite.
# Without SCOUT_DATABASE_URL `make run` uses a private, durable PostgreSQL cluster under
# instance/postgres (password in instance/postgres-password); without SCOUT_TEST_DATABASE_URL
# the tests use a second one, instance/postgres-test (socket only, fsync off: test data only).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PRIVATE_DB := $(shell sh scripts/pg.sh url scout)
PRIVATE_TEST_DB := $(shell SCOUT_PG_CLUSTER=test sh scripts/pg.sh url scout_test)
export SCOUT_DATABASE_URL ?= $(PRIVATE_DB)
export SCOUT_TEST_DATABASE_URL ?= $(PRIVATE_TEST_DB)
# Where `make run` serves the app (`make load` has SCOUT_LOAD_PORT and SCOUT_LOAD_PG_PORT).
SCOUT_HOST ?= 127.0.0.1
SCOUT_PORT ?= 5000
export FLASK_APP := scout
# A secret kept under instance/ (never committed), made on first use.
# Readable by its owner only (umask 077; older copies are tightened on the next make).
export SCOUT_SECRET_KEY ?= $(shell mkdir -p instance; test -s instance/secret_key || \
  (umask 077; python3 -c "import secrets; print(secrets.token_hex(32))" > instance/secret_key); \
  chmod 600 instance/secret_key; cat instance/secret_key)
# The key that encrypts people's homes (a Fernet key; comma-separate several to rotate, the
# first encrypts: docs/people.md), kept the same way in instance/people_key.
export SCOUT_PEOPLE_KEY ?= $(shell mkdir -p instance; test -s instance/people_key || \
  (umask 077; python3 -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())" > instance/people_key); \
  chmod 600 instance/people_key; cat instance/people_key)

.PHONY: run test setup deps venv db test-db migrate data translations messages bench bench-city lint format clean-db tour

setup: deps venv translations db

deps:
	@sh scripts/system-deps.sh

venv: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	@$(BIN)/pip install -q --upgrade pip
	@$(BIN)/pip install -q -e '.[test,bench]'
	@touch $@

translations: venv
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile -d translations 2>&1 | grep -v "^compiling" || true; fi

# Re-extract UI strings and merge them into every catalogue (then translate, then commit).
messages: venv
	@$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k plural_forms:1,2 --no-location --sort-output \
	  -o translations/messages.pot .
	@for l in it en ar es fr; do \
	  if [ -f translations/$$l/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i translations/messages.pot -d translations -l $$l --no-fuzzy-matching; \
	  else $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$l; fi; done

db:
	@if [ "$$SCOUT_DATABASE_URL" = "$(PRIVATE_DB)" ]; then sh scripts/pg.sh start; fi
	@$(BIN)/python scripts/ensure_db.py "$$SCOUT_DATABASE_URL"

# The tests' cluster (the test session drops and re-creates its database itself).
test-db:
	@if [ "$$SCOUT_TEST_DATABASE_URL" = "$(PRIVATE_TEST_DB)" ]; then \
	  SCOUT_PG_CLUSTER=test sh scripts/pg.sh start; fi

migrate: setup
	@$(BIN)/flask db upgrade heads

data: migrate
	@$(BIN)/flask geo load
	@$(BIN)/flask demo load
	@$(BIN)/flask geo ensure-network

run: data
	@echo "scout on http://$(SCOUT_HOST):$(SCOUT_PORT)  (Ctrl-C to stop)"
	@SCOUT_SESSION_COOKIE_SECURE=false SCOUT_REMEMBER_COOKIE_SECURE=false \
	  $(BIN)/flask run --host $(SCOUT_HOST) --port $(SCOUT_PORT)

test: setup test-db
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

# Screenshots of every page of every audience at phone, tablet and laptop size, in Italian and
# Arabic, into instance/tour/ (open instance/tour/index.html). Its own database, re-created.
tour: setup
	@SCOUT_TOUR_DATABASE_URL=$$(sh scripts/pg.sh url scout_tour) $(BIN)/python scripts/tour.py

# Speed benches (README, Walking network); bench/load.py is `make load`, netgen.py their network.
BENCHES = bench/walking.py bench/search.py bench/public_map.py bench/tiles.py
bench: setup test-db
	@for b in $(BENCHES); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The whole Comune di Milano (all nine municipi, ~135,000 junctions, 50,000 places; ~10 min),
# then the memory of 1 and 4 gunicorn workers on it.
bench-city: setup test-db
	@$(BIN)/python bench/walking.py --city --origins 300 && $(BIN)/python bench/workers.py

# Load and fault bench (docs/operations.md): its own PostgreSQL cluster, port 54339
# (SCOUT_LOAD_PG_PORT), gunicorn on 8731 (SCOUT_LOAD_PORT).
load: setup
	@$(BIN)/python bench/load.py $(LOAD_ARGS)

lint: venv
	@$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports --no-cache

format: venv
	@$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean-db:
	@sh scripts/pg.sh stop; rm -rf "$$(readlink -f instance/postgres)" instance/postgres \
	  instance/postgres-password
	@SCOUT_PG_CLUSTER=test sh scripts/pg.sh stop
	@rm -rf "$$(readlink -f instance/postgres-test)" instance/postgres-test
