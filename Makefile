# The two commands a newcomer needs: `make run` and `make test` (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

# The tests always run against real PostgreSQL and Redis: local defaults, or the environment's.
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
TEST_BROKER_URL ?= $(or $(CELERY_BROKER_URL),redis://127.0.0.1:6379/15)

.PHONY: install run setup test reliability lint format lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install setup
	$(BIN)/python scripts/run_embedded.py

# What `make run` does before it serves, each step idempotent and asking the database of
# DATABASE_URL (not the checkout): the schema, the cache table (the throttles every process
# shares when there is no Redis), the static files, and the Loire demo (load_demo adds only what
# is missing, then prints the accounts and the partners' links).
setup: install
	mkdir -p "$${VAR_DIR:-var}"
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_demo

# Two pytest-xdist workers (TEST_WORKERS=0: one process), each on its own test database and its
# own Redis database (the next one after TEST_BROKER_URL's: tests/settings.py); the tests of one
# module run in one worker (--dist loadfile: its module-scoped fixtures are built once).
TEST_WORKERS ?= 2

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DATABASE_URL="$(TEST_DATABASE_URL)" CELERY_BROKER_URL="$(TEST_BROKER_URL)" \
		$(BIN)/python -m pytest -m "not proof" -n $(TEST_WORKERS) --dist loadfile --durations=10 \
		$(PYTEST_ARGS)

# The proof runs, minutes each, so kept out of `make test` (CI runs both): 20 clients mixing
# reads and writes for 60 s, and schemathesis's 2,240 requests against the OpenAPI document.
reliability: install
	DATABASE_URL="$(TEST_DATABASE_URL)" CELERY_BROKER_URL="$(TEST_BROKER_URL)" \
		$(BIN)/python -m pytest -m proof $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks, not tests (8 to 15 min; BENCH_ARGS="--quick" or "--only api,transitions" for less):
# figures into docs/benchmarks.md. A scratch database
# (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/caf_bench) is created and
# dropped, and a private redis-server is started: the machine's Redis is not touched.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Regenerate the lock file after changing pyproject.toml.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
