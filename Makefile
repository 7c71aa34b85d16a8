# The one entry point. Every target brings its own virtual environment up to date first, so a
# fresh clone needs nothing but python3 (and, for the SQL Server driver, apt's unixodbc).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
export DBT_PROFILES_DIR ?= $(CURDIR)
DBT_ARGS := --project-dir dbt_project
DB ?= data/orders.duckdb
export ORDER_SYNC_DUCKDB ?= $(DB)
LINES ?= 300

.PHONY: run test lint image generate edit-sample reset status bench-transform bench-unpivot bench-push bench-scale bench-parallel bench-growth bench-reconcile compile-sqlserver verify-sqlserver docs

# The stamp is newer than pyproject.toml only after a complete install, so an interrupted
# install is redone rather than half-trusted.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# dbt only reads a file named profiles.yml; the example carries no secrets, so a missing one is
# copied from it and a user's own is never overwritten.
profiles.yml:
	cp profiles.example.yml profiles.yml

$(DB): | $(VENV)/.installed
	$(PY) -m tools.sample_orders create --db $(DB) --lines $(LINES)

# dbt builds from the same file the pusher reads (ORDER_SYNC_CONFIG, else monday.yml), passed as a
# var at every build: an edit to monday.yml needs no second step, and the committed generated
# mapping (make generate; dbt's unit tests and the offline SQL Server compile use it) can lag
# without harm. The pusher refuses an outbox built from another mapping (exit 2).
MAPPING_VARS = --vars "$$($(PY) -m tools.codegen --print-vars)"

# The flags of a scheduled build, the same as DBT_BUILD_FLAGS in tools/bench/common.py (issue 13):
# dbt's unit tests (they pin the committed mapping) are left to `make test`, as dbt advises for
# production builds: at 50,000 lines they cost a no-change build about 12 s of CPU. No usage
# statistics: no network call to dbt Labs from a scheduled job. dbt_project/target is kept
# between runs, so a run pays a partial parse, not a full one.
DBT_RUN_FLAGS := --exclude resource_type:unit_test --no-send-anonymous-usage-stats

# The main job on the embedded default: sample data (kept between runs, so edits survive),
# dbt build, then push to monday (the local sandbox when MONDAY_API_TOKEN is unset).
run: $(VENV)/.installed profiles.yml $(DB)
	$(DBT) build $(DBT_ARGS) $(DBT_RUN_FLAGS) $(MAPPING_VARS) --quiet --log-format text
	$(PY) -m tools.run_demo

# Changes a few source lines the way a planner's ERP would; the next `make run` sends exactly them.
edit-sample: $(VENV)/.installed $(DB)
	$(PY) -m tools.sample_orders edit --db $(DB)

# What the last runs did and what is still waiting, read from the database alone.
status: $(VENV)/.installed profiles.yml
	$(PY) -m pusher status

# Starts the demo over: new sample data and an empty sandbox board.
reset:
	rm -rf data

# Size columns and the monday mapping reach dbt through generated macros; rerun after changing
# monday.yml or the source table's columns.
generate: $(VENV)/.installed profiles.yml $(DB)
	$(PY) -m tools.codegen

# In parallel (pytest-xdist): a worker per core, whole files to a worker so a module's dbt build
# is made once, the longest files first (tests/conftest.py). One process: PYTEST_ARGS="-n 0".
test: $(VENV)/.installed
	$(PY) -m pytest -q -n auto --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# lint-imports holds the pusher's layers (pyproject.toml, docs/ARCHITECTURE.md): an import that
# reaches up a layer, or a circle, fails here before it becomes a hallway.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache
	$(VENV)/bin/hadolint Dockerfile

# The Kestra flow's image (Dockerfile): FreeTDS by default; IMAGE_ARGS="--build-arg ODBC_DRIVER=msodbc18
# --build-arg ORDER_SYNC_TARGET=sqlserver" for Microsoft's driver. Needs a container engine.
IMAGE ?= order-sync:latest
image:
	docker build $(IMAGE_ARGS) -t $(IMAGE) .

compile-sqlserver: $(VENV)/.installed
	$(PY) -m tools.compile_sqlserver

# Run first on your own SQL Server, before the first real sync (README, "Running against SQL
# Server"): a scratch schema, a fixed sample, dbt build, the pusher against the local sandbox, one
# checklist (and logs/verify-sqlserver.json). TARGET=sqlserver_freetds picks another output;
# KEEP=1 keeps the scratch schema and the work directory.
verify-sqlserver: $(VENV)/.installed profiles.yml
	$(PY) -m tools.verify_sqlserver $(if $(TARGET),--target $(TARGET)) $(if $(KEEP),--keep)

# dbt build at 50,000 and 1,000,000 lines (first build, 5 % change, no change) against pandas,
# node by node, with issue 13's targets; BENCH_ARGS="--shape held-out --json bench.json" etc.
bench-transform: $(VENV)/.installed
	$(PY) -m tools.bench.transform $(BENCH_ARGS)

# The forms of the size melt on DuckDB at 1,000,000 lines (macros/dialect/unpivot_sizes.sql).
bench-unpivot: $(VENV)/.installed
	$(PY) -m tools.bench.unpivot $(BENCH_ARGS)

bench-push: $(VENV)/.installed
	$(PY) -m tools.bench.push

# One customer's 50,000 lines over six seasons onto boards made on demand: the mutation path and
# backfill under both guesses of how monday runs an account's jobs (side by side, one at a time),
# against the floor rows / rate; the mutation run alone takes ~50 minutes here, so iterate with
# `make bench-scale BENCH_ARGS="--lines 5000 --runs side_by_side queue"`.
bench-scale: $(VENV)/.installed
	$(PY) -m tools.bench.scale $(BENCH_ARGS)

# 12 customers by season: one --all-customers process against one process per customer (issue 20).
bench-parallel: $(VENV)/.installed
	$(PY) -m tools.bench.parallel $(BENCH_ARGS)

# The push log grown 20x by older copies of its rows: the no-change build and the nothing-to-send
# push at 1x, grown and after the daily compaction (issue 23); BENCH_ARGS="--lines 3000" is quicker.
bench-growth: $(VENV)/.installed
	$(PY) -m tools.bench.growth $(BENCH_ARGS)

# What one reconcile of a full board costs in monday's budget (issue 21): reading every item and
# subitem is the price of looking, paid on every scheduled run; BENCH_ARGS="--lines 2000" is quicker.
bench-reconcile: $(VENV)/.installed
	$(PY) -m tools.bench.reconcile $(BENCH_ARGS)

docs: $(VENV)/.installed profiles.yml $(DB)
	$(DBT) docs generate $(DBT_ARGS)
