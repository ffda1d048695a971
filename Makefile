# The two commands of the README. Everything else is an implementation detail of these.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
DATA    ?= $(or $(KGTUTOR_DATA),../shared/data)
STAMP   := $(VENV)/.installed
PORT    ?= 8000
CHROMIUM := /usr/bin/chromium
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo demo-setup test

# With ASSISTments 2009 under $(DATA) it is loaded and trained on; without it, the demo
# curriculum gets a simulated historical cohort and the models train on that (docs/data-import.md)
demo: demo-setup
	$(BIN)/kgtutor serve --host 127.0.0.1 --port $(PORT)

demo-setup: $(STAMP) node_modules/.installed
	$(BIN)/kgtutor graph start
	KGTUTOR_DATA=$(DATA) $(BIN)/kgtutor demo setup

test: $(STAMP) node_modules/.installed $(CHROMIUM)
	$(BIN)/ruff check .
	npm run --silent lint:cypher
	npm run --silent lint:js
	$(BIN)/pytest

# torch first and pinned: it comes from a CPU wheel on disk; anything that depends on torch
# installed without the pin would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet torch==2.13.0 -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# the page tests drive Debian's chromium (Playwright never downloads a browser here)
$(CHROMIUM):
	$(SUDO) apt-get install -y --no-install-recommends chromium \
	  || ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)
