"""``python -m pusher --customer X [--target T] [--dry-run] [--force] ...``

Exit codes: 0 all synced (or nothing to send), 1 some rows failed (logged; the next run retries
them), 2 configuration error or a refused run, 3 stopped by monday's daily/rate limits (the next
run resumes).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from .client import AuthFailed, ClientError
from .config import Filters, Settings, load_settings
from .connection import connect
from .errors import EXIT_CONFIG, EXIT_ROWS_FAILED, PusherError
from .summary import Summary
from .sync import Sync


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pusher",
        description="Push the dbt outbox for one customer to monday.com and log every outcome.",
        epilog="exit codes: 0 synced, 1 rows failed, 2 configuration error or refused, 3 stopped by a limit",
    )
    p.add_argument("--customer", required=True, help="CUSTOMER NAME as in ORDERS_UNIFIED")
    p.add_argument("--target", help="dbt target in profile order_sync (default: the profile's target)")
    p.add_argument("--profiles-dir", help="directory holding profiles.yml (default: $DBT_PROFILES_DIR, ./)")
    p.add_argument("--config", help="monday.yml (default: $ORDER_SYNC_CONFIG or ./monday.yml)")
    p.add_argument("--dry-run", action="store_true", help="send nothing; print the plan")
    p.add_argument("--force", action="store_true", help="allow archiving more than sync.max_archive_share")
    p.add_argument("--batch-size", type=int, help="at most this many mutations per request (max 500)")
    p.add_argument("--max-retries", type=int, help="retries of a batch whose outcome is unknown (default 3)")
    p.add_argument("--retry-backoff", type=float, help="seconds before the first retry, doubling (default 2)")
    p.add_argument("--timeout", type=float, dest="read_timeout", help="seconds to wait for a response")
    p.add_argument(
        "--order-number", action="append", default=[], help="only this AAG order number (repeatable)"
    )
    p.add_argument("--po-number", action="append", default=[], help="only this PO number (repeatable)")
    p.add_argument("--season", action="append", default=[], help="only this season (repeatable)")
    p.add_argument("--sync-key", action="append", default=[], help="only this record_uuid (repeatable)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log progress to stderr (-vv: debug)")
    return p


def settings_from_args(args: argparse.Namespace) -> Settings:
    filters = Filters(
        tuple(args.order_number), tuple(args.po_number), tuple(args.season), tuple(args.sync_key)
    )
    return load_settings(
        args.customer,
        config_file=args.config,
        dry_run=args.dry_run,
        force=args.force,
        target=args.target,
        profiles_dir=args.profiles_dir,
        filters=filters,
        batch_size=args.batch_size,
        max_retries=args.max_retries,
        retry_backoff=args.retry_backoff,
        read_timeout=args.read_timeout,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    token = os.environ.get("MONDAY_API_TOKEN", "").strip()

    def say(text: str) -> None:
        print(text.replace(token, "[REDACTED]") if token else text, flush=True)

    def fail(exc: BaseException, code: int) -> int:
        say(f"order-sync: {type(exc).__name__}: {exc}")
        return code

    try:
        settings = settings_from_args(args)
        db = connect(settings.target, settings.profiles_dir)
    except PusherError as exc:
        return fail(exc, exc.exit_code)
    sync = Sync(settings, db, out=say)
    try:
        summary = sync.run()
    except (PusherError, ClientError) as exc:
        partial: Summary | None = getattr(sync, "summary", None)
        if partial is not None and partial.outbox_rows and not settings.dry_run:
            say(partial.render())  # what was done (and logged) before the run ended
        if isinstance(exc, PusherError):
            return fail(exc, exc.exit_code)
        # a bad token, else e.g. the board read failing after its retries
        return fail(exc, EXIT_CONFIG if isinstance(exc, AuthFailed) else EXIT_ROWS_FAILED)
    finally:
        db.close()
    if not settings.dry_run:
        say(summary.render())
    return summary.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
