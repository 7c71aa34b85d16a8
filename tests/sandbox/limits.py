"""Rate limits of the sandbox: complexity budget, request rate, daily calls,
concurrency; plus the static complexity estimate of a GraphQL document."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

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
    per_item_cost: int = 10  # per item a page may return (its `limit`)
    field_costs: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_FIELD_COSTS))

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
                "complexity_used": self._budget.used,
                "complexity_reset_in": self._budget.reset_in(now, lim.window_seconds),
                "requests_in_window": self._requests.used,
                "daily_calls": self._daily.used,
            }


# ----------------------------------------------------------------- documents
def iter_fields(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
) -> Iterator[FieldNode]:
    """Fields of a selection set, flattening fragment spreads/inline fragments."""
    if selection_set is None:
        return
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            yield sel
        elif isinstance(sel, InlineFragmentNode):
            yield from iter_fields(sel.selection_set, fragments)
        elif isinstance(sel, FragmentSpreadNode):
            frag = fragments.get(sel.name.value)
            if frag is not None:
                yield from iter_fields(frag.selection_set, fragments)


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def root_fields(document: DocumentNode, operation: OperationDefinitionNode) -> list[tuple[str, str]]:
    """(response key, field name) of the operation's root fields, in order."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for node in iter_fields(operation.selection_set, fragments_of(document)):
        key = node.alias.value if node.alias else node.name.value
        if key not in seen:
            seen.add(key)
            out.append((key, node.name.value))
    return out


def _arg_int(node: FieldNode, name: str, variables: dict[str, Any], default: int) -> int:
    for arg in node.arguments or ():
        if arg.name.value != name:
            continue
        value = arg.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, ListValueNode):
            return len(value.values)
        if isinstance(value, VariableNode):
            raw = variables.get(value.name.value)
            if isinstance(raw, list):
                return len(raw)
            try:
                return int(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return default
    return default


def _items_requested(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> int:
    total = 0
    for node in iter_fields(selection_set, fragments):
        name = node.name.value
        if name == "items":
            if node.arguments:  # ItemsResponse.items has no arguments
                total += _arg_int(node, "limit", variables, _arg_int(node, "ids", variables, 25))
        elif name in ITEM_LIST_FIELDS:
            total += _arg_int(node, "limit", variables, 25)
        total += _items_requested(node.selection_set, fragments, variables)
    return total


def estimate_cost(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
    limits: Limits,
) -> int:
    """Rough static cost: a table per root field, plus a per-item page charge."""
    fragments = fragments_of(document)
    is_mutation = operation.operation.value == "mutation"
    cost = 0
    for node in iter_fields(operation.selection_set, fragments):
        name = node.name.value
        if name in limits.field_costs:
            cost += limits.field_costs[name]
        else:
            cost += limits.mutation_base_cost if is_mutation else limits.query_base_cost
        if name in ITEM_LIST_FIELDS and name != "items":
            cost += limits.per_item_cost * _arg_int(node, "limit", variables, 25)
        elif name == "items":
            cost += limits.per_item_cost * _arg_int(
                node, "limit", variables, _arg_int(node, "ids", variables, 25)
            )
        cost += limits.per_item_cost * _items_requested(node.selection_set, fragments, variables)
    return cost
