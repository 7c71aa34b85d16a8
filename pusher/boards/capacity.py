"""Board capacity, the last line: monday holds at most 10,000 items per board (subitems boards too).

dbt plans boards so that none passes ``boards.max_items_per_board - capacity_margin``
(``MON_BoardCapacity``). Still, before any create is sent to a board, the board's ``items_count``
(from the one read of the run) plus the creates this run plans there must stay within
``boards.max_items_per_board``, for the board and for its subitems board. A board that would pass
it gets none of its creates (code ``BOARD_FULL``; they stay in the outbox) while the customer's
other boards sync; the run then exits 1.

The count is conservative: a create that a rerun will adopt (an item an interrupted run already
made) is counted as new, so a board may be called full a few items early, never late.

``read_plan`` / ``render_plan`` show dbt's plan per board (``MON_BoardCapacity``) in ``--dry-run``,
``python -m pusher check`` and ``python -m pusher status``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pusher.store.database import Database

BOARD_FULL = "BOARD_FULL"


def over_limit(where: str, items_count: int | None, planned_creates: int, limit: int) -> str | None:
    """Why ``planned_creates`` more would pass the limit on the board ``where`` describes (e.g.
    ``"board 'Orders (2)' (9001)"``), or None when they fit.

    ``items_count`` None (the read gave none) passes: monday itself then refuses the creates one
    by one, each logged as an error and retried by a later run.
    """
    if not planned_creates or items_count is None:
        return None
    total = items_count + planned_creates
    if total <= limit:
        return None
    room = max(0, limit - items_count)
    return (
        f"{where} holds {items_count} items and this run would create {planned_creates} more "
        f"({total} > the limit of {limit} items per board, boards.max_items_per_board; room for "
        f"{room}); its creates stay in the outbox. Let dbt overflow onto a new board (raise "
        "boards.capacity_margin, with boards.auto_create: true so the pusher makes it), or narrow "
        "`scope` / archive finished orders on that board, then rebuild and rerun"
    )


# ------------------------------------------------------------------ the plan dbt made
CAPACITY_VIEW = "MON_BoardCapacity"


def read_plan(db: Database, board_names: Collection[str] | None = None) -> list[dict[str, Any]] | None:
    """``MON_BoardCapacity`` rows (of ``board_names`` when given), or None when it is not built."""
    if not db.relation_exists(CAPACITY_VIEW):
        return None
    sql = f"SELECT * FROM {db.relation(CAPACITY_VIEW)}"
    params: list[Any] = []
    if board_names is not None:
        names = sorted({n for n in board_names if n})
        if not names:
            return []
        sql += f" WHERE board_name IN ({', '.join('?' for _ in names)})"
        params = names
    rows = [{k.lower(): v for k, v in r.items()} for r in db.query_dicts(sql, params)]
    rows.sort(
        key=lambda r: (str(r.get("route_key") or ""), int(r.get("overflow_no") or 0), str(r["board_name"]))
    )
    return rows


def _n(value: Any) -> int:
    return int(value or 0)


def plan_line(r: dict[str, Any]) -> str:
    """One board of the plan: what is on it, what the outbox adds and removes, what is left."""
    name = repr(r["board_name"]) if r.get("board_name") else "a board not in MON_Boards"
    where = f"{name} ({r.get('board_id') or 'no id yet'})"
    marks = []
    if not r.get("board_exists"):
        marks.append("NOT MADE YET")
    if r.get("is_over"):
        marks.append("OVER THE LIMIT")
    line = (
        f"{where}: items {_n(r.get('items_on_board'))} +{_n(r.get('planned_item_creates'))} create"
        f" -{_n(r.get('planned_item_archives'))} archive -{_n(r.get('planned_item_deletes'))} delete"
        f" → {_n(r.get('items_after'))} of {_n(r.get('max_items'))} (room {_n(r.get('room_items'))});"
        f" subitems {_n(r.get('subitems_on_board'))} +{_n(r.get('planned_subitem_creates'))}"
        f" -{_n(r.get('planned_subitem_deletes'))} → {_n(r.get('subitems_after'))}"
        f" (room {_n(r.get('room_subitems'))})"
    )
    return line + (f"  [{', '.join(marks)}]" if marks else "")


def render_plan(rows: list[dict[str, Any]] | None, indent: str = "  ") -> list[str]:
    if rows is None:
        return [f"{indent}board capacity: {CAPACITY_VIEW} is not built (run dbt build)"]
    if not rows:
        return [f"{indent}board capacity: no boards planned"]
    over = sum(1 for r in rows if r.get("is_over"))
    unmade = sum(1 for r in rows if not r.get("board_exists"))
    head = f"{indent}board capacity ({CAPACITY_VIEW}): {len(rows)} board(s)"
    head += f", {unmade} not made yet" if unmade else ""
    head += f", {over} OVER THE LIMIT" if over else ""
    return [head] + [f"{indent}  {plan_line(r)}" for r in rows]
