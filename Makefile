# Two commands a newcomer needs: `make demo` and `make test`. Everything else builds on `setup`.
# constraints.txt pins every transitive dependency (regenerate: .venv/bin/pip freeze --exclude-editable).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml constraints.txt scripts/install-system-deps.sh
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) (set PY=...)"; exit 2; }
	bash scripts/install-system-deps.sh
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==24.3.1
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,respond,ocr,watch,assets]'
	@# Byte-compile now: where PYTHONDONTWRITEBYTECODE is set, every run would recompile.
	$(BIN)/python -m compileall -q spillguard
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/python -m testing.demo

lint: setup
	$(BIN)/ruff check spillguard testing tests benchmarks
	$(BIN)/ruff format --check spillguard testing tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n 2 -q

$(VENV)/.bench: $(STAMP)
	bash scripts/install-system-deps.sh bench
	$(BIN)/pip install --quiet -c constraints.txt -e '.[bench]'
	@touch $@

bench: $(VENV)/.bench
	$(BIN)/python -m compileall -q spillguard
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
