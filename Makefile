# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_OUT ?= demo-out

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The demo's avatars include stand-ins for GAN faces: without the faces extra (prebuilt wheels, no
# compiler; about 12 s and 140 MB more than the base install) its report could only say that the
# AI-face check did not run. The Makefile is a prerequisite so that a .venv made before the demo
# needed the extra gets it.
$(VENV)/.base: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[faces]'
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,faces,narratives]'
	touch $@ $(VENV)/.base

demo: $(VENV)/.base
	$(BIN)/inconcert demo --out $(DEMO_OUT)

test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# make bench BENCH_ARGS='--sizes 1e5,1e6,1e7 --peer-max 1e6' (see python -m bench --help)
bench: $(VENV)/.test
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
