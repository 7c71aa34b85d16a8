"""Locks held by the database, so they hold across containers and hosts (issue 20).

``CustomerLock``: one pusher per customer at a time. ``DatabaseLocks``: one mutation request in
flight per board, and one process making a board of a given name.

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

import contextlib
import datetime as dt
import hashlib
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

from pusher.errors import CustomerBusy, PusherError
from pusher.store.database import Database

RUN_LOCKS = "MON_RunLocks"
WAIT_SECONDS = 600.0  # how long a board lock is waited for before the run stops

_local_locks: dict[str, threading.Lock] = {}  # DuckDB: (database, name) → its lock in this process
_local_guard = threading.Lock()


def applock(db: Database, resource: str, wait_seconds: float) -> bool:
    """SQL Server: take the application lock ``resource`` for the session, waiting up to
    ``wait_seconds``. The session owns it: it outlives transactions and ends with the connection."""
    rows = db.query(
        "SET NOCOUNT ON; DECLARE @result INT; "
        "EXEC @result = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', "
        "@LockOwner = 'Session', @LockTimeout = ?; SELECT @result",
        [resource[:255], int(max(0.0, wait_seconds) * 1000)],
    )
    db.conn.commit()
    return bool(rows) and int(rows[0][0]) >= 0  # 0 granted, 1 after a wait; < 0 not granted


def release_applock(db: Database, resource: str) -> None:
    db.query(
        "SET NOCOUNT ON; DECLARE @result INT; EXEC @result = sp_releaseapplock "
        "@Resource = ?, @LockOwner = 'Session'; SELECT @result",
        [resource[:255]],
    )
    db.conn.commit()


def database_name(db: Database) -> str:
    """DuckDB: which database file (and schema) a lock of this process is about."""
    rows = db.query("SELECT current_database()")
    return f"{rows[0][0]}.{db.schema}" if rows else db.schema


def take(db: Database, resource: str, wait_seconds: float) -> bool:
    """Hold the named lock, waiting up to ``wait_seconds``: an application lock of the session on
    SQL Server, a lock of this process on DuckDB (one process writes its file). False: not had."""
    if db.dialect == "sqlserver":
        return applock(db, resource, wait_seconds)
    local = _local_lock(db, resource)
    return local.acquire(timeout=wait_seconds) if wait_seconds > 0 else local.acquire(blocking=False)


def let_go(db: Database, resource: str) -> None:
    if db.dialect == "sqlserver":
        release_applock(db, resource)
    else:
        _local_lock(db, resource).release()


def _local_lock(db: Database, resource: str) -> threading.Lock:
    key = f"{database_name(db)}:{resource}"
    with _local_guard:
        return _local_locks.setdefault(key, threading.Lock())


def resource_name(customer: str) -> str:
    """The application lock's resource (at most 255 characters): readable, and unique per name."""
    name = customer.strip().upper()
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return f"order-sync:customer:{digest}:{name[:200]}"


def create_run_locks(db: Database) -> None:
    """``MON_RunLocks`` when it is missing (dbt's on-run-start hook makes it too)."""
    table = db.relation(RUN_LOCKS)
    if db.dialect == "duckdb" and db.relation_exists(RUN_LOCKS):
        return  # DuckDB: a second CREATE on another connection at once is a write-write conflict
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
    ) -> None:
        self.db = db
        self.customer = customer.strip()
        self.run_id = run_id
        self.held = False

    # ------------------------------------------------------------ take
    def acquire(self, wait_seconds: float = 0.0) -> None:
        """Hold the customer, waiting up to ``wait_seconds``; else ``CustomerBusy``, nothing sent."""
        create_run_locks(self.db)
        if not take(self.db, resource_name(self.customer), wait_seconds):
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
            let_go(self.db, resource_name(self.customer))

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


class LockTimeout(PusherError):
    """A board's lock did not come free in time: another process kept it (the run stops; the next
    run carries on from the outbox)."""


class _Named:
    def __init__(self, locks: DatabaseLocks, name: str) -> None:
        self.locks, self.name = locks, name

    def held(self) -> contextlib.AbstractContextManager[None]:
        return self.locks.held(self.name)


class DatabaseLocks:
    """Named locks in the database the pusher writes to: on SQL Server an application lock per
    name (every pusher of every host on that database sees it); on DuckDB, which one process
    writes at a time, a lock per name within the process."""

    def __init__(self, db: Database, wait_seconds: float = WAIT_SECONDS) -> None:
        self.db = db
        self.wait_seconds = wait_seconds

    def lock(self, name: str) -> _Named:
        """An object with ``held()``, as ``Sender.lock`` hands out."""
        return _Named(self, name)

    @contextlib.contextmanager
    def held(self, name: str) -> Iterator[None]:
        resource = f"order-sync:{name}"
        if not take(self.db, resource, self.wait_seconds):
            raise LockTimeout(
                f"lock {resource} was held by another pusher for more than {self.wait_seconds:.0f}s; "
                "stopping, the next run carries on"
            )
        try:
            yield
        finally:
            let_go(self.db, resource)
