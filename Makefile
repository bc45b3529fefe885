# 公开承诺管理系统: `make run` serves the demo site, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install migrate lint format worker beat clean bench prod-check

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（找不到 $(PYTHON)）"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo --size small --if-empty
	$(PY) manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Tests run in parallel, one worker per core (PYTEST_WORKERS=0 runs them in one process); more options in PYTEST_ARGS.
PYTEST_WORKERS ?= auto

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

worker: $(STAMP)
	$(VENV)/bin/celery -A pledge_site worker --loglevel=info

beat: $(STAMP)
	$(VENV)/bin/celery -A pledge_site beat --loglevel=info

# Benchmarks on PostgreSQL + Redis with the county data (see bench/README.md).
bench: $(STAMP)
	$(PY) manage.py bench $(BENCH_ARGS)

# Production settings check, migrations check and a smoke request (see docs/deploy.md).
prod-check: $(STAMP)
	bash deploy/prod-check.sh

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
