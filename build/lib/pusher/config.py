"""monday.yml + command line + environment → one immutable ``Settings`` for a run.

The board for a customer is ``boards.customers[NAME]`` (matched case-insensitively), else
``boards.default``. Nothing secret lives here: the API token is read by ``client.py`` alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

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
class Settings:
    customer: str
    board_id: str
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


def _board_for(boards: Mapping[str, Any], customer: str) -> Mapping[str, Any]:
    customers = boards.get("customers") or {}
    if not isinstance(customers, Mapping):
        raise ConfigError("boards.customers must be a mapping of customer name → board")
    wanted = customer.strip().casefold()
    for name, entry in customers.items():
        if str(name).strip().casefold() == wanted:
            if not isinstance(entry, Mapping):
                raise ConfigError(f"boards.customers[{name!r}] must be a mapping")
            return entry
    default = boards.get("default")
    if not isinstance(default, Mapping):
        raise ConfigError(f"no board for customer {customer!r} and no boards.default in monday.yml")
    return default


def _id(value: Any, what: str, required: bool = True) -> str | None:
    if value is None or str(value).strip() == "":
        if required:
            raise ConfigError(f"{what} is missing in monday.yml")
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise ConfigError(f"{what} must be a numeric monday id, got {text!r}")
    return text


def _positive(value: Any, what: str, kind: type = float) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} must be a number, got {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{what} must be positive, got {value!r}")
    return number


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
    data = _load_yaml(config_path(config_file, env))
    boards = data.get("boards")
    if not isinstance(boards, Mapping):
        raise ConfigError("monday.yml has no `boards` section")
    board = _board_for(boards, customer)
    sync = data.get("sync") or {}
    if not isinstance(sync, Mapping):
        raise ConfigError("monday.yml `sync` must be a mapping")

    share = sync.get("max_archive_share", 0.2)
    try:
        share = float(share)
    except (TypeError, ValueError):
        raise ConfigError(f"sync.max_archive_share must be a number, got {share!r}") from None
    if not 0 <= share <= 1:
        raise ConfigError(f"sync.max_archive_share must be between 0 and 1, got {share}")

    values: dict[str, Any] = {
        "customer": customer.strip(),
        "board_id": _id(board.get("board_id"), "board_id"),
        "subitem_board_id": _id(board.get("subitem_board_id"), "subitem_board_id", required=False),
        "item_sync_key_column": _sync_key_column(data.get("items"), "items"),
        "subitem_sync_key_column": _sync_key_column(data.get("subitems"), "subitems"),
        "api_url": (env.get("MONDAY_API_URL") or DEFAULT_API_URL).strip(),
        "api_version": str(data.get("api_version") or DEFAULT_API_VERSION),
        "max_archive_share": share,
    }
    if sync.get("batch_size") is not None:
        values["batch_size"] = _positive(sync["batch_size"], "sync.batch_size", int)
    if sync.get("requests_per_minute") is not None:  # 1,000; Pro 2,500; Enterprise 5,000
        values["requests_per_minute"] = _positive(
            sync["requests_per_minute"], "sync.requests_per_minute", int
        )

    for key, value in overrides.items():
        if value is not None:
            values[key] = value
    if values.get("batch_size") is not None:
        values["batch_size"] = min(_positive(values["batch_size"], "--batch-size", int), MAX_BATCH)
    for key in ("connect_timeout", "read_timeout", "retry_backoff", "max_limit_wait"):
        if key in values:
            values[key] = _positive(values[key], key.replace("_", "-"))
    if "max_retries" in values and int(values["max_retries"]) < 0:
        raise ConfigError("--max-retries must be 0 or more")
    if not values["api_url"].startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigError("MONDAY_API_URL must be https:// (plain http only for localhost)")
    return Settings(**values)
