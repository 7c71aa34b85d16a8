"""``python -m pusher status``: how the sync is doing, from the database alone (no monday call).

- the last runs (``MON_BatchProcessing`` grouped by run, else ``MON_PushLog``) and the batches
  still in flight (``VW_MON_ActiveBatches``);
- the outbox backlog per customer and operation (``STG_MON_CustMasterSchedule[_Subitems]``);
- errors by code with a sample message (``ERR_MON_CustMasterSchedule[_Subitems]``);
- parked rows: rows whose last N or more outcomes in a row were errors (``attempts`` in the ERR_
  models). N is ``--parked-after``, else ``sync.parked_after`` in monday.yml, else 3;
- the boards: dbt's capacity plan per board (``MON_BoardCapacity``; with ``--customer``, the boards
  its outbox rows are on): items on the board, planned creates / archives / deletes, subitems,
  the limit and the room left, boards not made yet and boards over the limit marked;
- every outbox row accounted for: parked, failed (retried by the next run), waiting for a board
  (not made yet, or over monday's items limit), waiting for its parent item, or not attempted
  yet (a run since the last build would have taken it);
- warnings: lines sent with a value cut to monday's limits (``WARN_ORDERS_UNIFIED``).

Exit code 0, or 2 when the database or the models cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from pusher.boards.capacity import read_plan
from pusher.commands.status_render import WAITING, render
from pusher.config.settings import config_path
from pusher.errors import EXIT_CONFIG, EXIT_OK, ConfigError, PusherError
from pusher.store.connection import connect
from pusher.store.database import Database
from pusher.store.outbox import ITEM_OUTBOX, label, present_columns

DEFAULT_PARKED_AFTER = 3
ERR_MODELS = (("item", "ERR_MON_CustMasterSchedule"), ("subitem", "ERR_MON_CustMasterSchedule_Subitems"))
OUTBOXES = (("item", "STG_MON_CustMasterSchedule"), ("subitem", "STG_MON_CustMasterSchedule_Subitems"))


def parked_after_from_config(explicit: str | None) -> int:
    path = config_path(explicit, os.environ)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        value = (data.get("sync") or {}).get("parked_after")
        return int(value) if value is not None else DEFAULT_PARKED_AFTER
    except (OSError, yaml.YAMLError, TypeError, ValueError, AttributeError):
        return DEFAULT_PARKED_AFTER


def _rows(db: Database, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    return [{k.lower(): v for k, v in r.items()} for r in db.query_dicts(sql, params)]


def _customer_clause(customers: Sequence[str], column: str = "customer_name") -> tuple[str, list[str]]:
    if not customers:
        return "", []
    marks = ", ".join("UPPER(?)" for _ in customers)
    return f" AND UPPER({column}) IN ({marks})", [label(c) for c in customers]


def last_runs(db: Database, customers: Sequence[str], limit: int) -> list[dict[str, Any]]:
    where, params = _customer_clause(customers)
    if db.relation_exists("MON_BatchProcessing"):
        sql = (
            "SELECT run_id, MAX(customer_name) AS customer_name, MIN(started_at) AS started_at,"
            " MAX(last_event_at) AS ended_at, COUNT(*) AS batches,"
            " SUM(operations_sent) AS sent, SUM(operations_ok) AS ok, SUM(operations_error) AS error,"
            " SUM(operations_unknown) AS unknown, SUM(operations_pending) AS pending"
            f" FROM {db.relation('MON_BatchProcessing')} WHERE 1 = 1{where} GROUP BY run_id"
        )
    elif not db.relation_exists("MON_PushLog"):
        raise ConfigError(f"{db.schema}.MON_PushLog does not exist: run `dbt build` for this target first")
    else:  # the batch models are not built: the raw log
        sql = (
            "SELECT run_id, MAX(customer_name) AS customer_name, MIN(logged_at) AS started_at,"
            " MAX(logged_at) AS ended_at, COUNT(DISTINCT batch_id) AS batches,"
            " SUM(CASE WHEN phase = 'intent' THEN 1 ELSE 0 END) AS sent,"
            " SUM(CASE WHEN phase = 'outcome' AND status = 'ok' THEN 1 ELSE 0 END) AS ok,"
            " SUM(CASE WHEN phase = 'outcome' AND status = 'error' THEN 1 ELSE 0 END) AS error,"
            " SUM(CASE WHEN phase = 'outcome' AND status = 'unknown' THEN 1 ELSE 0 END) AS unknown,"
            " 0 AS pending"
            f" FROM {db.relation('MON_PushLog')} WHERE 1 = 1{where} GROUP BY run_id"
        )
    runs = _rows(db, sql, params)
    runs.sort(key=lambda r: str(r.get("ended_at") or ""), reverse=True)
    return runs[:limit]


def backlog(db: Database, customers: Sequence[str]) -> list[dict[str, Any]]:
    where, params = _customer_clause(customers)
    out: list[dict[str, Any]] = []
    for entity, relation in OUTBOXES:
        if not db.relation_exists(relation):
            raise ConfigError(f"outbox {db.schema}.{relation} does not exist: run `dbt build` first")
        sql = (
            f"SELECT customer_name, operation, COUNT(*) AS n FROM {db.relation(relation)}"
            f" WHERE 1 = 1{where} GROUP BY customer_name, operation"
        )
        out += [{"entity": entity, **r} for r in _rows(db, sql, params)]
    out.sort(key=lambda r: (str(r["customer_name"]), r["entity"], str(r["operation"])))
    return out


def errors(db: Database, customers: Sequence[str], parked_after: int) -> tuple[list[dict], list[dict]]:
    """(errors by entity and code with a sample message, parked rows)."""
    where, params = _customer_clause(customers)
    by_code: list[dict[str, Any]] = []
    parked: list[dict[str, Any]] = []
    for entity, relation in ERR_MODELS:
        if not db.relation_exists(relation):
            continue
        rel = db.relation(relation)
        by_code += [
            {"entity": entity, **r}
            for r in _rows(
                db,
                "SELECT error_code, COUNT(*) AS n, MAX(attempts) AS max_attempts,"
                " MIN(error_message) AS sample_message, MAX(last_failed_at) AS last_failed_at"
                f" FROM {rel} WHERE 1 = 1{where} GROUP BY error_code",
                params,
            )
        ]
        parked += [
            {"entity": entity, **r}
            for r in _rows(
                db,
                "SELECT customer_name, sync_key, operation, error_code, error_message, attempts,"
                f" first_failed_at, last_failed_at FROM {rel} WHERE attempts >= ?{where}",
                [parked_after, *params],
            )
        ]
    by_code.sort(key=lambda r: (-int(r["n"] or 0), r["entity"], str(r["error_code"])))
    parked.sort(key=lambda r: (-int(r["attempts"] or 0), str(r["customer_name"]), str(r["sync_key"])))
    return by_code, parked


def capacity_plan(db: Database, customers: Sequence[str]) -> list[dict[str, Any]] | None:
    """``MON_BoardCapacity`` rows (None when not built); with customers, their outbox's boards."""
    names = None
    if not customers or not db.relation_exists(ITEM_OUTBOX):
        return read_plan(db)
    if "board_name" in present_columns(db, ITEM_OUTBOX, ("board_name",)):
        where, params = _customer_clause(customers)
        sql = f"SELECT DISTINCT board_name FROM {db.relation(ITEM_OUTBOX)} WHERE 1 = 1{where}"
        names = {str(r[0]) for r in db.query(sql, params) if r[0]}
    return read_plan(db, names)


