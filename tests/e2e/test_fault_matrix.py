"""Never duplicate, never lose: every fault the sandbox can inject (and a SIGKILLed pusher), each
followed by a rerun, against a realistic outbox (sample ORDERS_UNIFIED → dbt → the real views).

After the rerun the board must match the source exactly: one item per active line, one subitem
per non-zero size, no duplicate, every value (name, group, each column's text) the current one,
and nothing left in the outbox. The outbox views read the push log, so no rebuild is needed
between runs. tests/pusher/sync/test_sync.py checks each failure path's log rows in detail; this
module checks the end state across whole runs, including across processes. The board against the
source is tests/support/expected_board.py.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from pusher.commands.cli import main
from pusher.errors import EXIT_CONFIG, EXIT_LIMIT, EXIT_OK, EXIT_ROWS_FAILED
from tests.sandbox import SandboxServer
from tests.support.dbt import dbt, dbt_run, mapping_vars, sample_orders
from tests.support.duck import sql
from tests.support.expected_board import assert_board_matches_source
from tests.support.paths import MONDAY_YML, REPO
from tests.support.pushing import ROOMY_BUDGET, against_sandbox, pusher_env
from tests.support.sandbox_boards import BOARD, SUBBOARD, board_spec, read_board

TOKEN = "tok-MATRIX-3e9a7c55d1"
LINES = 30


@dataclass
class Built:
    tmp: Path
    db: Path
    customers: list[str]  # most outbox rows first


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("matrix")
    db = tmp / "orders.duckdb"
    sample_orders("create", "--db", db, "--lines", str(LINES))
    # Two customers keep it quick: the one the faults hit, and one that must not notice.
    keep = sql(
        db, 'select "CUSTOMER NAME" from dbo.ORDERS_UNIFIED group by 1 order by count(*) desc, 1 limit 2'
    )
    sql(db, 'delete from dbo.ORDERS_UNIFIED where "CUSTOMER NAME" not in (?, ?)', [keep[0][0], keep[1][0]])
    dbt_run(tmp, db)
    rows = sql(
        db,
        "select customer_name, count(*) from main.STG_MON_CustMasterSchedule group by 1 order by 2 desc, 1",
    )
    assert len(rows) >= 2 and rows[0][1] >= 5
    return Built(tmp, db, [r[0] for r in rows])


@dataclass
class World:
    tmp: Path
    db: Path
    sandbox: SandboxServer
    customers: list[str]
    outputs: list[str] = field(default_factory=list)

    @property
    def first(self) -> str:
        return self.customers[0]

    def push(self, *args: str, customers: list[str] | None = None) -> list[int]:
        """``python -m pusher`` in-process, once per customer."""
        common = ["--retry-backoff", "0.01"]
        return [main(["--customer", c, *common, *args]) for c in customers or self.customers]

    def spawn(self, customer: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "pusher", "--customer", customer, "--retry-backoff", "0.01", *args],
            cwd=REPO,
            env=pusher_env(self.tmp, self.db, TOKEN, MONDAY_API_URL=self.sandbox.url),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return sql(self.db, query, params)

    def wait_for(self, what: str, predicate: Any, proc: subprocess.Popen[str], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.sandbox.stats):
            if proc.poll() is not None:
                raise AssertionError(f"pusher ended before {what}: {proc.communicate()[0]}")
            if time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"timed out waiting for {what}: {self.sandbox.stats}")
            time.sleep(0.02)

    def kill(self, proc: subprocess.Popen[str]) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL

    def open_intents(self) -> list[tuple[Any, ...]]:
        """Intents with no outcome after them: what a crash between the two writes leaves."""
        return self.sql(
            "select entity, sync_key from (select entity, sync_key, phase, row_number() over "
            "(partition by entity, sync_key order by logged_at desc) rn from main.MON_PushLog) t "
            "where rn = 1 and phase = 'intent'"
        )


def _start(tmp: Path, db: Path, monkeypatch: pytest.MonkeyPatch | None = None, **kw: Any) -> Any:
    """The pusher's environment on tmp and db, and the sandbox on monday.yml's boards."""
    return against_sandbox(
        tmp, db, TOKEN, monkeypatch, board_spec=board_spec(), complexity_budget=ROOMY_BUDGET, **kw
    )


@pytest.fixture
def world(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    db = tmp_path / "orders.duckdb"
    shutil.copy(built.db, db)
    with _start(tmp_path, db, monkeypatch) as sandbox:
        yield World(tmp_path, db, sandbox, list(built.customers))


# ------------------------------------------------------------ the end state
def _text(value: Any) -> str:
    """The text monday shows for a column value the pusher sent."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if "label" in value:
        return str(value["label"])
    if "labels" in value:
        return ", ".join(value["labels"])
    if "date" in value:
        return str(value["date"])
    if "text" in value:
        return str(value["text"])
    raise AssertionError(f"unexpected column value {value!r}")


