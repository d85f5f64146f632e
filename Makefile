# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint bench messages migrate clean browser

# Message catalogs (.po) are committed; .mo files are compiled at install and, if a .po
# changed since, again at start-up.

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -c "from bot.i18n import compile_catalogs; compile_catalogs()"
	touch $@

$(DEV_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(STAMP)
	$(BIN)/python -m bot run

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

test: $(DEV_STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests drive the system Chromium (Debian's package; nothing is downloaded at test
# time) with CJK and emoji fonts for readable screenshots. Without root or apt they are skipped.
CHROMIUM ?= /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-wqy-microhei fonts-noto-color-emoji
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(BROWSER_PACKAGES) for the browser tests"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq >/dev/null && apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null \
			|| echo "could not install Chromium: the browser tests will be skipped"; \
	else echo "no Chromium at $(CHROMIUM): the browser tests will be skipped"; fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot handlers knowledge scheduler

bench: $(STAMP)
	$(BIN)/python bench/menu_path.py
	$(BIN)/python bench/nearest_stations.py
	$(BIN)/python bench/bookings.py
	$(BIN)/python bench/booking_form.py
	$(BIN)/python bench/outbox.py
	$(BIN)/python bench/complaints.py
	$(BIN)/python bench/snap_photos.py
	$(BIN)/python bench/snap_nearby.py
	$(BIN)/python bench/points_ledger.py
	$(BIN)/python bench/shop_redeem.py
	$(BIN)/python bench/intents.py

# Re-extract msgids from the code and merge them into the catalogs (then translate).
messages: $(DEV_STAMP)
	$(BIN)/pybabel extract --no-location --omit-header --no-wrap -k _ -k N_ -k __ \
		-o bot/locales/messages.pot bot handlers knowledge scheduler
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching --ignore-obsolete \
		-i bot/locales/messages.pot -d bot/locales -D messages

clean:
	rm -rf $(VENV)
