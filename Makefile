# textwash — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: install run test test-fast lint bench bench-quick clean-output lock system-tools

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

#: Programs the tests drive, from Debian's packages: tmux (a real terminal for the CLI tests) and
#: chromium (the HTML report is loaded headless: tests/chromium.py).
SYSTEM_TOOLS := tmux chromium

system-tools:  ## install the Debian packages the tests need, if missing (apt-get; sudo when not root)
	@missing=""; for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing from Debian's packages (the tests need them)"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

test: lint system-tools  ## lint, types, then the whole suite, Prefect flow tests included
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff and mypy, as CI runs them
	$(BIN)/ruff check cleaners flows benchmarks tests
	$(BIN)/mypy

test-fast: $(STAMP) system-tools  ## everything but the tests that start Prefect
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