def assert_settled(w: World) -> None:
    # nothing left to send (views over the log: no rebuild)
    assert w.sql("select count(*) from main.STG_MON_CustMasterSchedule") == [(0,)]
    assert w.sql("select count(*) from main.STG_MON_CustMasterSchedule_Subitems") == [(0,)]
    assert w.sql("select count(*) from main.ERR_MON_CustMasterSchedule") == [(0,)]
    assert w.sql("select count(*) from main.ERR_MON_CustMasterSchedule_Subitems") == [(0,)]
    # the board against the raw source (computed independently of the dbt models)
    assert_board_matches_source(w.db, w.sandbox)

    items = read_board(w.sandbox, BOARD, TOKEN)
    keys = [next(c["text"] for c in i["column_values"] if c["id"] == "sync_key") for i in items]
    assert len(keys) == len(set(keys)), "duplicate items"
    want = {
        r[0]: r[1:]
        for r in w.sql(
            "select sync_key, monday_item_id, group_title, item_name, column_values "
            "from main.MON_CustMasterSchedule where is_live"
        )
    }
    assert set(keys) == set(want)
    for item, key in zip(items, keys, strict=True):
        monday_id, group_title, name, values = want[key]
        assert (item["id"], item["group"]["title"], item["name"]) == (monday_id, group_title, name)
        texts = {c["id"]: c["text"] for c in item["column_values"]}
        for column, value in json.loads(values).items():
            assert texts[column] == _text(value), (key, column)

    subitems = [
        s for s in read_board(w.sandbox, SUBBOARD, TOKEN) if s["parent_item"]["id"] in set(want_ids(want))
    ]
    sub_keys = [next(c["text"] for c in s["column_values"] if c["id"] == "sync_key") for s in subitems]
    assert len(sub_keys) == len(set(sub_keys)), "duplicate subitems"
    want_subs = {
        r[0]: r[1:]
        for r in w.sql(
            "select s.sync_key, s.monday_parent_item_id, s.item_name, s.column_values "
            "from main.MON_CustMasterSchedule_Subitems s join main.MON_CustMasterSchedule i "
            "on i.sync_key = s.parent_sync_key and i.is_live and i.monday_item_id = s.monday_parent_item_id "
            "where s.is_live"
        )
    }
    assert set(sub_keys) == set(want_subs)
    for sub, key in zip(subitems, sub_keys, strict=True):
        parent, name, values = want_subs[key]
        assert (sub["parent_item"]["id"], sub["name"]) == (parent, name)
        texts = {c["id"]: c["text"] for c in sub["column_values"]}
        assert all(texts[c] == _text(v) for c, v in json.loads(values).items()), key


def want_ids(want: dict[str, tuple[Any, ...]]) -> list[str]:
    return [v[0] for v in want.values()]


# ------------------------------------------------------ faults, then rerun
LIMIT_CODES = (
    "COMPLEXITY_BUDGET_EXHAUSTED",
    "MINUTE_RATE_LIMIT_EXCEEDED",
    "MAX_CONCURRENCY_EXCEEDED",
    "DAILY_LIMIT_EXCEEDED",
)
FAULTS = [
    pytest.param("http_500", "create_item", {}, EXIT_ROWS_FAILED, id="http_500"),
    pytest.param("http_502_html", "create_item", {}, EXIT_ROWS_FAILED, id="http_502_html"),
    pytest.param("truncated_json", "create_item", {}, EXIT_ROWS_FAILED, id="truncated_json-item"),
    pytest.param("truncated_json", "create_group", {}, EXIT_ROWS_FAILED, id="truncated_json-group"),
    pytest.param("drop_before", "create_item", {}, EXIT_ROWS_FAILED, id="drop_before"),
    pytest.param("drop_after", "create_item", {}, EXIT_ROWS_FAILED, id="drop_after-item"),
    pytest.param("drop_after", "create_subitem", {}, EXIT_ROWS_FAILED, id="drop_after-subitem"),
    pytest.param("slow", "create_item", {"seconds": 1.5}, EXIT_ROWS_FAILED, id="slower_than_timeout"),
    pytest.param(
        "rate_limit",
        "create_item",
        {"code": "DAILY_LIMIT_EXCEEDED"},
        EXIT_LIMIT,
        id="429-DAILY_LIMIT_EXCEEDED",
    ),
    pytest.param("alias_error", "create_item", {"index": 1}, EXIT_ROWS_FAILED, id="alias_error-item"),
    pytest.param(
        "alias_error",
        "create_subitem",
        {"index": 2, "code": "ColumnValueException", "message": "invalid value"},
        EXIT_ROWS_FAILED,
        id="alias_error-subitem",
    ),
]


