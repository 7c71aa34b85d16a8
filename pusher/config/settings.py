"""monday.yml + command line + environment → one immutable ``Settings`` for a run.

A customer's *route* is ``boards.customers[NAME]`` (trimmed, matched case-insensitively), else
``boards.default`` (see docs/CONTRACT.md, "At scale"). A route may name a fixed board
(``board_id``); without one its boards are made on demand (``boards.auto_create``). Every key of
monday.yml is checked first by ``pusher.config.rules`` (every problem at once, each naming the key
and the fix); the command line and the environment are checked here. Nothing secret lives here:
the API token is read by ``client.py`` alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from pusher.config.boards import (
    BOARD_ITEM_LIMIT,
    SIZE_CURVE,
    BoardsConfig,
    ColumnSpec,
    Route,
    column_spec,
    load_boards,
    mapped_columns,
    size_curve_column,
)
from pusher.config.dbt_mapping import dbt_mapping, fingerprint
from pusher.config.rules import BULK_MODES, one_of, positive, repair_classes
from pusher.errors import ConfigError

__all__ = [
    "BOARD_ITEM_LIMIT", "BoardsConfig", "BulkConfig", "ColumnSpec", "Filters", "Route", "Settings",
    "config_path", "load_boards", "load_settings", "mapped_columns",
]  # fmt: skip

DEFAULT_API_URL = "https://api.monday.com/v2"
DEFAULT_API_VERSION = "2026-10"
MUTATION_COST = 10_000  # monday: create_item costs about 10,000 complexity points
MAX_QUERY_COMPLEXITY = 5_000_000  # monday: at most 5M points per query
MAX_BATCH = 500


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of the item outbox (subitems follow their parents)."""

    order_numbers: tuple[str, ...] = ()
    po_numbers: tuple[str, ...] = ()
    seasons: tuple[str, ...] = ()
    sync_keys: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.order_numbers or self.po_numbers or self.seasons or self.sync_keys)


@dataclass(frozen=True)
class BulkConfig:
    """``bulk:`` in monday.yml: monday's CSV import jobs for large create waves (issue 11)."""

    mode: str = "auto"  # auto | ingest | backfill | off (--bulk overrides)
    min_rows: int = 500  # a group's new items + their subitems this many go as jobs (measured: README)
    poll_seconds: float = 10.0  # first wait between fetch_job_status polls (backs off to 60 s)
    max_wait_seconds: float = 1800.0  # how long a run waits for one job before leaving it


def load_bulk(data: Mapping[str, Any], mode: str | None, initial_load: bool) -> BulkConfig:
    """``bulk:`` of a checked monday.yml, ``mode`` (``--bulk``) first."""
    raw = data.get("bulk") or {}
    chosen = one_of(mode, "--bulk", BULK_MODES, "auto") if mode else str(raw.get("mode") or "auto")
    if chosen == "backfill" and not initial_load:
        raise ConfigError(
            "bulk mode backfill creates every row blindly (no automations, no activity log, no "
            "match on the sync key): it is only for a first load onto boards that hold none of these "
            "rows. Say so with --initial-load, or use --bulk auto"
        )
    out = BulkConfig(mode=chosen)
    if raw.get("min_rows") is not None:
        out = replace(out, min_rows=int(raw["min_rows"]))
    for key in ("poll_seconds", "max_wait_seconds"):
        if raw.get(key) is not None:
            out = replace(out, **{key: float(raw[key])})
    return out