# Why an outbox row is still there, in the order the checks apply (ACCOUNTED: a run that exits 0
# may leave these; "not attempted" means no run has taken the row since the last build).
ACCOUNTED = ("parked", "board_not_made", "board_full", "parent_waiting")


def accounting(db: Database, customers: Sequence[str], parked_after: int) -> list[dict[str, Any]]:
    """Every outbox row with why it is still there: rows per (entity, customer, state)."""
    where, params = _customer_clause(customers, "o.customer_name")
    out: list[dict[str, Any]] = []
    for (entity, relation), (_, err) in zip(OUTBOXES, ERR_MODELS, strict=True):
        rel = db.relation(relation)
        have_err = db.relation_exists(err)
        joins = f" LEFT JOIN {db.relation(err)} e ON e.sync_key = o.sync_key" if have_err else ""
        cases = ["WHEN e.attempts >= ? THEN 'parked'", "WHEN e.sync_key IS NOT NULL THEN 'failed'"]
        args: list[Any] = [parked_after] if have_err else []
        cases = cases if have_err else []
        if entity == "item" and "board_name" in present_columns(db, relation, ("board_name",)):
            cases.append("WHEN o.operation = 'create' AND o.board_id IS NULL THEN 'board_not_made'")
            if db.relation_exists("MON_BoardCapacity"):
                joins += f" LEFT JOIN {db.relation('MON_BoardCapacity')} c ON c.board_name = o.board_name"
                cases.append("WHEN o.operation = 'create' AND c.is_over = ? THEN 'board_full'")
                args.append(True)
        if entity == "subitem":
            cases.append(
                "WHEN o.operation = 'create' AND o.monday_parent_item_id IS NULL THEN 'parent_waiting'"
            )
        state = f"CASE {' '.join(cases)} ELSE 'not_attempted' END" if cases else "'not_attempted'"
        sql = (
            "SELECT customer_name, state, COUNT(*) AS n FROM ("
            f"SELECT o.customer_name, {state} AS state FROM {rel} o{joins} WHERE 1 = 1{where}"
            ") t GROUP BY customer_name, state"
        )
        out += [{"entity": entity, **r} for r in _rows(db, sql, args + params)]
    out.sort(key=lambda r: (list(WAITING).index(r["state"]), r["entity"], str(r["customer_name"])))
    return out


