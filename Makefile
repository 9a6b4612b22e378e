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

.PHONY: setup demo test lint bench clean-lake package

WORDLISTS := lib/resources/wordlists/NOTICE.md
CCNET_CUTOFFS := lib/resources/ccnet/cutoff.csv

KENLM_BIN := .cache/kenlm/bin/lmplz

FASTTEXT_BIN := .cache/fasttext/bin/fasttext

# headless Chromium + chromedriver for the report test (apt-get, idempotent; skipped with a message without root)
BROWSER := /usr/bin/chromedriver

setup: $(STAMP) $(JARS_STAMP) $(WORDLISTS) $(CCNET_CUTOFFS) $(KENLM_BIN) $(FASTTEXT_BIN) $(BROWSER)

$(BROWSER): scripts/install_browser.py | $(STAMP)
	$(PY) scripts/install_browser.py

# fastText's CLI (quality-classifier training, as DCLM did), compiled from the fasttext sdist on PyPI; the
# trainable Python packages would clash with fasttext-predict's module of the same name (scripts/build_fasttext.py).
$(FASTTEXT_BIN): scripts/build_fasttext.py | $(STAMP)
	$(PY) scripts/build_fasttext.py
	touch $@

# KenLM's lmplz/build_binary (CCNet LM training), compiled from the kenlm sdist on PyPI with Debian's
# boost/zlib/bz2/lzma dev packages (apt-get, needs root); also installs the kenlm module if missing.
$(KENLM_BIN): scripts/build_kenlm.py | $(STAMP)
	$(PY) scripts/build_kenlm.py
	touch $@

# Word lists (LDNOOBW, stop words, datatrove's URL-filter lists) come from npm and PyPI packages,
# pinned and hash-checked; they are not kept in git.
# CCNet's published perplexity cutoffs come from the cc-net sdist on PyPI the same way.
$(WORDLISTS) $(CCNET_CUTOFFS): scripts/install_wordlists.py
	$(PY) scripts/install_wordlists.py

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[local,dev,ccnet,report]"
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
	$(PY) benchmarks/end_to_end.py

# The wheel and a venv-pack archive of its runtime environment for spark-submit --archives (scripts/package.py);
# PACKAGE_ARGS=--with-spark adds pyspark + delta-spark, PACKAGE_ARGS=--wheel-only skips the archive.
package: $(STAMP)
	$(PY) -m pip install --quiet -e ".[local,dev,ccnet,package]"
	$(PY) scripts/package.py $(PACKAGE_ARGS)

clean-lake:
	rm -rf lake