@pytest.mark.parametrize(("kind", "match", "params", "first_exit"), FAULTS)
def test_fault_then_rerun(
    world: World, kind: str, match: str, params: dict[str, Any], first_exit: int
) -> None:
    """The fault hits the first request of its kind; ``--max-retries 0`` leaves what it broke to the
    next run (a new run id, so no Idempotency-Key replay: only the sync-key lookup prevents
    duplicates). The fault is gone by the rerun."""
    world.sandbox.inject(kind, match=match, **params)
    args = ["--max-retries", "0"] + (["--timeout", "0.6"] if kind == "slow" else [])
    first = world.push(*args, customers=[world.first])
    assert first == [first_exit]
    assert world.sandbox.stats["faults_fired"] == {kind: 1}
    if kind == "alias_error":  # one row failed, the rest of its batch landed
        err_view = "ERR_MON_CustMasterSchedule" + ("_Subitems" if match == "create_subitem" else "")
        (err,) = world.sql(f"select error_code, error_message, attempts from main.{err_view}")
        assert err == (
            params.get("code", "InternalServerException"),
            params.get("message", "Injected failure"),
            1,
        )
        assert world.sandbox.stats["mutations_by_field"][match] >= 3
    if kind == "slow":
        time.sleep(1.0)  # let the slow response finish on the server side (it was applied)
    assert world.push() == [EXIT_OK] * len(world.customers)
    assert_settled(world)
    if kind in ("truncated_json", "drop_after", "slow") and match != "create_group":
        assert world.sql("select count(*) from main.MON_PushLog where operation = 'adopt'")[0][0] >= 1


def test_each_429_is_waited_out_then_resent(world: World) -> None:
    """COMPLEXITY_BUDGET_EXHAUSTED, MINUTE_RATE_LIMIT_EXCEEDED, MAX_CONCURRENCY_EXCEEDED in a row on
    the same create (nothing applied each time): waited out without using a retry, then it lands.
    DAILY_LIMIT_EXCEEDED (exit 3, the next run resumes) is in the matrix above."""
    codes = [c for c in LIMIT_CODES if c != "DAILY_LIMIT_EXCEEDED"]
    for code in codes:
        world.sandbox.inject("rate_limit", match="create_item", code=code, retry_in_seconds=0)
    assert world.push("--max-retries", "0", customers=[world.first]) == [EXIT_OK]
    assert world.sandbox.stats["rate_limited_by_code"] == {c: 1 for c in codes}
    assert world.push() == [EXIT_OK] * len(world.customers)
    assert_settled(world)


