# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
PLANNER_ADDR ?= 127.0.0.1:8000
export PLANNER_ADDR
# `make test` runs the tests on both cores (pytest-xdist; each worker has its own test
# database and Redis database, tests/parallel.py). PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= 2

.PHONY: install run dev test lint format bench clean messages

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(STAMP)

# `make run` serves through gunicorn (Procfile, clinic/gunicorn_conf.py; WEB_CONCURRENCY
# workers, default 2); `make dev` through Django's development server, which reloads on
# every code change (Procfile.dev). Both run the worker and beat beside it.
run: PROCFILE := Procfile
dev: PROCFILE := Procfile.dev
run dev: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "The planner is at http://$(PLANNER_ADDR)/ (Ctrl-C stops the web server, worker and beat)."
	@echo "Database: $${DATABASE_URL:-SQLite in $${VAR_DIR:-var}/db.sqlite3}; broker: $${REDIS_URL:-files in $${VAR_DIR:-var}/broker/}; e-mail: $${EMAIL_HOST:-files in $${VAR_DIR:-var}/outbox/}"
	@echo
	$(BIN)/honcho start -f $(PROCFILE) || true

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make messages` refreshes the translation catalogues (locale/<lang>/LC_MESSAGES/django.po)
# from the code and templates, then compiles them (.mo, committed, so `make run` needs no
# gettext). Needs GNU gettext (Debian: apt-get install gettext). English is the source.
MESSAGE_LOCALES := ru de uk
messages: install
	$(BIN)/python manage.py makemessages $(foreach l,$(MESSAGE_LOCALES),--locale $(l)) \
		--no-obsolete --add-location file \
		--ignore 'bench/*' --ignore 'tests/*' --ignore 'var/*' --ignore 'static/*' --ignore 'control/*'
	$(BIN)/python manage.py compilemessages $(foreach l,$(MESSAGE_LOCALES),--locale $(l)) \
		--ignore '.venv/*' --ignore 'var/*'

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
