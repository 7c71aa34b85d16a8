"""``MON_Drift``: what ``python -m pusher reconcile`` found changed by hand on the boards, one row
per finding (docs/CONTRACT.md, issue 21), and the confirmed state it compares the boards with.

The table is created by dbt's on-run-start hook (macro ``create_push_log``) and here when missing.
All values are ``?`` parameters.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pusher.store.database import Database

DRIFT = "MON_Drift"
DRIFT_COLUMNS = (
    "drift_id", "found_at", "run_id", "customer_name", "board_id", "entity", "sync_key", "monday_id",
    "drift_class", "detail", "before_value", "after_value", "action",
)  # fmt: skip
_MAX = {"detail": 255, "sync_key": 400}


@dataclass
class DriftRow:
    customer_name: str
    board_id: str | None
    entity: str  # item | subitem | group
    sync_key: str | None
    monday_id: str | None
    drift_class: str
    detail: str | None
    before_value: str | None
    after_value: str | None
    action: str  # reported | repair (a push-log row was written so the next push puts it back)


def create_drift(db: Database) -> None:
    """``MON_Drift`` when it is missing (dbt's on-run-start hook makes it too)."""
    table = db.relation(DRIFT)
    sqlserver = db.dialect == "sqlserver"
    text, long_text, when = (
        ("NVARCHAR", "NVARCHAR(MAX)", "DATETIME2(6)") if sqlserver else ("VARCHAR", "VARCHAR", "TIMESTAMP")
    )
    columns = (
        f"drift_id VARCHAR(36) NOT NULL, found_at {when} NOT NULL, run_id VARCHAR(36) NOT NULL, "
        f"customer_name {text}(255), board_id VARCHAR(32), entity VARCHAR(10) NOT NULL, "
        f"sync_key {text}(400), monday_id VARCHAR(32), drift_class VARCHAR(30) NOT NULL, "
        f"detail {text}(255), before_value {long_text}, after_value {long_text}, action VARCHAR(10) NOT NULL"
    )
    with db.transaction() as cur:
        if sqlserver:
            cur.execute(f"IF OBJECT_ID(N'{table}', N'U') IS NULL CREATE TABLE {table} ({columns})")
        else:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")


def write_drift(db: Database, run_id: str, rows: Iterable[DriftRow]) -> int:
    """Append the findings of one run, in one transaction; returns how many."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # noqa: UP017 (3.10)
    out = []
    for r in rows:
        rec: dict[str, Any] = dict(vars(r))
        for key, limit in _MAX.items():
            if isinstance(rec.get(key), str) and len(rec[key]) > limit:
                rec[key] = rec[key][: limit - 1] + "…"
        rec.update(drift_id=str(uuid.uuid4()), found_at=now, run_id=run_id)
        out.append(tuple(rec.get(c) for c in DRIFT_COLUMNS))
    if out:
        create_drift(db)
        with db.transaction() as cur:
            db.insert_many(cur, db.relation(DRIFT), DRIFT_COLUMNS, out)
    return len(out)


# ------------------------------------------------------------------ the confirmed state
@dataclass
class LoggedItem:
    """An item as the push log last confirmed it (``MON_CustMasterSchedule``)."""

    sync_key: str
    customer_name: str
    board_id: str | None
    monday_id: str | None
    monday_group_id: str | None
    group_title: str | None
    item_name: str | None
    column_values: str | None
    payload_hash: str | None
    live: bool


@dataclass
class LoggedSubitem:
    sync_key: str
    parent_sync_key: str | None
    monday_id: str | None
    monday_parent_id: str | None
    item_name: str | None
    column_values: str | None
    payload_hash: str | None


def _customer_filter(customers: Sequence[str] | None) -> tuple[str, list[Any]]:
    if customers is None:
        return "", []
    marks = ", ".join("?" for _ in customers)
    return f" AND customer_name IN ({marks})", list(customers)


def logged_items(db: Database, customers: Sequence[str] | None = None) -> list[LoggedItem]:
    """Every item the push log confirmed (live or not) of ``customers`` (None: all)."""
    where, params = _customer_filter(customers)
    rows = db.query(
        "SELECT sync_key, customer_name, board_id, monday_item_id, monday_group_id, group_title, "
        "item_name, column_values, payload_hash, is_live "
        f"FROM {db.relation('MON_CustMasterSchedule')} WHERE 1 = 1{where}",
        params,
    )
    return [
        LoggedItem(*(None if v is None else str(v) for v in r[:9]), live=bool(r[9]))  # type: ignore[arg-type]
        for r in rows
    ]


def logged_subitems(db: Database, customers: Sequence[str] | None = None) -> list[LoggedSubitem]:
    """Every live subitem the push log confirmed, of ``customers`` (None: all)."""
    where, params = _customer_filter(customers)
    relation = db.relation("MON_CustMasterSchedule_Subitems")
    rows = db.query(
        "SELECT sync_key, parent_sync_key, monday_subitem_id, monday_parent_item_id, item_name, "
        f"column_values, payload_hash FROM {relation} WHERE is_live = ?{where}",
        [True, *params],
    )
    return [LoggedSubitem(*(None if v is None else str(v) for v in r)) for r in rows]  # type: ignore[arg-type]


def logged_groups(db: Database, customer: str, board_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """board id → {group id → title} of ``customer``'s groups the push log knows on those boards."""
    if not board_ids:
        return {}
    marks = ", ".join("?" for _ in board_ids)
    rows = db.query(
        f"SELECT board_id, monday_group_id, group_title FROM {db.relation('MON_Groups')} "
        f"WHERE customer_name = ? AND board_id IN ({marks}) AND monday_group_id IS NOT NULL",
        [customer, *board_ids],
    )
    out: dict[str, dict[str, str]] = {}
    for board_id, gid, title in rows:
        out.setdefault(str(board_id), {})[str(gid)] = str(title)
    return out


def logged_customers(db: Database) -> list[str]:
    """Every customer the push log has an item of (``reconcile --all-customers``)."""
    relation = db.relation("MON_CustMasterSchedule")
    return sorted(str(r[0]) for r in db.query(f"SELECT DISTINCT customer_name FROM {relation}") if r[0])
