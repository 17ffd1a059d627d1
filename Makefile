# textwash — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: install run test test-fast lint browser bench bench-quick clean-output lock

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit("textwash needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install textwash with its test extra (pinned)

run: $(STAMP)  ## clean data/raw into data/clean with the Prefect flow
	$(BIN)/textwash run data/raw data/clean
	@echo "Inspect again any time with: $(BIN)/textwash inspect data/clean"

test: lint browser  ## lint, types, then the whole suite, Prefect flow tests included
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff and mypy, as CI runs them
	$(BIN)/ruff check cleaners flows benchmarks tests
	$(BIN)/mypy

# The HTML report tests load the report in headless Chromium (tests/chromium.py). When no
# `chromium` is on PATH, install Debian's package (with sudo unless already root).
browser:  ## headless Chromium for the report tests (apt-get install chromium when missing)
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "Installing Chromium (Debian's package) for the HTML report tests"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

test-fast: $(STAMP) browser  ## everything but the tests that start Prefect
	$(BIN)/python -m pytest -m "not prefect"

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)  ## the full benchmark: synthetic and heavy-syndication corpora up to 1 GB, next to datatrove
	$(BIN)/python -m benchmarks.bench

bench-quick: $(BENCH_STAMP)  ## the same comparisons on small corpora, for daily work (a few minutes)
	$(BIN)/python -m benchmarks.bench --quick

lock:  ## re-pin constraints.txt from the current .venv
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^textwash' > constraints.txt

clean-output:
	rm -rf data/clean/documents data/clean/lines data/clean/rejects data/clean/flags data/clean/runs data/clean/index data/clean/reports data/clean/_staging data/clean/_legacy-*
