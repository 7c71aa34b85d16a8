"""Rate limits of the sandbox: complexity budget, request rate, daily calls,
concurrency (the document cost estimate is in ``doc_cost.py``)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .errors import (
    COMPLEXITY_BUDGET_EXHAUSTED,
    DAILY_LIMIT_EXCEEDED,
    MAX_CONCURRENCY_EXCEEDED,
    MINUTE_RATE_LIMIT_EXCEEDED,
)

MUTATION_COST = 10_000
DEFAULT_FIELD_COSTS: dict[str, int] = {
    "create_item": MUTATION_COST,
    "create_subitem": MUTATION_COST,
    "change_multiple_column_values": MUTATION_COST,
    "delete_item": MUTATION_COST,
    "archive_item": MUTATION_COST,
    "move_item_to_group": MUTATION_COST,
    "create_group": MUTATION_COST,
    "create_board": MUTATION_COST,
    "create_column": MUTATION_COST,
    "complexity": 0,
    "me": 10,
}
ITEM_LIST_FIELDS = frozenset({"items_page", "next_items_page", "items_page_by_column_values", "items"})
# Lists inside an item, priced per element (tests/sandbox/README.md, "Read complexity").
NESTED_LIST_FIELDS = frozenset({"subitems", "column_values"})


@dataclass
class Limits:
    """Limit configuration. A limit of 0 means unlimited."""

    window_seconds: float = 60.0  # length of "a minute"
    complexity_budget: int = 10_000_000  # per window
    max_query_complexity: int = 5_000_000  # per single query
    requests_per_window: int = 1000
    max_concurrency: int = 40
    daily_calls: int = 1000
    day_seconds: float = 86_400.0
    query_base_cost: int = 1000  # per root query field not in field_costs
    mutation_base_cost: int = MUTATION_COST  # per root mutation field not in field_costs
    per_item_cost: int = 10  # per item a page may return (its `limit`); an object's weight
    unbounded_list_size: int = 1000  # elements a nested list without ids/limit is priced as (subitems)
    field_costs: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_FIELD_COSTS))
    # Bulk import and bulk archive/delete jobs; times are monday seconds (scaled with the minute).
    import_rows_per_second: float = 200.0  # processing rate (monday documents none)
    # side_by_side: each import job runs from its upload at the rate; queue: the account's jobs
    # run one at a time in upload order (monday documents neither)
    import_processing: str = "side_by_side"
    import_starts_per_hour: int = 100  # ingest_items + backfill_items starts per account
    ingest_items_per_hour: int = 19_000  # ingest's hourly item budget per account
    ingest_max_rows: int = 10_000
    backfill_max_rows: int = 20_000
    import_max_file_bytes: int = 150 * 1024 * 1024
    job_url_ttl_seconds: float = 600.0  # upload URL and report URL validity
    bulk_item_ids_max: int = 1_000  # item_ids per bulk_archive_items / bulk_delete_items (a guess)

    def update(self, **changes: Any) -> None:
        names = {f.name for f in fields(self)}
        for key, value in changes.items():
            if key not in names:
                raise TypeError(f"unknown limit {key!r}")
            if key == "field_costs":
                self.field_costs.update({str(k): int(v) for k, v in value.items()})
            else:
                setattr(self, key, type(getattr(self, key))(value))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LimitHit:
    code: str
    retry_in_seconds: int
    message: str


@dataclass
class _Window:
    start: float | None = None
    used: int = 0

    def roll(self, now: float, length: float) -> None:
        if self.start is None or now >= self.start + length:
            self.start = now
            self.used = 0

    def reset_in(self, now: float, length: float) -> int:
        if self.start is None:
            return max(1, math.ceil(length))
        return max(1, math.ceil(self.start + length - now))


class LimitTracker:
    """Fixed-window counters shared by all request threads."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._budget = _Window()
            self._requests = _Window()
            self._daily = _Window()
            self.in_flight = 0
            self.max_in_flight = 0
            self._on_board: dict[str, int] = {}
            self.max_on_one_board = 0  # mutation requests in flight on one board at once (monday asks 1)

    # concurrency ----------------------------------------------------------
    def enter(self) -> LimitHit | None:
        with self._lock:
            cap = self.limits.max_concurrency
            if cap and self.in_flight >= cap:
                return LimitHit(
                    MAX_CONCURRENCY_EXCEEDED,
                    1,
                    f"Max concurrency exceeded: {cap} requests are already in flight",
                )
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return None

    def exit(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def board_enter(self, board: str) -> None:
        """A mutation request on ``board`` starts: monday asks for one at a time per board (not an
        error monday returns, so it is counted, not refused)."""
        with self._lock:
            self._on_board[board] = self._on_board.get(board, 0) + 1
            self.max_on_one_board = max(self.max_on_one_board, self._on_board[board])

    def board_exit(self, board: str) -> None:
        with self._lock:
            self._on_board[board] -= 1

    # calls ----------------------------------------------------------------
    def take_call(self) -> LimitHit | None:
        """Count one API call against the daily and per-window request limits."""
        lim = self.limits
        with self._lock:
            now = self.clock()
            self._daily.roll(now, lim.day_seconds)
            self._requests.roll(now, lim.window_seconds)
            if lim.daily_calls and self._daily.used >= lim.daily_calls:
                return LimitHit(
                    DAILY_LIMIT_EXCEEDED,
                    self._daily.reset_in(now, lim.day_seconds),
                    f"Daily limit exceeded: {lim.daily_calls} calls",
                )
            if lim.requests_per_window and self._requests.used >= lim.requests_per_window:
                return LimitHit(
                    MINUTE_RATE_LIMIT_EXCEEDED,
                    self._requests.reset_in(now, lim.window_seconds),
                    f"Rate limit exceeded: {lim.requests_per_window} requests per minute",
                )
            self._daily.used += 1
            self._requests.used += 1
            return None

    # complexity -----------------------------------------------------------
    def charge(self, cost: int) -> tuple[LimitHit | None, dict[str, int]]:
        """Charge ``cost`` to the budget; return (hit, complexity snapshot)."""
        lim = self.limits
        with self._lock:
            now = self.clock()
            self._budget.roll(now, lim.window_seconds)
            budget = lim.complexity_budget
            reset_in = self._budget.reset_in(now, lim.window_seconds)
            before = budget - self._budget.used if budget else 2**31 - 1
            snap = {
                "before": before,
                "query": cost,
                "after": before - cost,
                "reset_in_x_seconds": reset_in,
            }
            if budget and cost > before:
                return (
                    LimitHit(
                        COMPLEXITY_BUDGET_EXHAUSTED,
                        reset_in,
                        f"Complexity budget exhausted, query cost {cost} budget remaining "
                        f"{before} out of {budget} reset in {reset_in} seconds",
                    ),
                    snap,
                )
            self._budget.used += cost
            return None, snap

    def snapshot(self) -> dict[str, Any]:
        lim = self.limits
        with self._lock:
            now = self.clock()
            return {
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "max_mutations_in_flight_on_one_board": self.max_on_one_board,
                "complexity_used": self._budget.used,
                "complexity_reset_in": self._budget.reset_in(now, lim.window_seconds),
                "requests_in_window": self._requests.used,
                "daily_calls": self._daily.used,
            }
