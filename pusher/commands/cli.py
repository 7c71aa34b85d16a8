"""``python -m pusher --customer X [--customer Y | --all-customers] [--target T] [--dry-run] ...``

Also ``python -m pusher status`` (``status.py``), ``python -m pusher check`` (``check.py``),
``python -m pusher board create --name ...`` (``board_create.py``) and ``python -m pusher compact``
(``compact.py``, the daily retention step).

Exit codes: 0 all synced (or nothing to send), 1 some rows failed or wait (logged; the next run
retries them; a full board, BOARD_FULL, too), 2 configuration error or a refused run (a board not
made while boards.auto_create is off, after the other boards synced), 3 stopped by monday's
daily/rate limits (the next run resumes). With several customers the worst code wins; a limit stop
skips the rest.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from collections.abc import Sequence

# build_parser and settings_from_args stay importable from here (tests and tools use pusher.cli)
from pusher.commands.args import MAX_LIMIT, build_parser, settings_from_args
from pusher.commands.output import JsonLogFormatter, Output, summary_fields
from pusher.config.settings import Settings
from pusher.errors import (
    EXIT_BUSY,
    EXIT_CONFIG,
    EXIT_LIMIT,
    EXIT_OK,
    EXIT_ROWS_FAILED,
    ConfigError,
    CustomerBusy,
    PusherError,
)
from pusher.monday.client import AuthFailed, ClientError
from pusher.run.summary import Summary
from pusher.store.connection import connect
from pusher.store.database import Database
from pusher.store.locks import CustomerLock
from pusher.sync.run import Sync

SUBCOMMANDS = ("status", "check", "board", "compact")


def customers_with_work(db: Database) -> list[str]:
    """Every customer with a row in either outbox (``--all-customers``)."""
    names: set[str] = set()
    for relation in ("STG_MON_CustMasterSchedule", "STG_MON_CustMasterSchedule_Subitems"):
        if not db.relation_exists(relation):
            raise ConfigError(f"outbox {db.schema}.{relation} does not exist: run `dbt build` first")
        names |= {
            str(r[0]) for r in db.query(f"SELECT DISTINCT customer_name FROM {db.relation(relation)}") if r[0]
        }
    return sorted(names)


def apply_limit(settings: Settings, db: Database, limit: int | None) -> tuple[Settings, int]:
    """``--limit``: narrow a customer's run to its first ``limit`` item operations (in the order
    the pusher sends them). Returns the settings and how many item operations they allow."""
    if limit is None:
        return settings, 0
    from pusher.store.outbox import read_items

    rows = read_items(db, settings.customer, settings.filters)
    if len(rows) <= limit:
        return settings, len(rows)
    keys = tuple(r.sync_key for r in rows[:limit])
    filters = dataclasses.replace(settings.filters, sync_keys=keys)
    return dataclasses.replace(settings, filters=filters), limit


def push_one(
    args: argparse.Namespace, customer: str, db: Database, out: Output, budget: int | None = None
) -> tuple[int, int]:
    """One customer's run: (exit code, item operations taken from the ``--limit`` budget)."""
    used = 0

    def fail(exc: BaseException, code: int) -> tuple[int, int]:
        out.emit(
            "error",
            f"order-sync: {type(exc).__name__}: {exc}",
            customer=customer,
            error=type(exc).__name__,
            message=str(exc),
            exit_code=code,
        )
        return code, used

    try:
        settings, used = apply_limit(settings_from_args(args, customer), db, budget)
    except PusherError as exc:
        return fail(exc, exc.exit_code)
    sync = Sync(settings, db, out=out.say)
    lock = CustomerLock(db, settings.customer, sync.run_id)
    try:
        if not settings.dry_run:  # a plan sends nothing: it needs no lock
            lock.acquire(args.wait_for_lock)
        summary = sync.run()
    except CustomerBusy as exc:
        return fail(exc, exc.exit_code)
    except (PusherError, ClientError) as exc:
        partial: Summary | None = getattr(sync, "summary", None)
        if partial is not None and partial.outbox_rows and not settings.dry_run:
            # what was done (and logged) before the run ended
            out.emit("summary", partial.render(), **summary_fields(partial), partial=True)
        if isinstance(exc, PusherError):
            return fail(exc, exc.exit_code)
        # a bad token, else e.g. the board read failing after its retries
        return fail(exc, EXIT_CONFIG if isinstance(exc, AuthFailed) else EXIT_ROWS_FAILED)
    finally:
        lock.release()
    if not settings.dry_run:
        out.emit("summary", summary.render(), **summary_fields(summary))
    return summary.exit_code, used


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return _subcommand(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    token = os.environ.get("MONDAY_API_TOKEN", "").strip()
    out = Output(args.log_format, token)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    if out.json:
        handler.setFormatter(JsonLogFormatter(out.redact))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])

    if args.limit is not None and not 1 <= args.limit <= MAX_LIMIT:
        out.emit("error", f"order-sync: --limit must be between 1 and {MAX_LIMIT}", exit_code=EXIT_CONFIG)
        return EXIT_CONFIG
    try:
        db = connect(args.target, args.profiles_dir, wait_seconds=args.wait_for_lock)
    except PusherError as exc:
        text = f"order-sync: {type(exc).__name__}: {exc}"
        out.emit("error", text, error=type(exc).__name__, message=str(exc), exit_code=exc.exit_code)
        return exc.exit_code
    try:
        if args.all_customers:
            try:
                customers = customers_with_work(db)
            except PusherError as exc:
                out.emit("error", f"order-sync: {exc}", message=str(exc), exit_code=exc.exit_code)
                return exc.exit_code
            if not customers:
                out.emit("message", "order-sync: nothing to send for any customer (the outbox is empty)")
        else:
            customers = list(dict.fromkeys(c for c in args.customer))
        worst = EXIT_OK
        budget: int | None = args.limit
        for i, customer in enumerate(customers):
            if budget is not None and budget <= 0:
                skipped = customers[i:]
                out.emit(
                    "skipped",
                    f"order-sync: --limit {args.limit} reached; left for the next run: {', '.join(skipped)}",
                    customers=skipped,
                    reason="limit",
                )
                break
            code, used = push_one(args, customer, db, out, budget)
            if budget is not None:
                budget -= used
            if code == EXIT_BUSY and args.all_customers:
                out.emit(
                    "skipped",
                    f"order-sync: {customer} skipped: another run is pushing it; going on",
                    customers=[customer],
                    reason="busy",
                )
                continue
            worst = max(worst, code)
            if code == EXIT_LIMIT and customers[i + 1 :]:
                skipped = customers[i + 1 :]
                out.emit(
                    "skipped",
                    f"order-sync: stopped by a monday limit; not run: {', '.join(skipped)}",
                    customers=skipped,
                    reason="monday_limit",
                )
                break
        if len(customers) > 1 or out.json:
            out.emit(
                "run_end",
                f"order-sync: {len(customers)} customers, exit code {worst}" if len(customers) > 1 else None,
                customers=customers,
                exit_code=worst,
            )
        return worst
    finally:
        db.close()


def _subcommand(name: str, argv: list[str]) -> int:
    if name == "status":
        from pusher.commands.status import main as status_main

        return status_main(argv)
    if name == "check":
        from pusher.commands.check import main as check_main

        return check_main(argv)
    if name == "compact":
        from pusher.commands.compact import main as compact_main

        return compact_main(argv)
    from pusher.commands.board_create import main as provision_main

    return provision_main(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