# ------------------------------------------ faults on updates, moves, archives, deletes
@pytest.fixture(scope="module")
def edited(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample pushed once (the sandbox state kept in a file), then a planner's edits and a dbt
    run: the outbox holds updates, a group move, an archive and a subitem delete."""
    tmp = tmp_path_factory.mktemp("edited")
    db = tmp / "orders.duckdb"
    shutil.copy(built.db, db)
    with _start(tmp, db, state_file=tmp / "state.json"):
        assert [main(["--customer", c]) for c in built.customers] == [EXIT_OK] * len(built.customers)
    _edit(db, built.customers[0])
    dbt_run(tmp, db, tables_only=True)
    ops = {r[0] for r in sql(db, "select distinct operation from main.STG_MON_CustMasterSchedule")}
    ops |= {r[0] for r in sql(db, "select distinct operation from main.STG_MON_CustMasterSchedule_Subitems")}
    assert ops == {"update", "archive", "delete"}
    return Built(tmp, db, built.customers)


def _edit(db: Path, customer: str) -> None:
    """A planner's edits to four active lines of ``customer``: quantities up, a line cancelled, a
    size zeroed, a new season (a new group and a move)."""
    sizes = [
        r[0]
        for r in sql(
            db,
            "select column_name from information_schema.columns where table_schema = 'dbo' "
            "and table_name = 'ORDERS_UNIFIED' and data_type = 'INTEGER' and ordinal_position > 21",
        )
    ]
    picked = sql(
        db,
        f"select record_uuid::varchar, {', '.join(f'coalesce({q(c)}, 0)' for c in sizes)} "
        'from dbo.ORDERS_UNIFIED where "CUSTOMER NAME" = ? and "ORDER STATUS" <> \'CANCELLED\' and '
        "record_uuid::varchar not in (select record_uuid::varchar from main.QUAR_ORDERS_UNIFIED) "
        "order by record_uuid limit 4",
        [customer],
    )
    assert len(picked) == 4
    first_size = [next(c for c, n in zip(sizes, row[1:], strict=True) if n) for row in picked]
    changes = [
        f'"TOTAL_QTY" = "TOTAL_QTY" + 1, {q(first_size[0])} = {q(first_size[0])} + 1',
        "\"ORDER STATUS\" = 'CANCELLED'",
        f"{q(first_size[2])} = 0",
        "\"CUSTOMER SEASON\" = '2099 WINTER'",
    ]
    for (key, *_), change in zip(picked, changes, strict=True):
        sql(db, f"update dbo.ORDERS_UNIFIED set {change} where record_uuid = ?::uuid", [key])


def q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


@pytest.fixture
def edited_world(edited: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    db = tmp_path / "orders.duckdb"
    shutil.copy(edited.db, db)
    shutil.copy(edited.tmp / "state.json", tmp_path / "state.json")
    with _start(tmp_path, db, monkeypatch) as sandbox:
        with sandbox.state.lock:  # loaded, not tied to the file (saving on every mutation is slow)
            sandbox.state.load(tmp_path / "state.json")
        yield World(tmp_path, db, sandbox, list(edited.customers))


# Each request takes the first fault that matches one of its root fields, in this order: the item
# update request (values + move) takes the one on move_item_to_group, the subitem update request
# the one on change_multiple_column_values.
APPLIED_UNKNOWN = [
    ("drop_after", "archive_item", {}),
    ("drop_after", "delete_item", {}),
    ("truncated_json", "move_item_to_group", {}),
    ("drop_after", "change_multiple_column_values", {}),
]
EDIT_FAULTS = [
    pytest.param(APPLIED_UNKNOWN, id="applied_but_unknown-archive-delete-update-move"),
    pytest.param([("http_502_html", "move_item_to_group", {})], id="http_502_html-update"),
    pytest.param([("alias_error", "change_multiple_column_values", {"index": 0})], id="alias_error-update"),
]


@pytest.mark.parametrize("faults", EDIT_FAULTS)
def test_fault_on_a_change_then_rerun(
    edited_world: World, faults: list[tuple[str, str, dict[str, Any]]]
) -> None:
    """Applied-but-unknown changes are resent as they are (an archive or a value change applied
    twice is the same; a subitem deleted twice is 'already deleted'); refused ones are resent."""
    w = edited_world
    for kind, match, params in faults:
        w.sandbox.inject(kind, match=match, **params)
    first = w.push("--max-retries", "0", customers=[w.first])
    assert first == [EXIT_ROWS_FAILED] and sum(w.sandbox.stats["faults_fired"].values()) == len(faults)
    assert w.push() == [EXIT_OK] * len(w.customers)
    assert_settled(w)
    assert len(w.sandbox.items(BOARD, states=("archived",))) == 1


# ------------------------------------------------------------------- SIGKILL
def test_sigkill_before_the_request_is_applied(world: World) -> None:
    """Intents are logged, the request is held by a 429 (nothing applied): killed there."""
    world.sandbox.inject("rate_limit", match="create_item", retry_in_seconds=120)
    proc = world.spawn(world.first)
    world.wait_for("the 429", lambda s: s["rate_limited_by_code"], proc)
    world.kill(proc)
    assert world.sandbox.items(BOARD) == []
    assert {e for e, _ in world.open_intents()} == {"item"}
    world.sandbox.clear_faults()
    assert world.push() == [EXIT_OK] * len(world.customers)
    assert_settled(world)


def test_sigkill_after_the_request_was_applied_before_the_outcome_is_logged(world: World) -> None:
    """monday applied the creates, the response is still on its way: killed there. The rerun (a
    new run: no Idempotency-Key replay) must find them by sync key and adopt them."""
    world.sandbox.inject("slow", match="create_item", seconds=60)
    proc = world.spawn(world.first)
    world.wait_for("the creates", lambda s: s["mutations_by_field"].get("create_item"), proc)
    world.kill(proc)
    landed = len(world.sandbox.items(BOARD))
    assert landed >= 1 and len(world.open_intents()) == landed
    assert world.push() == [EXIT_OK] * len(world.customers)
    assert world.sql("select count(*) from main.MON_PushLog where operation = 'adopt'") == [(landed,)]
    assert_settled(world)


def test_sigkill_in_the_middle_of_the_subitems(world: World) -> None:
    """Items done, two subitem batches done and logged, the third applied but not logged, the rest
    never sent: killed there."""
    world.sandbox.inject("slow", match="create_subitem", seconds=0)
    world.sandbox.inject("slow", match="create_subitem", seconds=0)
    world.sandbox.inject("slow", match="create_subitem", seconds=60)
    proc = world.spawn(world.first, "--batch-size", "5")
    world.wait_for("the third subitem batch", lambda s: s["faults_fired"].get("slow") == 3, proc)
    _wait_until_still(world, proc)  # the third batch is applied; its response is held for 60 s
    world.kill(proc)
    on_board = len(world.sandbox.items(SUBBOARD))
    logged_ok = world.sql(
        "select count(*) from main.MON_CustMasterSchedule_Subitems where customer_name = ?", [world.first]
    )[0][0]
    unconfirmed = [e for e, _ in world.open_intents()]
    left = world.sql(
        "select count(*) from main.STG_MON_CustMasterSchedule_Subitems where customer_name = ?", [world.first]
    )[0][0]
    assert logged_ok >= 2 and unconfirmed == ["subitem"] * len(unconfirmed) and unconfirmed
    assert on_board == logged_ok + len(unconfirmed)  # the third batch landed, its outcome did not
    assert left > len(unconfirmed)  # and the rest was never sent
    assert world.push() == [EXIT_OK] * len(world.customers)
    assert_settled(world)


def test_sigkill_while_monday_is_still_applying_then_an_immediate_rerun(world: World) -> None:
    """monday has the create request but is still working on it (its Idempotency-Key is taken,
    nothing is on the board yet): killed there, and rerun at once. The lookup by sync key finds
    nothing, so a new create would double every row once monday finishes; the rerun resends the
    logged request under its own key instead: 409 while monday is busy, then monday's replay."""
    held = 4.0
    world.sandbox.inject("apply_late", match="create_item", seconds=held)
    proc = world.spawn(world.first)
    world.wait_for("the creates to reach monday", lambda s: s["faults_fired"].get("apply_late"), proc)
    arrived = time.monotonic()
    world.kill(proc)
    assert world.sandbox.items(BOARD) == [] and world.open_intents()
    assert world.push() == [EXIT_OK] * len(world.customers)
    time.sleep(max(0.0, arrived + held + 0.5 - time.monotonic()))  # the held request is done by now
    assert_settled(world)  # every line once on the board
    stats = world.sandbox.stats
    assert stats["idempotency_conflicts"] >= 1 and stats["idempotent_replays"] >= 1, stats


def test_a_resend_that_fails_is_resent_again_under_the_first_key(world: World) -> None:
    """Killed before monday took the create request; the next run's resend meets a 500 (so its
    outcome is unknown again, and nothing is created blind); the run after resends once more,
    still under the first request's key, and monday applies it once."""
    world.sandbox.inject("rate_limit", match="create_item", retry_in_seconds=120)
    proc = world.spawn(world.first)
    world.wait_for("the 429", lambda s: s["rate_limited_by_code"], proc)
    world.kill(proc)
    ((key, n),) = world.sql(
        "select idempotency_key, count(*) from main.MON_PushLog where entity = 'item' and phase = 'intent' "
        "group by 1"
    )
    world.sandbox.clear_faults()
    world.sandbox.inject("http_500", match="create_item")
    assert world.push("--max-retries", "0", customers=[world.first]) == [EXIT_ROWS_FAILED]
    assert world.sandbox.items(BOARD) == []
    assert world.push() == [EXIT_OK] * len(world.customers)
    assert_settled(world)
    runs = world.sql(
        "select count(distinct run_id), count(*) from main.MON_PushLog where phase = 'intent' and "
        "idempotency_key = ?",
        [key],
    )
    assert runs == [(3, 3 * n)]  # the same request, sent by three runs under one key


def _wait_until_still(world: World, proc: subprocess.Popen[str], quiet: float = 0.3) -> None:
    """Until the sandbox's mutation counters have not moved for ``quiet`` seconds."""
    last, since = None, time.monotonic()
    while time.monotonic() - since < quiet:
        now = world.sandbox.stats["mutations_by_field"]
        if now != last:
            last, since = now, time.monotonic()
        assert proc.poll() is None
        time.sleep(0.02)


# ------------------------------------------------------ mass delete guard
def test_an_empty_source_is_not_read_as_delete_everything(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert world.push() == [EXIT_OK] * len(world.customers)
    live = len(world.sandbox.items(BOARD))
    world.sql("delete from dbo.ORDERS_UNIFIED")
    dbt_run(world.tmp, world.db, tables_only=True)
    assert world.sql("select distinct operation from main.STG_MON_CustMasterSchedule") == [("archive",)]
    capsys.readouterr()
    assert world.push() == [EXIT_CONFIG] * len(world.customers)
    out = capsys.readouterr().out
    assert out.count("refusing to archive") == len(world.customers) and "--force" in out
    assert len(world.sandbox.items(BOARD)) == live and world.sandbox.items(BOARD, states=("archived",)) == []
    assert world.sql("select count(*) from main.MON_PushLog where operation = 'archive'") == [(0,)]
    assert world.push("--dry-run") == [EXIT_CONFIG] * len(world.customers)  # the plan says so too


def test_sizes_blanked_wholesale_are_not_read_as_delete_every_subitem(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from tools.reference_layout import read_layout, size_columns

    assert world.push() == [EXIT_OK] * len(world.customers)
    subitems = len(world.sandbox.items(SUBBOARD))
    blank = ", ".join(f'"{c.name}" = NULL' for c in size_columns(read_layout()))
    world.sql(f"update dbo.ORDERS_UNIFIED set {blank}")
    dbt_run(world.tmp, world.db, tables_only=True)
    capsys.readouterr()
    assert world.push() == [EXIT_CONFIG] * len(world.customers)
    out = capsys.readouterr().out
    assert out.count("refusing to delete") == len(world.customers) and "--force" in out
    assert len(world.sandbox.items(SUBBOARD)) == subitems
    assert world.sql("select count(*) from main.MON_PushLog where operation = 'delete'") == [(0,)]
    # A person who means it says so; then every blanked size goes.
    assert world.push("--force") == [EXIT_OK] * len(world.customers)
    assert world.sandbox.items(SUBBOARD) == []


# ------------------------------------------------------------ board capacity
def test_a_full_board_holds_back_its_creates_until_there_is_room(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A small boards.max_items_per_board stands in for monday's 10,000: the board already holds
    other items; the first customer fits, the second would pass the limit and creates nothing
    (exit 1, its rows stay in the outbox); once a person makes room, the rerun goes through."""
    limit = 400
    config = yaml.safe_load(MONDAY_YML.read_text())
    config["boards"].update(max_items_per_board=limit, capacity_margin=1)
    (world.tmp / "monday.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    monkeypatch.setenv("ORDER_SYNC_CONFIG", str(world.tmp / "monday.yml"))
    # dbt builds from the same file (its plan sees the limit too; the other items it cannot see)
    dbt("run", "--quiet", "--vars", mapping_vars(world.tmp / "monday.yml"), work=world.tmp, db=world.db)
    world.sandbox.configure(max_items_per_board=limit)
    k, m = (
        world.sql("select count(*) from main.STG_MON_CustMasterSchedule where customer_name = ?", [c])[0][0]
        for c in world.customers[:2]
    )
    foreign = limit - k - m + 1
    with world.sandbox.state.lock:
        gid = world.sandbox.state.create_group(BOARD, "Someone else's")["id"]
        others = [
            world.sandbox.state.create_item(BOARD, f"other {n}", group_id=gid)["id"] for n in range(foreign)
        ]
    capsys.readouterr()
    assert world.push() == [EXIT_OK, EXIT_ROWS_FAILED]
    out = capsys.readouterr().out
    assert f"holds {foreign + k} items and this run would create {m} more" in out
    assert f"limit of {limit} items per board" in out and "BOARD_FULL" in out
    assert len(world.sandbox.items(BOARD)) == foreign + k
    second = world.customers[1]
    assert world.sql("select count(*) from main.MON_PushLog where customer_name = ?", [second]) == [(0,)]

    with world.sandbox.state.lock:  # a person archives (here: deletes) what is no longer needed
        for iid in others:
            world.sandbox.state.delete_item(iid)
    assert world.push() == [EXIT_OK, EXIT_OK]
    assert_settled(world)


def test_capacity_check_itself() -> None:
    from pusher.boards.capacity import over_limit

    assert over_limit("subitems board 9002", 9_990, 10, 10_000) is None  # exactly full is allowed
    assert over_limit("subitems board 9002", None, 50_000, 10_000) is None  # no count: monday refuses per row
    why = over_limit("subitems board 9002", 9_990, 11, 10_000) or ""
    assert "subitems board 9002 holds 9990 items and this run would create 11 more" in why
    assert "(10001 > the limit of 10000 items per board" in why and "room for 10" in why


# ------------------------------------------------------------------ secrets
def test_token_never_leaks_from_a_real_process(world: World) -> None:
    """``python -m pusher -vv`` (debug logging of every library) through faults, a row error, a
    dry run and a 401: the token is in no output and no log row."""
    world.sandbox.inject("http_500", match="create_group")
    world.sandbox.inject("drop_after", match="create_item")
    world.sandbox.inject("alias_error", match="create_subitem", index=0)
    seen = []
    for args in (("--dry-run",), (), ("--dry-run",)):
        proc = world.spawn(world.first, "-vv", *args)
        seen.append(proc.communicate(timeout=120)[0])
        assert proc.returncode in (EXIT_OK, EXIT_ROWS_FAILED), seen[-1]
    assert "DEBUG" in seen[1] and "DRY RUN" in seen[0]
    with SandboxServer(board_spec=board_spec(), token="tok-the-real-one") as other:
        env = pusher_env(world.tmp, world.db, TOKEN, MONDAY_API_URL=other.url)
        proc = subprocess.run(
            [sys.executable, "-m", "pusher", "--customer", world.customers[1], "-vv"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == EXIT_CONFIG and "401" in proc.stdout + proc.stderr
        seen.append(proc.stdout + proc.stderr)
    log = json.dumps(world.sql("select * from main.MON_PushLog"), default=str)
    assert world.sql("select count(*) from main.MON_PushLog where status = 'error'")[0][0] >= 1
    for text in (*seen, log):
        assert TOKEN not in text


# ------------------------------------------------- bulk import jobs (issue 11)
def _bulk_config(world: World, monkeypatch: pytest.MonkeyPatch, min_rows: int = 10) -> None:
    """monday.yml with a bulk section small enough for the sample's waves to go as jobs."""
    data = yaml.safe_load(MONDAY_YML.read_text(encoding="utf-8"))
    data["bulk"] = {"min_rows": min_rows, "poll_seconds": 0.05, "max_wait_seconds": 30}
    path = world.tmp / "monday-bulk.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("ORDER_SYNC_CONFIG", str(path))


def _jobs(world: World, phase: str = "intent") -> list[tuple[Any, ...]]:
    return world.sql(
        "select operation, status, error_code from main.MON_PushLog where entity = 'job' and phase = ? "
        "order by logged_at",
        [phase],
    )


def _job_counts(world: World) -> dict[str, int]:
    return dict(world.sandbox.stats["jobs"]["by_status"])


def test_bulk_first_sync_then_a_rerun_sends_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _bulk_config(world, monkeypatch)
    assert world.push("--bulk", "ingest") == [EXIT_OK] * len(world.customers)
    assert _jobs(world, "outcome") and {s for _, s, _ in _jobs(world, "outcome")} == {"ok"}
    by_job = world.sql(
        "select count(*) from main.MON_PushLog where phase = 'outcome' and status = 'ok' "
        "and idempotency_key like 'job:%'"
    )[0][0]
    # only the few items bringing a label the board lacked went by mutation (labels first)
    assert by_job > 5 * world.sandbox.stats["mutations_by_field"].get("create_item", 0)
    assert_settled(world)
    before = dict(world.sandbox.stats["mutations_by_field"])
    assert world.push("--bulk", "ingest") == [EXIT_OK] * len(world.customers)
    assert world.sandbox.stats["mutations_by_field"] == before


def test_bulk_sigkill_after_the_job_started(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """monday started the job, its answer (job id, upload URL) never reached the pusher: the job
    gets no file and creates nothing; the rerun starts another."""
    _bulk_config(world, monkeypatch)
    world.sandbox.inject("slow", match="ingest_items", seconds=60)
    proc = world.spawn(world.first, "--bulk", "ingest")
    world.wait_for("the job start", lambda s: s["jobs"]["import_jobs"] >= 1, proc)
    world.kill(proc)
    assert _jobs(world) == []  # the job's id never reached the pusher: nothing to settle
    world.sandbox.clear_faults()
    assert world.push("--bulk", "ingest") == [EXIT_OK] * len(world.customers)
    assert_settled(world)


@pytest.mark.parametrize("moment", ["uploaded", "processing"])
def test_bulk_sigkill_after_the_upload(world: World, monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """Killed once the file is up (the job not yet processing, or half done): the rerun finds the
    job intent without outcome, waits for the job, takes its report; nothing is created twice."""
    _bulk_config(world, monkeypatch)
    world.sandbox.configure(import_rows_per_second=20)
    proc = world.spawn(world.first, "--bulk", "ingest")

    def reached(stats: dict[str, Any]) -> bool:
        jobs = list(world.sandbox.jobs.jobs.values())
        if moment == "uploaded":
            return any(j.data is not None for j in jobs)
        return any(j.status == "PROCESSING" and j.done > 0 for j in jobs)

    world.wait_for(f"the job {moment}", reached, proc)
    world.kill(proc)
    assert [(op, st) for op, st, _ in _jobs(world)] == [("ingest", "sent")] and _jobs(world, "outcome") == []
    world.sandbox.configure(import_rows_per_second=2000)
    ((job,),) = world.sql("select sync_key from main.MON_PushLog where entity = 'job'")
    assert world.push("--bulk", "ingest", customers=[world.first]) == [EXIT_OK]
    assert {s for _, s, _ in _jobs(world, "outcome")} == {"ok"}
    resent = world.sql(
        "select count(*) from main.MON_PushLog l where phase = 'intent' and batch_id <> ? and sync_key in "
        "(select sync_key from main.MON_PushLog where batch_id = ? and entity <> 'job')",
        [job, job],
    )
    assert resent == [(0,)]  # the killed run's job rows were taken from its report, never sent again
    assert world.push("--bulk", "ingest") == [EXIT_OK] * len(world.customers)
    assert_settled(world)


@pytest.mark.parametrize("processing", ["side_by_side", "queue"])
def test_bulk_sigkill_with_several_jobs_in_flight(
    world: World, monkeypatch: pytest.MonkeyPatch, processing: str
) -> None:
    """Issue 22: every job is started and uploaded before any is waited for. Killed with several
    jobs uploaded and none finished (side by side, or queued one at a time): the rerun settles
    each from its report; no row is lost, none is sent twice."""
    _bulk_config(world, monkeypatch, min_rows=5)
    world.sandbox.configure(import_rows_per_second=2, import_processing=processing)
    proc = world.spawn(world.first, "--bulk", "ingest")

    def in_flight(stats: dict[str, Any]) -> bool:
        jobs = list(world.sandbox.jobs.jobs.values())
        return sum(j.data is not None for j in jobs) >= 2 and not any(j.status == "COMPLETED" for j in jobs)

    world.wait_for("two jobs uploaded", in_flight, proc)
    world.kill(proc)
    intents = world.sql("select sync_key from main.MON_PushLog where entity = 'job' and phase = 'intent'")
    assert len(intents) >= 2 and _jobs(world, "outcome") == []
    world.sandbox.configure(import_rows_per_second=2000)
    assert world.push("--bulk", "ingest", customers=[world.first]) == [EXIT_OK]
    assert len(_jobs(world, "outcome")) >= len(intents)
    resent = world.sql(
        "select count(*) from main.MON_PushLog l where phase = 'intent' and entity <> 'job' and sync_key in "
        "(select sync_key from main.MON_PushLog j where j.phase = 'intent' and j.entity <> 'job' "
        "and j.batch_id in (select sync_key from main.MON_PushLog where entity = 'job') "
        "and j.batch_id <> l.batch_id)"
    )
    assert resent == [(0,)]  # the killed run's job rows were taken from the reports, never sent again
    assert world.push("--bulk", "ingest") == [EXIT_OK] * len(world.customers)
    assert_settled(world)


def test_bulk_job_failing_half_way(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job ends FAILED (INTERNAL_ERROR) after a few rows: those stay and are confirmed from the
    report, the rest are errors left in the outbox, and the rerun creates them once."""
    _bulk_config(world, monkeypatch)
    world.sandbox.inject("job_fail_after", match="ingest_items", rows=7)
    assert world.push("--bulk", "ingest", customers=[world.first]) == [EXIT_ROWS_FAILED]
    ((job,),) = world.sql(
        "select sync_key from main.MON_PushLog where entity = 'job' and status = 'error' "
        "and error_code = 'INTERNAL_ERROR'"
    )
    ok = world.sql(
        "select count(*) from main.MON_PushLog where batch_id = ? and entity <> 'job' and status = 'ok'",
        [job],
    )
    assert ok == [(7,)]
    assert world.push("--bulk", "ingest") == [EXIT_OK] * len(world.customers)
    assert_settled(world)
