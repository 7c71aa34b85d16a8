"""``python -m pusher reconcile [--customer X | --all-customers] [--repair] [--log-format json]``

Reads every board the push log says holds a customer's items, as planners left it, and lists what
was changed by hand, per class (docs/CONTRACT.md, "Reconcile"; README, "What planners may
change"). ``--repair`` writes the findings to the push log so that the next ``dbt build`` + push
puts the board back through the ordinary path (``reconcile.repair`` in monday.yml says which
classes). Every finding is also appended to ``MON_Drift``. Exit 0 no drift, 1 drift found, 2
configuration, 3 monday's limit, 4 another run holds the customer.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Sequence

from pusher.commands.output import Output
from pusher.config.settings import load_settings
from pusher.errors import EXIT_BUSY, EXIT_CONFIG, EXIT_OK, EXIT_ROWS_FAILED, PusherError
from pusher.monday.client import AuthFailed, ClientError
from pusher.reconcile.run import Reconcile, Result
from pusher.store.connection import connect
from pusher.store.drift import logged_customers, logged_items
from pusher.store.locks import CustomerLock

EXAMPLES = 3  # findings shown per class in the text report


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pusher reconcile",
        description="Find what was changed by hand on the boards; --repair has the next push put it back.",
        epilog="exit codes: 0 no drift, 1 drift found, 2 configuration, 3 monday's limit, 4 customer busy",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", action="append", default=[], help="CUSTOMER NAME (repeatable)")
    who.add_argument("--all-customers", action="store_true", help="every customer the push log knows")
    p.add_argument("--repair", action="store_true", help="log the findings so the next push puts them back")
    p.add_argument("--target", help="dbt target in profile order_sync (default: the profile's target)")
    p.add_argument("--profiles-dir", help="directory holding profiles.yml (default: $DBT_PROFILES_DIR, ./)")
    p.add_argument("--config", help="monday.yml (default: $ORDER_SYNC_CONFIG or ./monday.yml)")
    p.add_argument(
        "--wait-for-lock",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for a run holding the customer (default: do not wait)",
    )
    p.add_argument("--log-format", choices=("text", "json"), default="text")
    return p


def render(result: Result, repair: bool) -> str:
    counts = result.counts()
    head = (
        f"order-sync reconcile {result.customer}: {len(result.boards)} board(s), "
        f"{result.items_read} items and {result.subitems_read} subitems read "
        f"in {result.requests} calls, {result.seconds:.1f} s: "
    )
    if not counts:
        return head + "no drift"
    lines = [head + f"{len(result.findings)} finding(s)"]
    for cls, n in counts.items():
        lines.append(f"  {cls:<16} {n}")
        for f in [f for f in result.findings if f.drift_class == cls][:EXAMPLES]:
            what = f" {f.detail}:" if f.detail else ""
            lines.append(f"      {f.entity} {f.sync_key} ({f.monday_id}){what} {f.before!r} → {f.after!r}")
    if repair:
        lines.append(
            f"  repair: {result.repair_rows} push-log row(s) written; "
            "dbt build and the next push put them back"
        )
    return "\n".join(lines)


def fields(result: Result, repair: bool) -> dict[str, object]:
    return {
        "customer": result.customer,
        "boards": result.boards,
        "counts": result.counts(),
        "findings": [
            {
                "class": f.drift_class,
                "entity": f.entity,
                "board_id": f.board_id,
                "sync_key": f.sync_key,
                "monday_id": f.monday_id,
                "detail": f.detail,
                "before": f.before,
                "after": f.after,
            }
            for f in result.findings
        ],
        "repair": repair,
        "repair_rows": result.repair_rows,
        "items_read": result.items_read,
        "subitems_read": result.subitems_read,
        "http_calls": result.requests,
        "seconds": round(result.seconds, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    out = Output(args.log_format, os.environ.get("MONDAY_API_TOKEN", "").strip())

    def fail(exc: BaseException, code: int, customer: str | None = None) -> int:
        out.emit(
            "error",
            f"order-sync reconcile: {type(exc).__name__}: {exc}",
            customer=customer,
            error=type(exc).__name__,
            message=str(exc),
            exit_code=code,
        )
        return code

    try:
        db = connect(args.target, args.profiles_dir, wait_seconds=args.wait_for_lock)
    except PusherError as exc:
        return fail(exc, exc.exit_code)
    try:
        try:
            items = logged_items(db)
            customers = logged_customers(db) if args.all_customers else list(dict.fromkeys(args.customer))
        except PusherError as exc:
            return fail(exc, exc.exit_code)
        reconcile = Reconcile(db, items)
        worst = EXIT_OK
        for customer in customers:
            run_id = str(uuid.uuid4())
            lock = CustomerLock(db, customer, run_id)
            try:
                settings = load_settings(customer, config_file=args.config)
                lock.acquire(args.wait_for_lock)
                result = reconcile.run(settings, args.repair, run_id)
            except (PusherError, ClientError) as exc:
                code = (
                    exc.exit_code
                    if isinstance(exc, PusherError)
                    else (EXIT_CONFIG if isinstance(exc, AuthFailed) else EXIT_ROWS_FAILED)
                )
                if code != EXIT_BUSY or not args.all_customers:
                    worst = max(worst, code)
                fail(exc, code, customer)
                continue
            finally:
                lock.release()
            code = EXIT_ROWS_FAILED if result.findings else EXIT_OK
            worst = max(worst, code)
            out.emit("reconcile", render(result, args.repair), **fields(result, args.repair), exit_code=code)
        if not customers:
            out.emit("message", "order-sync reconcile: the push log knows no customer yet")
        if out.json or len(customers) > 1:
            out.emit(
                "run_end",
                f"order-sync reconcile: {len(customers)} customers, exit code {worst}",
                customers=customers,
                exit_code=worst,
            )
        return worst
    finally:
        db.close()
