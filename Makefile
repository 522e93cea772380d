# Two commands: `make run` (the app with demo data and SLA workers) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SMTP_PORT ?= 2525

.PHONY: run test lint check-deploy clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

var:
	mkdir -p var/broker/out var/broker/processed var/broker/control

# Serves on http://$(HOST):$(PORT) with a Celery worker and beat beside it, and takes mail in on
# SMTP at $(HOST):$(SMTP_PORT); Ctrl-C stops them all (manage.py serve, recovery/supervisor.py).
run: $(BIN)/.installed var
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py sla_demo
	DEBUG=$${DEBUG:-1} exec $(BIN)/python manage.py serve --host $(HOST) --port $(PORT) --smtp-port $(SMTP_PORT)

test: $(BIN)/.installed var
	$(BIN)/python -m pytest -q --create-db -n 2

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-deploy: $(BIN)/.installed
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=recovery.example \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var
