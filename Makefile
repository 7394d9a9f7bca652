# Yizhan: two commands for a fresh Debian machine.
#   make demo  - install, migrate, load the Lanzhou demo city, serve with printed logins
#   make test  - install what tests need, run everything on SQLite and PostgreSQL; the
#                PostgreSQL pass runs every benchmark at a tiny size (tests/test_benches.py),
#                so none can rot unnoticed
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/yizhan/static/vendor
export YIZHAN_HOME := $(CURDIR)

.PHONY: demo test install assets lint format messages bench bench-tiny clean serve test-sqlite test-postgres system-deps

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) assets

# Front-end assets come from npm at build time and are served by WhiteNoise: no CDN at run time.
# The icon sprite holds only the Tabler icons the code names, so it is rebuilt every time.
assets: $(VENDOR)/.stamp
	$(PY) scripts/build_icons.py
$(VENDOR)/.stamp: package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)/htmx $(VENDOR)/leaflet $(VENDOR)/leaflet.markercluster $(VENDOR)/echarts
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css $(VENDOR)/leaflet.markercluster/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	# The finder draws the whole network clustered at once: Leaflet and its cluster plug-in in
	# one file each (JS, CSS), one request instead of a round trip more on a weak signal.
	sed '/sourceMappingURL/d' node_modules/leaflet/dist/leaflet.js node_modules/leaflet.markercluster/dist/leaflet.markercluster.js > $(VENDOR)/leaflet/leaflet-cluster.js
	cat node_modules/leaflet/dist/leaflet.css node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css > $(VENDOR)/leaflet/leaflet-cluster.css
	# axe-core: injected by the browser tests only (accessibility checks), never by a page.
	mkdir -p $(VENDOR)/axe
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	touch $@

demo: install
	mkdir -p var
	$(BIN)/yizhan migrate --noinput -v0
	$(BIN)/yizhan demo-load --if-empty
	$(BIN)/yizhan demo-logins
	$(BIN)/yizhan rundemo

# System packages the tests need (PostgreSQL, Chromium, a CJK font, gettext), when root.
system-deps:
	@bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench scripts
	$(BIN)/ruff format src tests bench scripts

# The API fuzzing and the bad-input property tests (marked `fuzz`, a few minutes) run in a
# pytest process of their own, after the rest.
test-sqlite: install
	YIZHAN_FAST_PASSWORD_HASHER=true $(BIN)/pytest -m "not fuzz" $(PYTEST_ARGS)
	YIZHAN_FAST_PASSWORD_HASHER=true $(BIN)/pytest -m fuzz $(PYTEST_ARGS)

test-postgres: install
	YIZHAN_FAST_PASSWORD_HASHER=true bash scripts/with-postgres.sh bash -c '$(BIN)/pytest -m "not fuzz" $(PYTEST_ARGS) && $(BIN)/pytest -m fuzz $(PYTEST_ARGS)'

test: system-deps install lint
	$(BIN)/yizhan makemigrations --check --dry-run -v0
	@echo "== SQLite =="
	$(MAKE) --no-print-directory test-sqlite
	@echo "== PostgreSQL (with every benchmark, tiny) =="
	$(MAKE) --no-print-directory test-postgres

# Regenerate the translation catalogues from the code (needs gettext).
messages: $(STAMP)
	bash scripts/messages.sh

# Every script in bench/, each in a database of its own on a throwaway PostgreSQL cluster
# (`make bench BENCH=points` runs the scripts whose name contains "points"). Figures and how
# to read them: docs/BENCHMARKS.md.
bench: install
	BENCH="$(BENCH)" bash scripts/with-postgres.sh $(BIN)/python bench/run.py

bench-tiny: install
	BENCH="$(BENCH)" bash scripts/with-postgres.sh $(BIN)/python bench/run.py --tiny

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
