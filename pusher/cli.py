"""``python -m pusher --customer X [--customer Y | --all-customers] [--target T] [--dry-run] ...``

Also ``python -m pusher status`` (pusher.status), ``python -m pusher check`` (pusher.check) and
``python -m pusher board create --name ...`` (pusher.provision).

Exit codes: 0 all synced (or nothing to send), 1 some rows failed (logged; the next run retries
them), 2 configuration error or a refused run, 3 stopped by monday's daily/rate limits (the next
run resumes). With several customers the worst code wins; a limit stop skips the rest.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from .client import AuthFailed, ClientError
from .config import Filters, Settings, load_settings
from .connection import Database, connect
from .errors import EXIT_CONFIG, EXIT_LIMIT, EXIT_OK, EXIT_ROWS_FAILED, ConfigError, PusherError
from .summary import Summary
from .sync import Sync

EXIT_CODES_HELP = """\
exit codes:
  0  all synced (or nothing to send)
  1  some rows failed: logged in MON_PushLog / ERR_MON_CustMasterSchedule; the next run retries them
  2  configuration error (monday.yml, profiles.yml, MONDAY_API_TOKEN, board) or a refused run
     (mass archive: check the source, or rerun with --force)
  3  stopped by monday's daily or rate limit: everything sent is logged; the next run resumes
  With several customers the worst code wins; after a limit stop the other customers are skipped.

other commands:
  python -m pusher status            last runs, backlog, errors, parked rows (reads the DB only)
  python -m pusher check             the boards against monday.yml, the token, board capacity
  python -m pusher board create --name NAME   a new board with every mapped column
"""

SUBCOMMANDS = ("status", "check", "board")
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
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="json: one JSON object per line (summaries, events and log records)",
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
    )


# ------------------------------------------------------------------ output
class JsonLogFormatter(logging.Formatter):
    """One JSON object per log record (``--log-format json``)."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "event": "log",
                "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": self.redact(record.getMessage()),
            },
            ensure_ascii=False,
        )


class Output:
    """Prints text or one JSON object per line; the token never reaches the output."""

    def __init__(self, fmt: str, token: str) -> None:
        self.json = fmt == "json"
        self.token = token

    def redact(self, text: str) -> str:
        return text.replace(self.token, "[REDACTED]") if self.token else text

    def emit(self, event: str, text: str | None = None, **fields: Any) -> None:
        if self.json:
            record = {"event": event, "at": datetime.now(UTC).isoformat(), **fields}
            if text is not None and "text" not in record:
                record["text"] = text
            print(self.redact(json.dumps(record, ensure_ascii=False, default=str)), flush=True)
        elif text is not None:
            print(self.redact(text), flush=True)

    def say(self, text: str) -> None:
        """What Sync prints (the dry-run plan): a ``message`` event in json mode."""
        self.emit("message", text)


def summary_fields(summary: Summary) -> dict[str, Any]:
    def rows(errs: Sequence[Any]) -> list[dict[str, Any]]:
        return [dataclasses.asdict(e) for e in errs]

    return {
        "customer": summary.customer,
        "board_id": summary.board_id,
        "dry_run": summary.dry_run,
        "outbox_rows": summary.outbox_rows,
        "counts": dict(sorted(summary.counts.items())),
        "errors": rows(summary.errors),
        "unknown": rows(summary.unknown),
        "deferred": rows(summary.deferred),
        "failed": summary.failed,
        "http_calls": summary.http_calls,
        "seconds": round(summary.seconds, 3),
        "paced_seconds": round(summary.paced_seconds, 3),
        "limit_wait_seconds": round(summary.limit_wait_seconds, 3),
        "stopped": summary.stopped,
        "notes": list(summary.notes),
        "exit_code": summary.exit_code,
    }


# ------------------------------------------------------------------ runs
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
    from .outbox import read_items

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
    try:
        summary = sync.run()
    except (PusherError, ClientError) as exc:
        partial: Summary | None = getattr(sync, "summary", None)
        if partial is not None and partial.outbox_rows and not settings.dry_run:
            # what was done (and logged) before the run ended
            out.emit("summary", partial.render(), **summary_fields(partial), partial=True)
        if isinstance(exc, PusherError):
            return fail(exc, exc.exit_code)
        # a bad token, else e.g. the board read failing after its retries
        return fail(exc, EXIT_CONFIG if isinstance(exc, AuthFailed) else EXIT_ROWS_FAILED)
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
        db = connect(args.target, args.profiles_dir)
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
        from .status import main as status_main

        return status_main(argv)
    if name == "check":
        from .check import main as check_main

        return check_main(argv)
    from .provision import main as provision_main

    return provision_main(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
