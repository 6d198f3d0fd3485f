# One task runner for people and CI. `make test` sets everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Material prints a banner about MkDocs 2.0 on every build: known and handled (mkdocs is
# pinned at 1.6.1 and our rendering is plain functions; see README).
export NO_MKDOCS_2_WARNING := 1

.PHONY: all install test lint format typecheck check golden site serve run bench browser-deps mathjax-deps clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium (apt, ~115 packages) and serve MathJax 3 from the
# npm registry. `make test` installs both when missing and says so; BROWSER=0 skips both (the
# browser tests then skip, each with its reason). Where apt or npm is absent, a line says why.
BROWSER ?= 1
MATHJAX_DIR := .cache/mathjax

browser-deps:
ifeq ($(BROWSER),0)
	@echo "BROWSER=0: not installing chromium (the browser tests skip where it is absent)"
else
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium for the browser tests (skip: make test BROWSER=0)"; \
	  command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium not installed: browser tests will skip"; }
endif

# The site loads MathJax from a CDN; the browser test serves this copy with Playwright's route.
mathjax-deps:
ifeq ($(BROWSER),0)
	@echo "BROWSER=0: not fetching MathJax (the browser math check skips where it is absent)"
else
	@test -f $(MATHJAX_DIR)/package/es5/tex-mml-chtml.js || { \
	  echo "installing MathJax 3 from npm for the browser tests (skip: make test BROWSER=0)"; \
	  command -v npm >/dev/null 2>&1 && \
	  mkdir -p $(MATHJAX_DIR) && (cd $(MATHJAX_DIR) && npm pack --silent mathjax@3 >/dev/null && \
	  tar xzf mathjax-3*.tgz) || echo "npm/mathjax unavailable: the browser test skips its math check"; }
endif

test: $(STAMP) browser-deps mathjax-deps lint typecheck
	$(BIN)/pytest -q -n auto

lint: $(STAMP)
	$(BIN)/ruff format --check generator tests scripts
	$(BIN)/ruff check generator tests scripts

# Apply the formatter (make lint checks it).
format: $(STAMP)
	$(BIN)/ruff format generator tests scripts

typecheck: $(STAMP)
	$(BIN)/mypy generator

check: lint typecheck

# Regenerate golden files after an intended change to generated output.
golden: $(STAMP)
	UPDATE_GOLDEN=1 $(BIN)/pytest -q tests -k golden

# The main job on its defaults: fetch the latest announcement, score, write data/, build site/.
# The site is built from what data/ holds even when the run fails (offline, arXiv down), so a
# first try still shows a page; make then exits with the run's status.
run: $(STAMP)
	@status=0; $(BIN)/arxiv-digest run || status=$$?; \
	$(BIN)/mkdocs build || exit $$?; \
	exit $$status

site: $(STAMP)
	$(BIN)/mkdocs build

serve: $(STAMP)
	$(BIN)/mkdocs serve

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
