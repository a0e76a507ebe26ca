# Two commands: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_ACCOUNTS ?= 5400
DEMO_SEED ?= 1

.PHONY: run test bench install migrate demo lint format clean-db

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --no-input

# Loads the demo district once: a database that already has accounts is left as it is.
demo: migrate
	$(PY) manage.py seed_district --accounts $(DEMO_ACCOUNTS) --seed $(DEMO_SEED) --if-empty
	$(PY) manage.py create_demo_users

# DEBUG is off (the district's own error pages; WhiteNoise serves the static files): `CISTERN_DEBUG=1 make run`
# for Django's debug pages while developing.
run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Every benchmark prints its figures against the issue's target; none fails on time.
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/exception_queue.py
	$(PY) bench/import_reads.py
	$(PY) bench/bill_run.py
	$(PY) bench/bill_pdfs.py
	$(PY) bench/payments.py
	$(PY) bench/lockbox.py
	$(PY) bench/collection_run.py
	$(PY) bench/reports.py --reuse  # then bench/home.py on its database
	$(PY) bench/conversion.py --reuse  # the demo's legacy export converted, parallel bills; 100,000 accounts on PostgreSQL

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-db:
	rm -f var/cistern.sqlite3 var/cistern.sqlite3-wal var/cistern.sqlite3-shm
