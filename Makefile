# Each target creates .venv with the system Python when it is missing, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-stamp
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 7071

.PHONY: serve test lint typecheck pytest bench fuzz wheel clean

# `make serve` needs only the runtime dependencies; everything else also needs the test tools.
$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(RUNTIME)
	$(BIN)/flowmock serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest -n 2 --dist loadfile

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m bench

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -n 2 tests/properties tests/schemas/test_strategies.py tests/receiver/test_no_500.py tests/sender/test_policy.py tests/workflow/expressions/test_properties.py

# The wheel CI recipes install (flowmock is not on PyPI): dist/flowmock-<version>-py3-none-any.whl.
wheel: $(RUNTIME)
	$(BIN)/python -m pip wheel --quiet --no-deps . -w dist

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
