# tickerwire: `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
SYNCED := $(VENV)/.synced
MANIFEST := dbt_project/target/manifest.json

export DO_NOT_TRACK := 1
export TICKERWIRE_HOME ?= $(CURDIR)/.tickerwire
# dbt renders the profile while parsing, so the paths must be set (always absolute).
export TICKERWIRE_LAKE_DIR ?= $(TICKERWIRE_HOME)/lake
export TICKERWIRE_WAREHOUSE_PATH ?= $(TICKERWIRE_HOME)/warehouse.duckdb
export DAGSTER_HOME ?= $(TICKERWIRE_HOME)/dagster

DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros -type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml

.PHONY: run test dev lint format manifest clean eval bench bench-scale sql

run: $(SYNCED) $(MANIFEST)
	$(BIN)/tickerwire run --home $(TICKERWIRE_HOME) --inbox examples/inbox

# Two workers, one test file each at a time (a file's module fixtures stay in one worker): on a clean
# clone 14m19s instead of 19m47s serially; many slow tests wait on subprocesses and the daemon's ticks.
test: $(SYNCED) $(MANIFEST)
	$(BIN)/pytest -n 2 --dist loadfile

# Accuracy and speed of the extraction library on real news read in place from ../shared/data.
eval: $(SYNCED)
	$(BIN)/python -m orchestration.evaluation

bench: $(SYNCED)
	$(BIN)/python -m orchestration.evaluation.bench

# The whole pipeline (land, extract, dbt build) on copies of real articles, one fresh temporary home per
# size: `make bench-scale SIZES=1000000` for a million (16-40 minutes on 2 cores, a 17 GB home in $TMPDIR).
SIZES ?= 10000,100000
bench-scale: $(SYNCED) $(MANIFEST)
	$(BIN)/python -m orchestration.evaluation.scale --sizes $(SIZES)

# The daemon's runs get RANGE_RUN_SETTINGS (orchestration/event_log.py) from this environment.
dev: $(SYNCED) $(MANIFEST)
	$(BIN)/python -c 'from orchestration.home import Home; Home.resolve("$(TICKERWIRE_HOME)").create()'
	DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS=$${DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS:-true} \
		DAGSTER_EVENT_BATCH_SIZE=$${DAGSTER_EVENT_BATCH_SIZE:-1000} \
		$(BIN)/dagster dev -m orchestration.definitions --host 127.0.0.1 --port 3000

# A terminal SQL IDE on the warehouse, read-only, so builds can swap the file underneath it.
sql: $(SYNCED)
	@test -f $(TICKERWIRE_WAREHOUSE_PATH) || { echo "no warehouse at $(TICKERWIRE_WAREHOUSE_PATH): run \`make run\` first" >&2; exit 1; }
	$(BIN)/harlequin --read-only $(TICKERWIRE_WAREHOUSE_PATH)

lint: $(SYNCED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(SYNCED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

manifest: $(MANIFEST)

# The environment comes from the lock file; uv itself lives in a private venv of its own. Bytecode is
# compiled at install: with PYTHONDONTWRITEBYTECODE set (as on these machines) every process would
# otherwise compile dbt and Dagster from source again (dbt's start 6.6 s -> 3.5 s).
$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(SYNCED): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-extras --compile-bytecode --python $(PYTHON)
	touch $@

$(MANIFEST): $(SYNCED) $(DBT_SOURCES)
	$(BIN)/dbt parse --project-dir dbt_project --profiles-dir dbt_project --quiet
	touch $@

clean:
	rm -rf .tickerwire dbt_project/target dbt_project/logs .pytest_cache