@dataclass(frozen=True)
class Settings:
    customer: str
    board_id: str | None  # the route's fixed board; None when its boards are made on demand
    subitem_board_id: str | None
    item_sync_key_column: str = "sync_key"
    subitem_sync_key_column: str = "sync_key"
    api_url: str = DEFAULT_API_URL
    api_version: str = DEFAULT_API_VERSION
    max_archive_share: float = 0.2
    force: bool = False
    dry_run: bool = False
    target: str | None = None
    profiles_dir: str | None = None
    filters: Filters = field(default_factory=Filters)
    batch_size: int | None = None  # operator's cap; the pacer may choose fewer
    mutation_cost: int = MUTATION_COST
    max_query_complexity: int = MAX_QUERY_COMPLEXITY
    max_retries: int = 3
    retry_backoff: float = 2.0
    connect_timeout: float = 10.0
    read_timeout: float = 300.0  # a document of hundreds of mutations takes a while on monday
    max_limit_wait: float = 900.0  # seconds of 429 waiting tolerated before stopping (exit 3)
    requests_per_minute: int = 1000
    diff_samples: int = 5
    boards: BoardsConfig = field(default_factory=BoardsConfig)
    route: Route | None = None  # the customer's route
    on_out_of_scope: str = "archive"  # archive | delete | keep
    on_move: str = "archive"  # archive | delete
    item_columns: tuple[ColumnSpec, ...] = ()  # the sync key first, then items.columns
    subitem_columns: tuple[ColumnSpec, ...] = ()
    size_curve_column: ColumnSpec = ColumnSpec(**SIZE_CURVE)
    bulk: BulkConfig = field(default_factory=BulkConfig)
    initial_load: bool = False  # --initial-load: the operator's word that the boards hold none of these rows
    config_file: str = "monday.yml"  # the file these settings were read from
    repair_classes: frozenset[str] = frozenset()  # reconcile.repair: what reconcile --repair puts back
    # The fingerprint of what dbt reads of that file (pusher.config.dbt_mapping); None: not checked.
    mapping_fingerprint: str | None = None


def _load_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"monday config not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping")
    return data


def _sync_key_column(section: Any, what: str) -> str:
    if not isinstance(section, Mapping):
        return "sync_key"
    key = section.get("sync_key") or {}
    return str(key.get("id") or "sync_key") if isinstance(key, Mapping) else "sync_key"


def config_path(explicit: str | None, env: Mapping[str, str]) -> Path:
    return Path(explicit or env.get("ORDER_SYNC_CONFIG") or "monday.yml")


def load_settings(
    customer: str,
    *,
    config_file: str | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the run's settings. ``overrides`` are CLI values; ``None`` means "not given"."""
    env = os.environ if env is None else env
    if not customer or not customer.strip():
        raise ConfigError("--customer is required")
    path = config_path(config_file, env)
    data = _load_yaml(path)
    boards = load_boards(data)  # checks every rule of monday.yml first (pusher.config.rules)
    route = boards.route_for(customer)
    initial_load = bool(overrides.pop("initial_load", None))
    bulk = load_bulk(data, overrides.pop("bulk_mode", None), initial_load)
    sync = data["sync"]

    values: dict[str, Any] = {
        "customer": customer.strip(),
        "board_id": route.board_id,
        "subitem_board_id": route.subitem_board_id,
        "item_sync_key_column": _sync_key_column(data.get("items"), "items"),
        "subitem_sync_key_column": _sync_key_column(data.get("subitems"), "subitems"),
        "api_url": (env.get("MONDAY_API_URL") or DEFAULT_API_URL).strip(),
        "api_version": str(data.get("api_version") or DEFAULT_API_VERSION),
        "max_archive_share": float(sync.get("max_archive_share", 0.2)),
        "boards": boards,
        "route": route,
        "on_out_of_scope": sync.get("on_out_of_scope", "archive"),
        "on_move": sync.get("on_move", "archive"),
        "item_columns": tuple(column_spec(c) for c in mapped_columns(data, "items")),
        "subitem_columns": tuple(column_spec(c) for c in mapped_columns(data, "subitems")),
        "size_curve_column": size_curve_column(data),
        "bulk": bulk,
        "initial_load": initial_load,
        "config_file": str(path),
        "mapping_fingerprint": fingerprint(dbt_mapping(data)),
        "repair_classes": repair_classes(data),
    }
    if sync.get("batch_size") is not None:
        values["batch_size"] = int(sync["batch_size"])
    if sync.get("requests_per_minute") is not None:  # 1,000; Pro 2,500; Enterprise 5,000
        values["requests_per_minute"] = int(sync["requests_per_minute"])

    for key, value in overrides.items():
        if value is not None:
            values[key] = value
    if values.get("batch_size") is not None:
        values["batch_size"] = min(positive(values["batch_size"], "--batch-size", int), MAX_BATCH)
    for key in ("connect_timeout", "read_timeout", "retry_backoff", "max_limit_wait"):
        if key in values:
            values[key] = positive(values[key], key.replace("_", "-"))
    if "max_retries" in values and int(values["max_retries"]) < 0:
        raise ConfigError("--max-retries must be 0 or more")
    if not values["api_url"].startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigError("MONDAY_API_URL must be https:// (plain http only for localhost)")
    return Settings(**values)
