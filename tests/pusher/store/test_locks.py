"""One pusher per customer at a time (issue 20, part 1): a second run for a customer that is being
pushed sends nothing, exits 4 and names the run that holds it, the host and since when; with
``--wait-for-lock`` it waits; ``--all-customers`` skips the busy customer and goes on. On DuckDB a
file another process holds is the same refusal, not a driver error; on SQL Server the lock is an
application lock owned by the run's session (checked on a fake connection, statement by statement).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pusher.errors import EXIT_BUSY, EXIT_OK, CustomerBusy
from pusher.store.database import Database
from pusher.store.locks import CustomerLock, DatabaseLocks, LockTimeout, resource_name
from tests.pusher.harness import CUSTOMER, KEYS, Env, cli, item_row


def _open(db_path: Path) -> Database:
    return Database(duckdb.connect(str(db_path)), "duckdb", "main")


@pytest.fixture
def holder(env: Env) -> Iterator[CustomerLock]:
    """Another run, in this process, holding the customer."""
    db = _open(env.db_path)
    lock = CustomerLock(db, CUSTOMER, "run-that-holds-it")
    lock.acquire()
    yield lock
    lock.release()
    db.close()


def _cli(env: Env, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    return cli(env, monkeypatch, *args, "--retry-backoff", "0.01")


def _nothing_sent(env: Env) -> None:
    assert env.server.stats["mutation_requests"] == 0
    assert env.sql("select count(*) from main.MON_PushLog") == [(0,)]


def test_a_second_run_for_a_customer_being_pushed_sends_nothing_and_names_the_holder(
    env: Env, holder: CustomerLock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.outbox([item_row(KEYS[0])])
    assert _cli(env, monkeypatch, "--customer", CUSTOMER) == EXIT_BUSY
    said = capsys.readouterr().out
    assert f"customer {CUSTOMER!r} is being pushed by run run-that-holds-it" in said
    assert f"on host {socket.gethostname()}" in said and " since " in said and "UTC" in said
    assert "sent nothing (without waiting)" in said and "--wait-for-lock" in said
    _nothing_sent(env)

    holder.release()  # the first run ends: the next one carries on from the outbox
    assert _cli(env, monkeypatch, "--customer", CUSTOMER) == EXIT_OK
    assert len(env.items()) == 1
    assert env.sql("select count(*) from main.MON_RunLocks") == [(0,)]  # let go at the end


def test_wait_for_lock_waits_for_the_holder_to_finish(
    env: Env, holder: CustomerLock, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.outbox([item_row(KEYS[0])])
    done = threading.Timer(0.5, holder.release)
    done.start()
    try:
        assert _cli(env, monkeypatch, "--customer", CUSTOMER, "--wait-for-lock", "60") == EXIT_OK
    finally:
        done.cancel()
    assert len(env.items()) == 1


def test_all_customers_skips_the_busy_one_and_goes_on(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = dict(item_row(KEYS[1]), customer_name="HARBOUR & LANE", group_title="HARBOUR & LANE 2025 FALL")
    env.outbox([item_row(KEYS[0]), other])
    db = _open(env.db_path)
    with CustomerLock(db, "HARBOUR & LANE", "run-of-harbour") as lock:
        lock.acquire()
        assert _cli(env, monkeypatch, "--all-customers") == EXIT_OK
    db.close()
    said = capsys.readouterr().out
    assert "HARBOUR & LANE skipped: another run is pushing it; going on" in said
    assert [i["name"] for i in env.items()] == [item_row(KEYS[0])["item_name"]]  # GREYSON's only


def test_a_duckdb_file_held_by_another_process_is_a_clear_refusal(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.outbox([item_row(KEYS[0])])
    hold = (
        "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()"
    )
    other = subprocess.Popen(  # another pusher or a dbt build, as DuckDB sees it
        [sys.executable, "-c", hold, str(env.db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        assert _cli(env, monkeypatch, "--customer", CUSTOMER) == EXIT_BUSY
    finally:
        other.communicate("", timeout=30)
    said = capsys.readouterr().out
    assert f"the DuckDB file {env.db_path} is open in another process (PID {other.pid})" in said
    assert "this run sent nothing" in said and "IOException" not in said
    assert env.server.stats["mutation_requests"] == 0


# ---------------------------------------------------------------- SQL Server, on a fake session
class FakeSqlServer:
    """A DB-API connection that answers the lock's statements as SQL Server would."""

    def __init__(self, applock_result: int, holder: tuple[Any, ...] | None = None) -> None:
        self.applock_result = applock_result
        self.holder = holder
        self.statements: list[tuple[str, list[Any]]] = []
        self.commits = 0

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        pass


class FakeCursor:
    def __init__(self, conn: FakeSqlServer) -> None:
        self.conn = conn
        self.rows: list[tuple[Any, ...]] = []
        self.description: list[tuple[str]] = []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.statements.append((sql, list(params)))
        if "sp_getapplock" in sql:
            self.rows, self.description = [(self.conn.applock_result,)], [("result",)]
        elif "sp_releaseapplock" in sql:
            self.rows, self.description = [(0,)], [("result",)]
        elif sql.startswith("SELECT run_id"):
            self.rows = [self.conn.holder] if self.conn.holder else []
            self.description = [("run_id",), ("host",), ("pid",), ("since",)]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows

    def close(self) -> None:
        pass


