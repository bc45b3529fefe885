# 公开承诺管理系统: `make run` serves the demo site, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Both requirement files (what production runs, and the test and lint tools): `make install`, and every target
# below that needs the virtualenv. Only requirements.txt: `make install-runtime`, for a server (docs/deploy.md).
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
# The settings default to DEBUG off (production). The development targets turn it on unless the environment says
# otherwise (e.g. `DEBUG=0 SECRET_KEY=… SIGNATURE_KEY=… make worker`); `make run` always turns it on.
DEV := DEBUG=$${DEBUG:-1}

.PHONY: run test install install-runtime migrate lint format worker beat clean bench prod-check

define make_venv
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（找不到 $(PYTHON)）"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
endef

$(STAMP): requirements.txt requirements-dev.txt
	$(make_venv)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $(STAMP) $(RUNTIME_STAMP)

$(RUNTIME_STAMP): requirements.txt
	$(make_venv)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $(RUNTIME_STAMP)

install: $(STAMP)

install-runtime: $(RUNTIME_STAMP)

migrate: $(STAMP)
	$(DEV) $(PY) manage.py migrate --noinput

run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --size small --if-empty
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Tests run in parallel, one worker per core (PYTEST_WORKERS=0 runs them in one process); more options in PYTEST_ARGS.
# A worker that runs out of tests takes some from the other's queue (worksteal), so the long browser journeys do
# not leave one core idle at the end.
PYTEST_WORKERS ?= auto

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

worker: $(STAMP)
	$(DEV) $(VENV)/bin/celery -A pledge_site worker --loglevel=info

beat: $(STAMP)
	$(DEV) $(VENV)/bin/celery -A pledge_site beat --loglevel=info

# Benchmarks on PostgreSQL + Redis with the county data (see bench/README.md).
bench: $(STAMP)
	$(DEV) $(PY) manage.py bench $(BENCH_ARGS)

# Production settings check, migrations check and a smoke request (see docs/deploy.md); needs only requirements.txt.
prod-check: $(RUNTIME_STAMP)
	bash deploy/prod-check.sh

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
