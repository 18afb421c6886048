# make demo: set up and run the demo; make test: set up and run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest messages clean bench-eemeter pyam system pact-conformance

# The system packages (PostgreSQL, Chromium, fonts, WeasyPrint's libraries, pdftotext, Java):
# installed when missing if run as root; otherwise this stops with the one command to run.
system:
	@scripts/system-packages

$(STAMP): pyproject.toml | system
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: system $(STAMP)
	$(BIN)/carbonpeak reference check
	$(BIN)/carbonpeak demo --out demo-province --load
	# the demo's plant goes silent at 10:00 of its live day: a meter is silent after 6 hours
	# here (the platform's default is a whole day, which the demo's day would not reach)
	CARBONPEAK_MONITORING_SILENT_HOURS=6 $(BIN)/carbonpeak serve --replay demo-province

lint: $(STAMP)
	$(BIN)/ruff check src tests conformance benchmarks scripts
	$(BIN)/ruff format --check src tests conformance benchmarks scripts
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy src

# In parallel: one pytest-xdist worker per core (`-n auto`), each module's tests on one worker
# (`--dist loadscope`: a module's fixtures are built once); coverage is combined from the workers.
pytest: system $(STAMP) pyam
	$(BIN)/pytest -n auto --dist loadscope --cov --cov-report=term

test: system lint typecheck pytest

# The PACT v3.0.3 conformance tests (conformance/), against the spec's own schema and examples.
# Not part of `test`: the WBCSD licence of the spec forbids sharing it or a part of it, so the
# repository does not hold it and scripts/pact_spec.py fetches it from GitHub (network), while
# CI and `make test` run with no network beyond the package registries at install time.
pact-conformance: $(STAMP)
	$(BIN)/python scripts/pact_spec.py
	$(BIN)/pytest conformance -q

# After changing a page's texts: refresh the catalogs, then translate the new entries.
messages: $(STAMP)
	@mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --omit-header -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d src/carbonpeak/locale --no-fuzzy-matching --ignore-obsolete

# OpenEEmeter for benchmarks/enpi_fit.py, in an environment of its own: eemeter 4.1.1 needs
# pandas < 3 and pytz (which it does not declare).
bench-eemeter: build/eemeter-venv/.installed

build/eemeter-venv/.installed:
	$(PYTHON) -m venv build/eemeter-venv
	build/eemeter-venv/bin/python -m pip install --quiet 'eemeter==4.1.1' 'pandas<3' pytz
	@touch $@

# pyam (the IAMC format's reader) for tests/pathways/test_iamc.py, in an environment of its own:
# it pins httpx < 0.28 and brings ixmp4, matplotlib and more that the platform does not need.
pyam: build/pyam-venv/.installed

build/pyam-venv/.installed:
	$(PYTHON) -m venv build/pyam-venv
	build/pyam-venv/bin/python -m pip install --quiet 'pyam-iamc==4.0.0' 'ixmp4==0.17.0' 'httpx==0.27.2'
	@touch $@

clean:
	rm -rf $(VENV) demo-province build .pytest_cache .mypy_cache .ruff_cache .coverage