def test_sql_server_takes_a_session_owned_application_lock_and_lets_it_go() -> None:
    conn = FakeSqlServer(applock_result=0)
    lock = CustomerLock(Database(conn, "sqlserver", "dbo"), "Greyson Clothiers", "run-1")
    lock.acquire(wait_seconds=2.5)
    take = next((sql, p) for sql, p in conn.statements if "sp_getapplock" in sql)
    assert "@LockMode = 'Exclusive'" in take[0] and "@LockOwner = 'Session'" in take[0]
    assert take[1] == [resource_name("Greyson Clothiers"), 2500]  # the wait, in milliseconds
    assert resource_name("Greyson Clothiers") == resource_name(" GREYSON CLOTHIERS ")  # one name, one lock
    assert len(resource_name("X" * 400)) <= 255  # sp_getapplock's limit
    assert any(
        "IF OBJECT_ID(N'[dbo].[MON_RunLocks]', N'U') IS NULL CREATE TABLE" in s for s, _ in conn.statements
    )
    assert any(
        s.startswith("INSERT INTO [dbo].[MON_RunLocks]") and p[1] == "run-1" for s, p in conn.statements
    )
    lock.release()
    let_go = [p for s, p in conn.statements if "sp_releaseapplock" in s and "@LockOwner = 'Session'" in s]
    assert let_go == [[resource_name("Greyson Clothiers")]]


def test_sql_server_refuses_when_the_lock_is_not_granted_and_names_the_holder() -> None:
    since = __import__("datetime").datetime(2026, 12, 6, 8, 0, 0)
    conn = FakeSqlServer(applock_result=-1, holder=("run-0", "kestra-worker-7", 42, since))
    lock = CustomerLock(Database(conn, "sqlserver", "dbo"), "GREYSON CLOTHIERS", "run-1")
    with pytest.raises(CustomerBusy) as refused:
        lock.acquire()
    assert refused.value.exit_code == EXIT_BUSY
    assert "run run-0 on host kestra-worker-7 (process 42) since 2026-12-06 08:00:00 UTC" in str(
        refused.value
    )
    assert not any(s.startswith("INSERT") for s, _ in conn.statements)
    lock.release()  # not held: nothing to let go
    assert not any("sp_releaseapplock" in s for s, _ in conn.statements)


# ------------------------------------------------- board locks: one mutation request per board
def test_a_board_lock_on_sql_server_is_an_application_lock_let_go_after_the_request() -> None:
    conn = FakeSqlServer(applock_result=0)
    locks = DatabaseLocks(Database(conn, "sqlserver", "dbo"), wait_seconds=30)
    with locks.lock("board:9001").held():
        assert [p for s, p in conn.statements if "sp_getapplock" in s] == [["order-sync:board:9001", 30_000]]
        assert not any("sp_releaseapplock" in s for s, _ in conn.statements)
    assert [p for s, p in conn.statements if "sp_releaseapplock" in s] == [["order-sync:board:9001"]]

    busy = DatabaseLocks(Database(FakeSqlServer(applock_result=-1), "sqlserver", "dbo"), wait_seconds=30)
    with pytest.raises(LockTimeout, match="held by another pusher for more than 30s"):
        with busy.lock("board:9001").held():
            pytest.fail("a request went out without its board's lock")


def test_a_board_lock_on_duckdb_lets_one_request_through_at_a_time(env: Env) -> None:
    first, second = _open(env.db_path), _open(env.db_path)  # two runs of this process
    inside: list[str] = []

    def second_request() -> None:
        with DatabaseLocks(second).lock("board:9001").held():
            inside.append("second")

    with DatabaseLocks(first).lock("board:9001").held():
        other = threading.Thread(target=second_request)
        other.start()
        other.join(timeout=0.3)
        assert other.is_alive() and inside == []  # waits while the first holds the board
    other.join(timeout=30)
    assert inside == ["second"]
    with DatabaseLocks(first).lock("board:9002").held():  # another board: no wait
        pass


def test_two_runs_of_one_customer_in_one_process_only_the_holder_sends(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two whole pushes of one customer at once on one database (threads of one process): the
    first holds the customer while it sends; the second, started meanwhile, sends nothing and
    exits 4; every line is on the board once."""
    env.outbox([item_row(k) for k in KEYS])
    env.server.configure(latency_ms=150)  # each request takes a while: the first run is still going
    codes: dict[str, int] = {}

    def push(name: str) -> None:
        codes[name] = _cli(env, monkeypatch, "--customer", CUSTOMER)

    first = threading.Thread(target=push, args=("first",))
    first.start()
    watch = _open(env.db_path)
    deadline = time.monotonic() + 30

    def held() -> bool:
        if not watch.relation_exists("MON_RunLocks"):
            return False
        return bool(watch.query("SELECT run_id FROM main.MON_RunLocks"))

    while not held() and time.monotonic() < deadline:
        time.sleep(0.02)  # until the first run holds the customer
    assert watch.query("SELECT count(*) FROM main.MON_RunLocks") == [(1,)]
    push("second")  # meanwhile, in this thread
    first.join(timeout=60)
    watch.close()
    assert codes == {"first": EXIT_OK, "second": EXIT_BUSY}
    names = [i["name"] for i in env.items()]
    assert len(names) == len(KEYS) == len(set(names))  # every line once
    outcomes = env.sql("select count(distinct run_id) from main.MON_PushLog")
    assert outcomes == [(1,)]  # only the holder wrote to the log
