# The two commands of the README:
#   make run   install, index the default content (data/) and serve it on http://127.0.0.1:8000/
#   make test  install (with test tools and Debian's chromium) and run the tests
# Everything is installed into the checkout's own virtual environment, .venv/ (git-ignored):
# Debian's python3 refuses system-wide installs (PEP 668). PYTHON picks the interpreter the
# environment is made from (any Python >= 3.11): `make test PYTHON=/usr/bin/python3.12`.
PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test system-deps bench clean-venv

$(VPY):
	bash scripts/make-venv "$(PYTHON)" "$(VENV)"

# Stamps: reinstall only when pyproject.toml changes (or the environment is new).
$(VENV)/.installed-run: pyproject.toml | $(VPY)
	$(VPY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VPY)
	$(VPY) -m pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run

run: install
	$(VENV)/bin/kb serve --host $(HOST) --port $(PORT)

system-deps:
	bash scripts/install-system-deps

install-test: system-deps $(VENV)/.installed-test

test: install-test
	$(VPY) -m pytest

bench: install-test
	$(VPY) -m benchmarks.run

clean-venv:
	rm -rf $(VENV)
