"""The customers of one ``python -m pusher`` run: one customer's push, and several side by side.

``--all-customers`` (or several ``--customer``) pushes up to ``--parallel`` customers at once
(issue 20): each in its own thread, with its own connection to the database (on SQL Server its own
session, so its customer and board locks are its own), its own monday client and summary, and one
pacer for them all (monday's budget is the account's). monday asks for one mutation request in
flight per board, not per account, so customers on different boards overlap the time each request
spends on the wire. ``--limit`` and ``--dry-run`` go one customer after another (a shared row
budget; plans printed whole). The worst exit code wins; a customer another run is pushing is
skipped; a monday limit stop leaves the customers not started yet for the next run.
"""

from __future__ import annotations

import argparse
import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from pusher.commands.args import settings_from_args
from pusher.commands.output import Output, summary_fields
from pusher.config.settings import Settings
from pusher.errors import (
    EXIT_BUSY,
    EXIT_CONFIG,
    EXIT_LIMIT,
    EXIT_OK,
    EXIT_ROWS_FAILED,
    ConfigError,
    PusherError,
)
from pusher.monday.client import AuthFailed, ClientError
from pusher.monday.pacing import Pacer
from pusher.run.context import pacer_for
from pusher.run.summary import Summary
from pusher.store.database import Database
from pusher.store.locks import CustomerLock, create_run_locks
from pusher.sync.run import Sync


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
    args: argparse.Namespace,
    customer: str,
    db: Database,
    out: Output,
    budget: int | None = None,
    *,
    pacer: Pacer | None = None,
    progress_tty: bool | None = None,
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
    sync = Sync(settings, db, out=out.say, pacer=pacer, progress_tty=progress_tty)
    lock = CustomerLock(db, settings.customer, sync.run_id)
    try:
        if not settings.dry_run:  # a plan sends nothing: it needs no lock
            lock.acquire(args.wait_for_lock)
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
    finally:
        lock.release()
    if not settings.dry_run:
        out.emit("summary", summary.render(), **summary_fields(summary))
    return summary.exit_code, used


class Customers:
    """Push a list of customers, up to ``at_once`` side by side; ``run`` returns the worst exit code."""

    def __init__(self, args: argparse.Namespace, db: Database, out: Output, at_once: int) -> None:
        self.args, self.db, self.out = args, db, out
        self.at_once = max(1, at_once)
        if args.limit is not None or args.dry_run:
            self.at_once = 1  # one row budget spent in order; plans printed whole

    def run(self, customers: list[str]) -> int:
        if self.at_once == 1 or len(customers) < 2:
            return self._one_after_another(customers)
        return self._side_by_side(customers)

    # ------------------------------------------------------------ in turn
    def _one_after_another(self, customers: list[str]) -> int:
        worst = EXIT_OK
        budget: int | None = self.args.limit
        for i, customer in enumerate(customers):
            if budget is not None and budget <= 0:
                self._skipped(customers[i:], "limit")
                break
            code, used = push_one(self.args, customer, self.db, self.out, budget)
            if budget is not None:
                budget -= used
            worst = max(worst, self._judge(customer, code))
            if code == EXIT_LIMIT and customers[i + 1 :]:
                self._skipped(customers[i + 1 :], "monday_limit")
                break
        return worst

    # ------------------------------------------------------- side by side
    def _side_by_side(self, customers: list[str]) -> int:
        pacer = pacer_for(settings_from_args(self.args, customers[0]))  # one budget: the account's
        create_run_locks(self.db)  # once, before the workers' connections race to make it
        queue = list(customers)
        guard = threading.Lock()
        codes: list[int] = []
        stopped: list[str] = []

        def next_customer() -> str | None:
            with guard:
                if stopped or not queue:
                    return None
                return queue.pop(0)

        def worker() -> None:
            db = self.db.fork()
            try:
                while (customer := next_customer()) is not None:
                    code, _ = push_one(self.args, customer, db, self.out, pacer=pacer, progress_tty=False)
                    with guard:
                        codes.append(self._judge(customer, code))
                        if code == EXIT_LIMIT and not stopped:
                            stopped.append(customer)
            finally:
                db.close()

        run_workers(worker, min(self.at_once, len(customers)))
        if stopped and queue:
            self._skipped(queue, "monday_limit")
        return max(codes, default=EXIT_OK)

    # -------------------------------------------------------------- words
    def _judge(self, customer: str, code: int) -> int:
        """The code a customer adds to the run's: a busy customer is skipped when pushing them all."""
        if code == EXIT_BUSY and self.args.all_customers:
            self.out.emit(
                "skipped",
                f"order-sync: {customer} skipped: another run is pushing it; going on",
                customers=[customer],
                reason="busy",
            )
            return EXIT_OK
        return code

    def _skipped(self, customers: list[str], reason: str) -> None:
        if reason == "limit":
            left = ", ".join(customers)
            text = f"order-sync: --limit {self.args.limit} reached; left for the next run: {left}"
        else:
            text = f"order-sync: stopped by a monday limit; not run: {', '.join(customers)}"
        self.out.emit("skipped", text, customers=customers, reason=reason)


def run_workers(worker: Callable[[], None], n: int) -> None:
    """``n`` threads running ``worker``; an exception in one is raised here once all have ended."""
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="customer") as pool:
        futures = [pool.submit(worker) for _ in range(n)]
    for future in futures:
        future.result()
