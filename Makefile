# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.greenbot-installed
TORCH := torch==2.13.0

.PHONY: setup run test lint bench eval ingest clean

setup: $(STAMP)

# torch first and pinned: the CPU wheel lies on local disk; a loose requirement pulls GBs of CUDA.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/python -m pip install -q $(TORCH)
	$(BIN)/uv pip install --python $(BIN)/python -q --compile-bytecode -e '.[dev]'
	@touch $@

run: $(STAMP)
	$(BIN)/greenbot run

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 3 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

eval: $(STAMP)
	$(BIN)/greenbot eval tests/data/eval/dev_1.jsonl tests/data/eval/dev_2.jsonl --cv

ingest: $(STAMP)
	$(BIN)/greenbot ingest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data
