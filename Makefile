# textwash — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: install run test test-fast bench clean-output lock

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

test: $(STAMP)  ## the whole suite, Prefect flow tests included
	$(BIN)/python -m pytest

test-fast: $(STAMP)  ## everything but the tests that start Prefect
	$(BIN)/python -m pytest -m "not prefect"

bench: $(STAMP)  ## time the core pipeline at three sizes against the naive way
	$(BIN)/python -m benchmarks.bench

lock:  ## re-pin constraints.txt from the current .venv
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^textwash' > constraints.txt

clean-output:
	rm -rf data/clean/documents data/clean/lines data/clean/rejects data/clean/runs data/clean/_staging
