"""The command line of ``python -m pusher``: options, help text and exit codes, and the settings they give."""

from __future__ import annotations

import argparse

from pusher.config.settings import Filters, Settings, load_settings

EXIT_CODES_HELP = """\
exit codes:
  0  all synced (or nothing to send)
  1  some rows failed: logged in MON_PushLog / ERR_MON_CustMasterSchedule; the next run retries them
     (also rows left waiting: a board at its item limit, BOARD_FULL; a moved line still on its old board)
  2  configuration error (monday.yml, profiles.yml, MONDAY_API_TOKEN, board) or a refused run
     (mass archive: check the source, or rerun with --force; a board not made yet while
     boards.auto_create is off: the other boards are synced first)
  3  stopped by monday's daily or rate limit (or, with --bulk ingest, its hourly import budget):
     everything sent is logged; the next run resumes
  4  another run is pushing this customer (or holds the DuckDB file): this run sent nothing;
     the next one carries on (or pass --wait-for-lock SECONDS). --all-customers skips a busy
     customer, says so and goes on; a skipped customer does not change the exit code
  With several customers the worst code wins; after a limit stop the other customers are skipped.

other commands:
  python -m pusher status            last runs, backlog, errors, parked rows (reads the DB only)
  python -m pusher check             the boards against monday.yml, the token, board capacity
  python -m pusher board create --name NAME   a new board with every mapped column
"""

PARALLEL = 4  # customers pushed at once by one process (issue 20)
MAX_LIMIT = 2000  # --limit narrows by sync key: stays under SQL Server's 2,100 parameters


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pusher",
        description="Push the dbt outbox for one or more customers to monday.com and log every outcome.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--customer", action="append", default=None, help="CUSTOMER NAME as in ORDERS_UNIFIED (repeatable)"
    )
    who.add_argument("--all-customers", action="store_true", help="every customer with work in the outbox")
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
        "--limit",
        type=int,
        help=f"at most N item operations this run, all customers together (1-{MAX_LIMIT}); their "
        "subitems follow; the rest stays in the outbox for the next run (customers in name order "
        "with --all-customers)",
    )
    p.add_argument(
        "--order-number", action="append", default=[], help="only this AAG order number (repeatable)"
    )
    p.add_argument(
        "--po-number", "--po", action="append", default=[], help="only this PO number (repeatable)"
    )
    p.add_argument("--season", action="append", default=[], help="only this season (repeatable)")
    p.add_argument("--sync-key", action="append", default=[], help="only this record_uuid (repeatable)")
    p.add_argument(
        "--bulk",
        choices=("auto", "ingest", "backfill", "off"),
        help="large create waves as monday import jobs: auto (ingest_items while the hourly budget "
        "has room), ingest, backfill (first loads only, with --initial-load; admin token), off "
        "(mutations only); default bulk.mode in monday.yml, else auto",
    )
    p.add_argument(
        "--initial-load",
        action="store_true",
        help="the operator's word that the boards hold none of these rows yet (needed by --bulk backfill)",
    )
    p.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="json: one JSON object per line (summaries, events and log records)",
    )
    p.add_argument(
        "--wait-for-lock",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="when another run is pushing the customer, wait this long for it (default: do not wait; exit 4)",
    )
    p.add_argument(
        "--parallel",
        type=int,
        default=PARALLEL,
        metavar="N",
        help=f"push up to N customers at once, each on its own boards, sharing monday's budget "
        f"(default {PARALLEL}; 1: one after another; --limit and --dry-run go one after another)",
    )
    p.add_argument("-v", "--verbose", action="count", default=0, help="log progress to stderr (-vv: debug)")
    return p


def settings_from_args(args: argparse.Namespace, customer: str | None = None) -> Settings:
    filters = Filters(
        tuple(args.order_number), tuple(args.po_number), tuple(args.season), tuple(args.sync_key)
    )
    if customer is None:
        customer = args.customer[0] if isinstance(args.customer, list) else args.customer
    return load_settings(
        customer,
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
        bulk_mode=getattr(args, "bulk", None),
        initial_load=getattr(args, "initial_load", False),
    )
