"""One pusher per customer at a time, held by the database (so across containers and hosts).

SQL Server: an application lock per customer (``sp_getapplock``, owner ``Session``): it lives as
long as the run's connection, so a run that is killed frees it when its connection drops; a
second run waits up to ``--wait-for-lock`` seconds for it (``@LockTimeout``). DuckDB: one process
can open the file for writing at a time (DuckDB's own file lock, ``connection.py`` turns its
error into ``CustomerBusy``), so within that process a lock per customer is enough.

Who holds a customer is written to ``MON_RunLocks`` (customer, run id, host, process, since) when
the lock is taken and removed when it is let go; a second run names them. A killed holder's row
stays behind harmlessly: the next holder replaces it, and it is only read while the lock is
held by someone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from pusher.errors import CustomerBusy
from pusher.store.database import Database

RUN_LOCKS = "MON_RunLocks"
POLL_SECONDS = 0.5  # DuckDB: how often a waiting run looks again

_held: dict[tuple[str, str], str] = {}  # DuckDB: (database, customer) → run id, in this process
_held_guard = threading.Lock()


def resource_name(customer: str) -> str:
    """The application lock's resource (at most 255 characters): readable, and unique per name."""
    name = customer.strip().upper()
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return f"order-sync:customer:{digest}:{name[:200]}"


def create_run_locks(db: Database) -> None:
    """``MON_RunLocks`` when it is missing (dbt's on-run-start hook makes it too)."""
    table = db.relation(RUN_LOCKS)
    with db.transaction() as cur:
        if db.dialect == "sqlserver":
            cur.execute(
                f"IF OBJECT_ID(N'{table}', N'U') IS NULL CREATE TABLE {table} ("
                "customer_name NVARCHAR(255) NOT NULL, run_id VARCHAR(36) NOT NULL, "
                "host NVARCHAR(255) NULL, pid INT NULL, since DATETIME2(6) NOT NULL)"
            )
        else:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (customer_name VARCHAR(255) NOT NULL, "
                "run_id VARCHAR(36) NOT NULL, host VARCHAR(255), pid INTEGER, since TIMESTAMP NOT NULL)"
            )


class CustomerLock:
    """``acquire`` before a customer's run sends anything, ``release`` after (also on failure)."""

    def __init__(
        self,
        db: Database,
        customer: str,
        run_id: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.customer = customer.strip()
        self.run_id = run_id
        self.sleep = sleep
        self.clock = clock
        self.held = False

    # ------------------------------------------------------------ take
    def acquire(self, wait_seconds: float = 0.0) -> None:
        """Hold the customer, waiting up to ``wait_seconds``; else ``CustomerBusy``, nothing sent."""
        create_run_locks(self.db)
        got = (
            self._sqlserver_lock(wait_seconds)
            if self.db.dialect == "sqlserver"
            else self._local(wait_seconds)
        )
        if not got:
            raise CustomerBusy(self._busy_message(wait_seconds))
        self.held = True
        table = self.db.relation(RUN_LOCKS)
        since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # noqa: UP017 (3.10)
        with self.db.transaction() as cur:
            cur.execute(f"DELETE FROM {table} WHERE UPPER(customer_name) = UPPER(?)", [self.customer])
            cur.execute(
                f"INSERT INTO {table} (customer_name, run_id, host, pid, since) VALUES (?, ?, ?, ?, ?)",
                [self.customer, self.run_id, socket.gethostname(), os.getpid(), since],
            )

    def _sqlserver_lock(self, wait_seconds: float) -> bool:
        rows = self.db.query(
            "SET NOCOUNT ON; DECLARE @result INT; "
            "EXEC @result = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', "
            "@LockOwner = 'Session', @LockTimeout = ?; SELECT @result",
            [resource_name(self.customer), int(max(0.0, wait_seconds) * 1000)],
        )
        self.db.conn.commit()  # the lock is the session's: it outlives this transaction
        return bool(rows) and int(rows[0][0]) >= 0  # 0 granted, 1 after a wait; < 0 not granted

    def _key(self) -> tuple[str, str]:
        return (self._database_name(), self.customer.upper())

    def _database_name(self) -> str:
        rows = self.db.query("SELECT current_database()")
        return f"{rows[0][0]}.{self.db.schema}" if rows else self.db.schema

    def _local(self, wait_seconds: float) -> bool:
        key = self._key()
        deadline = self.clock() + max(0.0, wait_seconds)
        while True:
            with _held_guard:
                if key not in _held:
                    _held[key] = self.run_id
                    return True
            if self.clock() >= deadline:
                return False
            self.sleep(min(POLL_SECONDS, max(0.0, deadline - self.clock())) or POLL_SECONDS)

    # ----------------------------------------------------------- let go
    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        table = self.db.relation(RUN_LOCKS)
        try:
            with self.db.transaction() as cur:
                cur.execute(
                    f"DELETE FROM {table} WHERE UPPER(customer_name) = UPPER(?) AND run_id = ?",
                    [self.customer, self.run_id],
                )
        finally:
            if self.db.dialect == "sqlserver":
                self.db.query(
                    "SET NOCOUNT ON; DECLARE @result INT; EXEC @result = sp_releaseapplock "
                    "@Resource = ?, @LockOwner = 'Session'; SELECT @result",
                    [resource_name(self.customer)],
                )
                self.db.conn.commit()
            else:
                with _held_guard:
                    _held.pop(self._key(), None)

    def __enter__(self) -> CustomerLock:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.release()

    # ------------------------------------------------------------ words
    def holder(self) -> dict[str, Any] | None:
        rows = self.db.query_dicts(
            f"SELECT run_id, host, pid, since FROM {self.db.relation(RUN_LOCKS)} "
            "WHERE UPPER(customer_name) = UPPER(?) ORDER BY since DESC",
            [self.customer],
        )
        return rows[0] if rows else None

    def _busy_message(self, waited: float) -> str:
        who = self.holder()
        if who is None:
            by = "another run (its details are not recorded yet)"
        else:
            since = who["since"]
            when = since.isoformat(sep=" ", timespec="seconds") if hasattr(since, "isoformat") else since
            by = f"run {who['run_id']} on host {who['host']} (process {who['pid']}) since {when} UTC"
        wait = f"after waiting {waited:g} s" if waited > 0 else "without waiting"
        return (
            f"customer {self.customer!r} is being pushed by {by}; this run sent nothing ({wait}). "
            "It carries on from the outbox when that run ends: rerun then, or pass --wait-for-lock SECONDS"
        )
