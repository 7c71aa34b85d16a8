"""Validate the parts of monday.yml that dbt reads (boards, scope, items.size_curve, sync).

`tools.codegen` runs this before writing `monday_mapping()`; every problem is reported at once,
each naming the key and the fix. The dbt macros (macros/routing/routing_config.sql) repeat the
checks that matter for SQL, for a mapping passed as the dbt var `order_sync_mapping`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

ROUTE_KEYS = {"board_id", "subitem_board_id", "name", "split_by", "sizes"}
SPLIT_BY = ("none", "season")
SIZES = ("subitems", "column")
ON_OUT_OF_SCOPE = ("archive", "delete", "keep")
ON_MOVE = ("archive", "delete")
# Source columns staging types as DATE: the ones a scope date window can use.
DATE_COLUMNS = ("ORDER DATE PO RECEIVED", "EX FACTORY DATE", "ETA CUSTOMER WAREHOUSE DATE")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _route(where: str, route: Any, is_default: bool) -> list[str]:
    if not isinstance(route, Mapping):
        return [f"{where} must be a mapping (keys {', '.join(sorted(ROUTE_KEYS))})"]
    errors = [
        f"{where}.{key} is not a route key; use one of {', '.join(sorted(ROUTE_KEYS))}"
        for key in route
        if key not in ROUTE_KEYS
    ]
    split_by = str(route.get("split_by") or "none")
    sizes = str(route.get("sizes") or "subitems")
    if split_by not in SPLIT_BY:
        errors.append(f"{where}.split_by is {split_by!r}; use none or season")
    if sizes not in SIZES:
        errors.append(f"{where}.sizes is {sizes!r}; use subitems or column")
    name = route.get("name")
    if name is not None:
        unknown = [p for p in PLACEHOLDER.findall(str(name)) if p not in ("customer", "season")]
        if unknown:
            errors.append(
                f"{where}.name {name!r} uses {{{unknown[0]}}}; only {{customer}} and {{season}} exist"
            )
        if "{season}" in str(name) and split_by != "season":
            errors.append(f"{where}.name {name!r} uses {{season}}: add split_by: season or drop {{season}}")
        if split_by == "season" and "{season}" not in str(name):
            errors.append(f"{where}.name {name!r} lacks {{season}}, needed with split_by: season")
    if route.get("board_id") is not None:
        if split_by == "season":
            errors.append(
                f"{where}: board_id together with split_by: season is not allowed (one board cannot be "
                "every season's board 1); remove board_id and let boards be made on demand"
            )
        if is_default and "{customer}" in str(name or ""):
            errors.append(
                f"{where}: board_id with a name using {{customer}} would make one board every customer's "
                "board 1; remove board_id or {customer}"
            )
    elif route.get("subitem_board_id") is not None:
        errors.append(f"{where}.subitem_board_id needs a board_id beside it")
    return errors


def _boards(boards: Any, has_size_curve: bool) -> list[str]:
    if boards is None:
        return []
    if not isinstance(boards, Mapping):
        return ["boards must be a mapping"]
    errors: list[str] = []
    max_items = boards.get("max_items_per_board", 10000)
    margin = boards.get("capacity_margin", 500)
    if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1:
        errors.append(
            f"boards.max_items_per_board is {max_items!r}; use a positive whole number (monday: 10000)"
        )
    elif not isinstance(margin, int) or isinstance(margin, bool) or not 0 <= margin < max_items:
        errors.append(
            f"boards.capacity_margin is {margin!r}; use a whole number from 0 to max_items_per_board - 1"
        )
    if not isinstance(boards.get("auto_create", False), bool):
        errors.append("boards.auto_create must be true or false")
    routes = [("boards.default", boards.get("default") or {}, True)]
    customers = boards.get("customers") or {}
    if not isinstance(customers, Mapping):
        errors.append("boards.customers must be a mapping of customer name to route")
        customers = {}
    routes += [(f"boards.customers[{name!r}]", route, False) for name, route in customers.items()]
    for where, route, is_default in routes:
        errors += _route(where, route, is_default)
        if isinstance(route, Mapping) and route.get("sizes") == "column" and not has_size_curve:
            errors.append(f"{where}.sizes is column: add items.size_curve {{id, title, type: long_text}}")
    return errors


def _scope(scope: Any) -> list[str]:
    if scope is None:
        return []
    if not isinstance(scope, Mapping):
        return ["scope must be a mapping"]
    errors: list[str] = []
    known = {"leave_statuses", "date_window", "seasons", "season_pattern"}
    errors += [
        f"scope.{k} is not a scope key; use one of {', '.join(sorted(known))}"
        for k in scope
        if k not in known
    ]
    for key in ("leave_statuses", "seasons"):
        value = scope.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            errors.append(f"scope.{key} must be a list of texts")
    if scope.get("seasons") and scope.get("season_pattern"):
        errors.append("scope: use seasons or season_pattern, not both")
    window = scope.get("date_window")
    if window is not None:
        if not isinstance(window, Mapping):
            return [
                *errors,
                "scope.date_window must be a mapping {column, days_before, days_after, keep_undated}",
            ]
        column = window.get("column")
        if column not in DATE_COLUMNS:
            errors.append(
                f"scope.date_window.column is {column!r}; use a date column: {', '.join(DATE_COLUMNS)}"
            )
        for key in ("days_before", "days_after"):
            days = window.get(key)
            if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 0):
                errors.append(f"scope.date_window.{key} is {days!r}; use a whole number of days >= 0 or null")
        if not isinstance(window.get("keep_undated", True), bool):
            errors.append("scope.date_window.keep_undated must be true or false")
    return errors


def problems(doc: Mapping[str, Any]) -> list[str]:
    """Every problem in the dbt-read parts of a parsed monday.yml (empty when it is valid)."""
    errors: list[str] = []
    for key in ("items", "subitems", "sync"):
        if not isinstance(doc.get(key), Mapping):
            errors.append(f"monday.yml has no `{key}` mapping")
    if errors:
        return errors
    curve = doc["items"].get("size_curve")
    if curve is not None and (
        not isinstance(curve, Mapping) or curve.get("type") not in ("long_text", "text")
    ):
        errors.append("items.size_curve must be {id, title, type: long_text (or text)}")
    errors += _boards(doc.get("boards"), curve is not None)
    errors += _scope(doc.get("scope"))
    sync = doc["sync"]
    if sync.get("on_out_of_scope", "archive") not in ON_OUT_OF_SCOPE:
        errors.append(f"sync.on_out_of_scope is {sync.get('on_out_of_scope')!r}; use archive, delete or keep")
    if sync.get("on_move", "archive") not in ON_MOVE:
        errors.append(f"sync.on_move is {sync.get('on_move')!r}; use archive or delete")
    return errors
