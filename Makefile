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

# Headless Chromium for the browser tests (Debian package; skipped quietly where apt is absent).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium not installed: browser tests will skip"; }

# MathJax 3 from the npm registry for the browser test (the site loads it from a CDN, which the
# test serves locally with Playwright's page.route). Skipped quietly where npm is absent.
MATHJAX_DIR := .cache/mathjax
mathjax-deps:
	@test -f $(MATHJAX_DIR)/package/es5/tex-mml-chtml.js || { command -v npm >/dev/null 2>&1 && \
	  mkdir -p $(MATHJAX_DIR) && (cd $(MATHJAX_DIR) && npm pack --silent mathjax@3 >/dev/null && \
	  tar xzf mathjax-3*.tgz) || echo "npm/mathjax unavailable: the browser test skips its math check"; }

test: $(STAMP) browser-deps mathjax-deps lint typecheck
	$(BIN)/pytest -q

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
