# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
# python3.11 when there is one, else python3 (checked to be 3.11 or newer below).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run solve test lint bench bench-quick fuzz messages screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "need Python 3.11 or newer (found '$(PYTHON)'); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The service on http://127.0.0.1:8000 with the sample community stored and
# a coordinator key printed (HOST/PORT to change; Ctrl-C stops it).
HOST ?= 127.0.0.1
PORT ?= 8000
run: $(STAMP)
	$(BIN)/matcher serve --seed-sample --host $(HOST) --port $(PORT)

# The same sample solved once on the command line (batch use), into out/.
solve: $(STAMP)
	$(BIN)/matcher solve datasets/community_a --out out/community_a

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n auto

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.pairing

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.run --quick
	$(BIN)/python -m benchmarks.pairing --quick

# A longer schemathesis run than make test's (200 generated requests per operation).
fuzz: $(STAMP)
	MATCHER_FUZZ_EXAMPLES=200 $(BIN)/pytest -q tests/api/test_schema_fuzz.py

# docs/screenshots/: the page with the sample community (roster on desktop and phone; the day view, requests and ledger on a phone), in the
# system's Chromium (apt-get install chromium fonts-noto-cjk).
screenshots: $(STAMP)
	$(BIN)/python -m benchmarks.screenshots

# New message ids from the code into the Chinese catalogue, untranslated (docs/i18n.md).
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location --omit-header -k N_ -k ngettext:1,2 \
		-o .venv/matcher.pot matcher api
	$(BIN)/pybabel update --no-fuzzy-matching --no-wrap --ignore-obsolete \
		-i .venv/matcher.pot -d matcher/i18n/locales -D matcher -l zh

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis
