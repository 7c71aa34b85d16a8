"""The board the source wants, and the one check that the sandbox holds it, for every end-to-end test.

Computed in Python from the raw dbo.ORDERS_UNIFIED (``tests.support.source``), not from the dbt
models under test: one item per active line (not quarantined, not cancelled) in the group
"<customer> <season>" (the season falling back to AAG SEASON), on a board of the line's route
under monday.yml's ``boards`` section, and one subitem per size above zero with its quantity.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.sandbox import SandboxServer
from tests.support.paths import MONDAY_YML
from tests.support.source import active_rows, positive_sizes


@dataclass(frozen=True)
class Line:
    """An active source line as monday should show it."""

    sync_key: str
    customer: str
    order: str  # AAG ORDER NUMBER
    group: str  # "<customer> <season>"
    route: str  # the route key: board 1's name ("<route> (n)" for board n)
    board_id: str | None  # the route's fixed board 1, when it has one
    total_qty: str | None
    sizes: dict[str, str]  # size → quantity text, one subitem each


def _route(boards: dict[str, Any], customer: str, season: str | None) -> tuple[str, str | None]:
    """(route key, fixed board id) of a line: its customer's entry under ``boards.customers``
    (trimmed, case-insensitive), else ``boards.default``, and that route's board name template."""
    customers = {str(k).strip().upper(): v for k, v in (boards.get("customers") or {}).items()}
    own = customers.get(customer.strip().upper())
    route = own if own is not None else (boards.get("default") or {})
    template = route.get("name") or (
        "{customer} {season}" if route.get("split_by") == "season" else "{customer}" if own else "Orders"
    )
    board_id = route.get("board_id")
    return template.format(customer=customer, season=season or "No season"), board_id and str(board_id)


def expected_lines(db: Path, config: Path = MONDAY_YML) -> dict[str, Line]:
    """sync key → the line monday should show, for every active line of the source."""
    boards = yaml.safe_load(Path(config).read_text(encoding="utf-8"))["boards"]
    lines = {}
    for key, row in active_rows(db).items():
        customer, season = row["CUSTOMER NAME"], row["CUSTOMER SEASON"]
        season = season.strip() if season and season.strip() else row["AAG SEASON"]
        route, board_id = _route(boards, customer, season)
        total = row["TOTAL_QTY"]
        lines[key] = Line(
            sync_key=key,
            customer=customer,
            order=row["AAG ORDER NUMBER"],
            group=f"{customer} {season}",
            route=route,
            board_id=board_id,
            total_qty=None if total is None else str(total),
            sizes={size: str(qty) for size, qty in positive_sizes(row).items()},
        )
    return lines


def on_route(board_name: str, route_key: str) -> bool:
    """Board 1 of a route is named by its route key, board n >= 2 "<route key> (n)"."""
    return re.fullmatch(re.escape(route_key) + r"( \((?:[2-9]|[1-9]\d+)\))?", board_name) is not None


def assert_board_matches_source(
    db: Path, sandbox: SandboxServer, config: Path = MONDAY_YML
) -> dict[str, dict[str, str]]:
    """Every active line once, live, on a board of its route (its fixed board, or one named for
    the route), in its group, with its TOTAL_QTY and one subitem per non-zero size with its
    quantity; nothing else live; an order whole on one board; no board over
    ``boards.max_items_per_board`` (archived items count). Returns where each line is:
    sync key → {board, board_id, item_id}."""
    want = expected_lines(db, config)
    max_items = yaml.safe_load(Path(config).read_text(encoding="utf-8"))["boards"].get(
        "max_items_per_board", 10_000
    )
    state = sandbox.snapshot()
    boards = {b["id"]: b for b in state["boards"]}
    groups = {(b["id"], g["id"]): g["title"] for b in boards.values() for g in b["groups"]}
    counts: dict[str, int] = defaultdict(int)
    live: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    subitems: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item in state["items"]:
        if item["state"] == "deleted":
            continue
        counts[item["board_id"]] += 1  # archived items count toward the limit too
        if item["state"] != "active":
            continue
        if item.get("parent_item_id"):
            subitems[item["parent_item_id"]].append((item["name"], item["column_values"].get("qty")))
        else:
            live[item["column_values"].get("sync_key")].append(item)

    over = {boards[b]["name"]: n for b, n in counts.items() if n > max_items}
    assert not over, f"boards over {max_items} items: {over}"
    assert set(live) == set(want), "live items differ from the active lines"
    duplicates = {k: len(v) for k, v in live.items() if len(v) > 1}
    assert not duplicates, f"sync keys live more than once: {duplicates}"

    placed, board_of_order = {}, {}
    for key, line in want.items():
        item = live[key][0]
        board = boards[item["board_id"]]
        assert item["board_id"] == line.board_id or on_route(board["name"], line.route), (
            key, line.route, board["name"],
        )  # fmt: skip
        assert groups[(item["board_id"], item["group_id"])] == line.group, key
        assert item["column_values"].get("total_qty") == line.total_qty, key
        assert sorted(subitems[item["id"]]) == sorted(line.sizes.items()), key
        order = (line.customer, line.order, line.route)
        assert board_of_order.setdefault(order, board["id"]) == board["id"], (
            f"order {order} split over boards"
        )
        placed[key] = {"board": board["name"], "board_id": item["board_id"], "item_id": item["id"]}
    return placed