def warnings(db: Database, customers: Sequence[str], samples: int = 5) -> dict[str, Any] | None:
    """Values sent cut to monday's limits (``WARN_ORDERS_UNIFIED``), None when it is not built."""
    if not db.relation_exists("WARN_ORDERS_UNIFIED"):
        return None
    where, params = _customer_clause(customers, '"CUSTOMER NAME"')
    rel = db.relation("WARN_ORDERS_UNIFIED")
    by_column = _rows(
        db, f"SELECT column_name, COUNT(*) AS n FROM {rel} WHERE 1 = 1{where} GROUP BY column_name", params
    )
    sql = f"SELECT record_uuid, reason FROM {rel} WHERE 1 = 1{where} ORDER BY record_uuid"
    sample = _rows(db, sql, params)
    by_column.sort(key=lambda r: (-int(r["n"]), str(r["column_name"])))
    return {"by_column": by_column, "samples": sample[:samples], "total": sum(int(r["n"]) for r in by_column)}


def drift(db: Database, customers: Sequence[str]) -> list[dict[str, Any]]:
    """The latest ``reconcile`` of each customer (MON_Drift, issue 21): when, and findings by class."""
    if not db.relation_exists("MON_Drift"):
        return []
    where, params = _customer_clause(customers, "d.customer_name")
    rel = db.relation("MON_Drift")
    return _rows(
        db,
        "SELECT d.customer_name, d.found_at, d.drift_class, d.action, COUNT(*) AS n FROM "
        f"{rel} d INNER JOIN (SELECT customer_name, MAX(found_at) AS last_at FROM {rel} "
        "GROUP BY customer_name) l ON l.customer_name = d.customer_name AND l.last_at = d.found_at "
        f"WHERE 1 = 1{where} GROUP BY d.customer_name, d.found_at, d.drift_class, d.action "
        "ORDER BY d.customer_name, d.drift_class",
        params,
    )


def collect(db: Database, customers: Sequence[str], parked_after: int, runs: int = 10) -> dict[str, Any]:
    pending = backlog(db, customers)
    by_code, parked = errors(db, customers, parked_after)
    active = 0
    if db.relation_exists("VW_MON_ActiveBatches"):
        where, params = _customer_clause(customers)
        rel = db.relation("VW_MON_ActiveBatches")
        active = int(db.query(f"SELECT COUNT(*) FROM {rel} WHERE 1 = 1{where}", params)[0][0] or 0)
    return {
        "capacity": capacity_plan(db, customers),
        "runs": last_runs(db, customers, runs),
        "active_batches": active,
        "backlog": pending,
        "errors": by_code,
        "parked_after": parked_after,
        "parked": parked,
        "accounting": accounting(db, customers, parked_after),
        "warnings": warnings(db, customers),
        "drift": drift(db, customers),
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pusher status",
        description="Last runs, outbox backlog, errors by code and parked rows, from the database only.",
    )
    p.add_argument("--customer", action="append", default=[], help="only this customer (repeatable)")
    p.add_argument("--runs", type=int, default=10, help="how many recent runs to show (default 10)")
    p.add_argument(
        "--parked-after",
        type=int,
        help=f"a row is parked after this many failures in a row (default: sync.parked_after, "
        f"else {DEFAULT_PARKED_AFTER})",
    )
    p.add_argument("--target", help="dbt target in profile order_sync")
    p.add_argument("--profiles-dir", help="directory holding profiles.yml")
    p.add_argument("--config", help="monday.yml (for sync.parked_after)")
    p.add_argument("--log-format", choices=("text", "json"), default="text", help="json: one JSON object")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    parked_after = args.parked_after or parked_after_from_config(args.config)
    try:
        db = connect(args.target, args.profiles_dir)
    except PusherError as exc:
        print(f"order-sync status: {exc}", flush=True)
        return EXIT_CONFIG
    try:
        report = collect(db, args.customer, max(1, parked_after), max(1, args.runs))
    except PusherError as exc:
        print(f"order-sync status: {exc}", flush=True)
        return EXIT_CONFIG
    finally:
        db.close()
    if args.log_format == "json":
        print(
            json.dumps({"event": "status", **report}, default=_json_default, ensure_ascii=False), flush=True
        )
    else:
        print(render(report), flush=True)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
