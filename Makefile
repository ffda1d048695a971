# The two commands of the README. Everything else is an implementation detail of these.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
DATA    ?= $(or $(KGTUTOR_DATA),../shared/data)
LPP     := $(DATA)/assist2009/lpp
STAMP   := $(VENV)/.installed
PORT    ?= 8000
CHROMIUM := /usr/bin/chromium
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test

demo: $(STAMP) node_modules/.installed
	$(BIN)/kgtutor graph start
	$(BIN)/kgtutor graph seed
ifneq ($(wildcard $(LPP)/q_mat.npz),)
	$(BIN)/kgtutor graph import assist2009 $(LPP)
	$(BIN)/kgtutor graph infer-prerequisites $(LPP)
	$(BIN)/kgtutor train irt --data $(LPP) --write-graph
	$(BIN)/kgtutor train bkt --data $(LPP) --write-graph
	$(BIN)/kgtutor train embed --data $(LPP)
	$(BIN)/kgtutor train bilstm --data $(LPP) --graph-init --epochs 3
	$(BIN)/kgtutor train progress --data $(LPP) --epochs 3
else
	@echo "no ASSISTments 2009 data at $(LPP): the demo curriculum with a simulated cohort (set KGTUTOR_DATA for real data)"
	$(BIN)/kgtutor graph simulate-cohort
endif
	$(BIN)/kgtutor profiles refresh
	$(BIN)/kgtutor adjust --once
	$(BIN)/kgtutor graph stats
	$(BIN)/kgtutor users demo
	$(BIN)/kgtutor serve --host 127.0.0.1 --port $(PORT)

test: $(STAMP) node_modules/.installed $(CHROMIUM)
	$(BIN)/ruff check .
	npm run --silent lint:cypher
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
