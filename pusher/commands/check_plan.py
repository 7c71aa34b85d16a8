"""What ``python -m pusher check`` reads from the database (best effort) and says about dbt's plan.

- item creates waiting in the outbox per board id (the row's ``board_id``; an outbox without the
  board columns: the board monday.yml gives its customer);
- ``MON_BoardCapacity`` per board (of the ``--customer`` ones' outbox rows when given): boards dbt
  plans past the limit fail the check, boards not made yet fail it while ``boards.auto_create`` is
  off, and boards made on demand are checked on monday like the configured ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pusher.boards.capacity import plan_line, read_plan
from pusher.store.connection import connect
from pusher.store.database import Database
from pusher.store.outbox import ITEM_OUTBOX, label_in, present_columns

Plan = list[dict[str, Any]]


def board_of(config: Mapping[str, Any], customer: str) -> str | None:
    """The item board monday.yml gives ``customer`` (its own entry, else boards.default)."""
    boards = config.get("boards") or {}
    for name, entry in (boards.get("customers") or {}).items():
        if str(name).strip().casefold() == customer.strip().casefold() and isinstance(entry, Mapping):
            return str(entry.get("board_id") or "").strip() or None
    default = boards.get("default")
    return str(default.get("board_id") or "").strip() or None if isinstance(default, Mapping) else None


def _creates(db: Database, config: Mapping[str, Any]) -> dict[str, int]:
    if not db.relation_exists(ITEM_OUTBOX):
        return {}
    rel = db.relation(ITEM_OUTBOX)
    out: dict[str, int] = {}
    if "board_id" in present_columns(db, ITEM_OUTBOX, ("board_id",)):
        rows = db.query(
            f"SELECT board_id, COUNT(*) FROM {rel} WHERE operation = 'create' AND board_id IS NOT NULL "
            "GROUP BY board_id"
        )
        return {str(board): int(n) for board, n in rows}
    rows = db.query(
        f"SELECT customer_name, COUNT(*) FROM {rel} WHERE operation = 'create' GROUP BY customer_name"
    )
    for customer, n in rows:
        board = board_of(config, str(customer or ""))
        if board:
            out[board] = out.get(board, 0) + int(n)
    return out


def _board_names(db: Database, customers: Sequence[str]) -> set[str] | None:
    """The boards the customers' outbox rows are on (None: every board, or the column is missing)."""
    if not customers or not db.relation_exists(ITEM_OUTBOX):
        return None
    if "board_name" not in present_columns(db, ITEM_OUTBOX, ("board_name",)):
        return None
    matches, params = label_in("customer_name", customers)
    sql = f"SELECT DISTINCT board_name FROM {db.relation(ITEM_OUTBOX)} WHERE 1 = 1{matches}"
    rows = db.query(sql, params)
    return {str(r[0]) for r in rows if r[0]}


def from_database(
    config: Mapping[str, Any], target: str | None, profiles_dir: str | None, customers: Sequence[str] = ()
) -> tuple[dict[str, int], Plan | None]:
    """(item creates waiting per board id, MON_BoardCapacity rows or None when not built)."""
    db = connect(target, profiles_dir)
    try:
        return _creates(db, config), read_plan(db, _board_names(db, customers))
    finally:
        db.close()


def made_boards(plan: Plan | None, known: set[str]) -> list[tuple[str, str, str | None]]:
    """(label, board id, subitems board id) of planned boards on monday that monday.yml does not name."""
    out = []
    for r in plan or []:
        board_id = str(r.get("board_id") or "").strip()
        if board_id and board_id not in known and r.get("board_exists"):
            sub = str(r.get("subitem_board_id") or "").strip() or None
            out.append((f"board {r.get('board_name')!r} (made on demand)", board_id, sub))
    return out


def judge(plan: Plan | None, auto_create: bool) -> tuple[list[str], list[str]]:
    """(problems, info lines) about dbt's capacity plan."""
    if plan is None:
        return [], ["MON_BoardCapacity not built: no capacity plan to show (run dbt build)"]
    problems: list[str] = []
    info = [f"capacity plan (MON_BoardCapacity): {len(plan)} board(s)"]
    for r in plan:
        line = plan_line(r)
        if r.get("is_over"):
            problems.append(
                f"{line}: dbt plans more than the board holds: raise boards.capacity_margin (with "
                "boards.auto_create: true) so whole orders overflow onto a new board, or narrow `scope`"
            )
        elif not r.get("board_exists") and not auto_create:
            problems.append(
                f"{line}: not on monday and boards.auto_create is off: set boards.auto_create: true in "
                f"monday.yml, or `python -m pusher board create --name {r.get('board_name')!r}` and put "
                "its ids in monday.yml"
            )
        else:
            info.append(line + ("  (made on the next run)" if not r.get("board_exists") else ""))
    return problems, info
