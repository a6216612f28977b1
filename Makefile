# Everything is installed by these targets, idempotently; caches live outside the
# checkout (CALLCENTER_CACHE, default /var/cache/callcenter) so repeat runs are fast.
CACHE ?= /var/cache/callcenter
VENV  ?= $(CACHE)/venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)-$(shell echo $(CURDIR) | sha1sum | cut -c1-8)
CALLS ?= 8

.PHONY: deps services sandbox test test-fast demo bench lint clean-sandbox

deps: $(STAMP)

$(STAMP): pyproject.toml
	bash scripts/apt-deps.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

services:
	bash scripts/services.sh

sandbox: deps
	$(VENV)/bin/callcenter sandbox up

# The whole suite: unit tests, PostgreSQL, and end-to-end calls on the real Asterisk.
test: deps services
	$(VENV)/bin/pytest -q

# Seconds: no Asterisk, no PostgreSQL.
test-fast: deps
	$(VENV)/bin/pytest -q -m "not asterisk and not postgres"

demo: deps
	$(VENV)/bin/callcenter demo --calls $(CALLS)

bench: deps services
	$(PY) benchmarks/concurrency.py --calls 50 100 200

lint: deps
	$(VENV)/bin/ruff check callcenter tests benchmarks
	$(VENV)/bin/mypy callcenter

clean-sandbox:
	-$(VENV)/bin/callcenter sandbox down
