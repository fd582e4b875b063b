# Everything a newcomer needs: `make run` and `make test`. Each target installs what it needs first.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-faults lint format bench bench-quick clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON) --quiet
	touch $@

install: $(VENV)/.installed

run: install  ## `scmi demo --if-empty` fills a fresh database; `scmi run` migrates, then serves API + worker
	$(VENV)/bin/scmi demo --if-empty
	$(VENV)/bin/scmi run --host $(HOST) --port $(PORT)

test: install  ## the whole suite: four processes for most of it (many tests wait on servers, browsers and mail), then the fault-injection tests alone
	tests/system_tools.sh
	$(VENV)/bin/pytest -n 4 --dist loadfile -m "not faults" $(PYTEST_ARGS)
	$(VENV)/bin/pytest -m faults tests/faults $(PYTEST_ARGS)

test-faults: install  ## only the fault-injection, hostile-input and load tests (tests/faults)
	tests/system_tools.sh
	$(VENV)/bin/pytest tests/faults $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy core accounts content newsletters registrations tasks service
	$(VENV)/bin/lint-imports
	$(VENV)/bin/hadolint Dockerfile

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install  ## every figure of issue 9 against its target, one table (PostgreSQL and Redis on localhost)
	tests/system_tools.sh
	$(VENV)/bin/python -m bench

bench-quick: install  ## the CI guard: small data, short runs; fails only below half a target
	tests/system_tools.sh
	$(VENV)/bin/python -m bench --quick

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
