"""``python -m pusher --customer X [--customer Y | --all-customers] [--target T] [--dry-run] ...``

Also ``python -m pusher status`` (``status.py``), ``python -m pusher check`` (``check.py``),
``python -m pusher board create --name ...`` (``board_create.py``), ``python -m pusher reconcile``
(``reconcile.py``, drift on the boards) and ``python -m pusher compact`` (``compact.py``, the daily
retention step).

Exit codes: 0 all synced (or nothing to send), 1 some rows failed or wait (logged; the next run
retries them; a full board, BOARD_FULL, too), 2 configuration error or a refused run (a board not
made while boards.auto_create is off, after the other boards synced), 3 stopped by monday's
daily/rate limits (the next run resumes), 4 the customer is being pushed by another run. With
several customers (``customers.py``: up to ``--parallel`` at once) the worst code wins; a limit
stop skips the customers not started yet.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

# build_parser and settings_from_args stay importable from here (tests and tools use pusher.cli)
from pusher.commands.args import MAX_LIMIT, build_parser, settings_from_args
from pusher.commands.customers import Customers, customers_with_work
from pusher.commands.output import JsonLogFormatter, Output
from pusher.errors import EXIT_CONFIG, PusherError
from pusher.store.connection import connect

__all__ = ["build_parser", "customers_with_work", "main", "settings_from_args"]

SUBCOMMANDS = ("status", "check", "board", "reconcile", "compact")


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
        worst = Customers(args, db, out, args.parallel).run(customers)
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
    if name == "reconcile":
        from pusher.commands.reconcile import main as reconcile_main

        return reconcile_main(argv)
    if name == "compact":
        from pusher.commands.compact import main as compact_main

        return compact_main(argv)
    from pusher.commands.board_create import main as provision_main

    return provision_main(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
