# The two commands of the README:
#   make run   install, index the default content (data/) and serve it on http://127.0.0.1:8000/
#   make test  install (with test tools and Debian's chromium) and run the tests
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test system-deps bench

install:
	$(PIP) install --quiet -e .

run: install
	$(PYTHON) -m kb serve --host $(HOST) --port $(PORT)

system-deps:
	bash scripts/install-system-deps

install-test: system-deps
	$(PIP) install --quiet -e '.[test,bench]'

test: install-test
	$(PYTHON) -m pytest

bench: install-test
	$(PYTHON) -m benchmarks.run
