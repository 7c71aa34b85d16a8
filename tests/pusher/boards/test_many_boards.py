"""One customer over many boards (docs/CONTRACT.md, issue 10): rows land on the board the outbox
names, a moved line leaves its old board before it is created on the new one, out-of-scope lines
are deleted, a full board waits while the others sync, and the run says which boards it touched.

The sandbox holds two board pairs of one route: ``Orders`` (9001 / 9002) and ``Orders (2)``
(9101 / 9102). The outbox tables are written by hand (tests/pusher/harness.py).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest
import yaml

from pusher.errors import EXIT_CONFIG, EXIT_OK, EXIT_ROWS_FAILED, RefusedError
from tests.pusher import harness
from tests.pusher.harness import (
    CUSTOMER,
    FALL,
    KEYS,
    SPRING,
    Env,
    item_row,
    item_values,
    subitem_row,
)
from tests.sandbox.resolvers import schema_path
from tests.support.sandbox_boards import BOARD, SUBBOARD, board_spec

BOARD2, SUBBOARD2 = "9101", "9102"
ONE = (BOARD, SUBBOARD, "Orders")
TWO = (BOARD2, SUBBOARD2, "Orders (2)")

CAPACITY_COLUMNS = {
    "board_name": "varchar",
    "route_key": "varchar",
    "overflow_no": "integer",
    "board_id": "varchar",
    "subitem_board_id": "varchar",
    "items_on_board": "integer",
    "live_items": "integer",
    "subitems_on_board": "integer",
    "planned_item_creates": "integer",
    "planned_item_archives": "integer",
    "planned_item_deletes": "integer",
    "planned_subitem_creates": "integer",
    "planned_subitem_deletes": "integer",
    "max_items": "integer",
    "items_after": "integer",
    "subitems_after": "integer",
    "room_items": "integer",
    "room_subitems": "integer",
    "is_over": "boolean",
    "board_exists": "boolean",
}


def two_boards() -> list[dict[str, Any]]:
    first = {**board_spec()[0], "name": "Orders"}
    return [first, {**first, "id": BOARD2, "subitem_board_id": SUBBOARD2, "name": "Orders (2)"}]


def configure(env: Env, **boards: Any) -> None:
    """Set keys under ``boards:`` in the run's monday.yml."""
    path = env.tmp / "monday.yml"
    config = yaml.safe_load(path.read_text())
    config["boards"].update(boards)
    path.write_text(yaml.safe_dump(config, sort_keys=False))


@pytest.fixture
def sandbox_boards() -> list[dict[str, Any]]:
    """The sandbox of these tests (the ``env`` fixture's): two board pairs of one route."""
    return two_boards()


def keys_on(env: Env, board: str, states: tuple[str, ...] = ("active",)) -> set[str]:
    return {i["column_values"].get("sync_key", i["name"]) for i in env.items(board, states=states)}


def groups_on(env: Env, board: str) -> dict[str, str]:
    return {
        g["title"]: g["id"] for b in env.server.snapshot()["boards"] if b["id"] == board for g in b["groups"]
    }


def created(env: Env, rows: list[dict[str, Any]]) -> dict[str, str]:
    env.outbox(rows)
    summary = env.run()
    assert summary.exit_code == EXIT_OK, summary.render()
    env.outbox()
    return env.item_ids()


# ------------------------------------------------------------------ two boards
def test_rows_for_two_boards_land_on_their_boards_with_groups_on_each(env: Env) -> None:
    env.outbox(
        [
            item_row(KEYS[0], board=ONE),
            item_row(KEYS[1], group=SPRING, board=TWO),
            item_row(KEYS[2], board=TWO),
        ],
        [subitem_row(KEYS[0], "S", 10, board=ONE), subitem_row(KEYS[1], "M", 4, board=TWO)],
    )
    summary = env.run()
    assert summary.exit_code == EXIT_OK, summary.render()

    assert keys_on(env, BOARD) == {KEYS[0]} and keys_on(env, BOARD2) == {KEYS[1], KEYS[2]}
    assert set(groups_on(env, BOARD)) >= {FALL} and SPRING not in groups_on(env, BOARD)
    assert set(groups_on(env, BOARD2)) >= {FALL, SPRING}
    items = {i["column_values"]["sync_key"]: i for b in (BOARD, BOARD2) for i in env.items(b)}
    assert items[KEYS[1]]["group_id"] == groups_on(env, BOARD2)[SPRING]
    assert [s["parent_item_id"] for s in env.items(SUBBOARD)] == [items[KEYS[0]]["id"]]
    assert [s["parent_item_id"] for s in env.items(SUBBOARD2)] == [items[KEYS[1]]["id"]]

    # every event is logged with the board its row is on (a subitem: its parent's board)
    where = {(r["entity"], r["sync_key"], r["board_id"]) for r in env.log("phase = 'outcome'")}
    assert where == {
        ("item", KEYS[0], BOARD),
        ("item", KEYS[1], BOARD2),
        ("item", KEYS[2], BOARD2),
        ("subitem", f"{KEYS[0]}|S", BOARD),
        ("subitem", f"{KEYS[1]}|M", BOARD2),
        ("group", FALL, BOARD),
        ("group", FALL, BOARD2),
        ("group", SPRING, BOARD2),
    }
    # both boards in one read; then per board one create_group, create_items, create_subitems request
    reads = [s for s in env.session.sent if s["body"]["query"].lstrip().startswith("query ReadBoard")]
    assert len(reads) == 1 and summary.http_calls == 7
    assert set(reads[0]["body"]["variables"]["ids"]) == {BOARD, SUBBOARD, BOARD2, SUBBOARD2}

    text = summary.render()
    assert "2 boards" in text
    assert "'Orders' (board 9001): group.create 1, item.create 1, subitem.create 1" in text
    assert "'Orders (2)' (board 9101): group.create 2, item.create 2, subitem.create 1" in text


# ----------------------------------------------------------------------- moves
def moved(key: str, item_id: str, *, operation: str = "archive") -> list[dict[str, Any]]:
    """A line whose route changed: removal on the old board, create on the new one."""
    return [
        item_row(
            key, operation, confirmed=item_values(key), monday_item_id=item_id, board=ONE, reason="moved"
        ),
        item_row(key, board=TWO, reason="moved"),
    ]


def test_a_move_archives_on_the_old_board_then_creates_on_the_new(env: Env) -> None:
    ids = created(env, [item_row(k, board=ONE) for k in KEYS])
    env.outbox(moved(KEYS[0], ids[KEYS[0]]))
    summary = env.run()
    assert summary.exit_code == EXIT_OK, summary.render()
    assert KEYS[0] not in keys_on(env, BOARD) and KEYS[0] in keys_on(env, BOARD, ("archived",))
    assert keys_on(env, BOARD2) == {KEYS[0]}
    events = [(r["board_id"], r["operation"], r["phase"]) for r in env.log(f"sync_key = '{KEYS[0]}'")][2:]
    assert events == [
        (BOARD, "archive", "intent"),
        (BOARD, "archive", "outcome"),
        (BOARD2, "create", "intent"),
        (BOARD2, "create", "outcome"),
    ]


def test_a_move_whose_archive_fails_creates_nothing(env: Env) -> None:
    ids = created(env, [item_row(k, board=ONE) for k in KEYS])
    env.outbox(moved(KEYS[0], ids[KEYS[0]]))
    env.server.inject("alias_error", match="archive_item", index=0, code="InternalServerException")
    summary = env.run()
    assert summary.exit_code == EXIT_ROWS_FAILED
    assert [(d.code, d.board_id) for d in summary.deferred] == [("MOVE_PENDING", BOARD2)]
    assert "still live on board 9001" in (summary.deferred[0].message or "")
    assert keys_on(env, BOARD) >= {KEYS[0]} and keys_on(env, BOARD2) == set()
    assert env.log(f"sync_key = '{KEYS[0]}' and board_id = '{BOARD2}'") == []

    summary = env.run()  # the next run: the archive goes through, then the create
    assert summary.exit_code == EXIT_OK, summary.render()
    assert KEYS[0] not in keys_on(env, BOARD) and keys_on(env, BOARD2) == {KEYS[0]}


def test_a_move_by_delete_with_the_create_waiting_in_the_next_run(env: Env) -> None:
    """sync.on_move: delete; the create failed after the delete: the next outbox has the create
    alone (the line is live nowhere) and it goes."""
    ids = created(env, [item_row(k, board=ONE) for k in KEYS])
    env.outbox(moved(KEYS[0], ids[KEYS[0]], operation="delete"))
    env.server.inject("http_500", count=10, match="create_item")
    summary = env.run(max_retries=1)
    assert summary.n("item", "delete") == 1 and summary.exit_code == EXIT_ROWS_FAILED
    assert KEYS[0] not in keys_on(env, BOARD, ("active", "archived"))
    env.server.clear_faults()
    env.outbox([item_row(KEYS[0], board=TWO, reason="moved")])
    summary = env.run()
    assert summary.exit_code == EXIT_OK and keys_on(env, BOARD2) == {KEYS[0]}, summary.render()


# --------------------------------------------------------------------- deletes
def test_out_of_scope_line_is_deleted_and_deletes_count_in_the_guard(env: Env) -> None:
    ids = created(env, [item_row(k, board=ONE) for k in KEYS])
    gone = [
        item_row(
            k, "delete", confirmed=item_values(k), monday_item_id=ids[k], board=ONE, reason="out_of_scope"
        )
        for k in KEYS
    ]
    env.outbox(gone[:3])
    with pytest.raises(RefusedError, match="refusing to archive 3 of 5 live items \\(3 delete"):
        env.run()
    assert len(env.items(BOARD)) == 5

    env.outbox(gone[4:])
    summary = env.run()
    assert summary.exit_code == EXIT_OK and summary.n("item", "delete") == 1, summary.render()
    assert keys_on(env, BOARD, ("active", "archived")) == set(KEYS[:4])
    (sent,) = env.session.mutations("delete_item")
    assert sent["variables"] == {"id0": ids[KEYS[4]]}
    (outcome,) = env.log("operation = 'delete' and phase = 'outcome'")
    assert (outcome["status"], outcome["board_id"], outcome["entity"]) == ("ok", BOARD, "item")
    # already gone on monday (a lost response, or a person): still ok (1 of the 4 left: --force)
    summary = env.run(force=True)
    assert summary.exit_code == EXIT_OK and summary.n("item", "delete") == 1, summary.render()


# -------------------------------------------------------------------- capacity
def test_a_full_board_defers_only_its_creates_while_another_board_syncs(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, max_items_per_board=6, capacity_margin=1)
    with env.server.state.lock:
        gid = env.server.state.create_group(BOARD2, "Someone else's")["id"]
        for n in range(5):
            env.server.state.create_item(BOARD2, f"other {n}", group_id=gid)
    env.outbox(
        [item_row(KEYS[0], board=ONE), item_row(KEYS[1], board=ONE), item_row(KEYS[2], board=TWO)]
        + [item_row(KEYS[3], board=TWO)],
        [subitem_row(KEYS[2], "S", 1, board=TWO)],
    )
    code = cli(env, monkeypatch)
    out = capsys.readouterr().out
    assert code == EXIT_ROWS_FAILED, out
    assert keys_on(env, BOARD) == {KEYS[0], KEYS[1]}
    assert keys_on(env, BOARD2) == {f"other {n}" for n in range(5)}  # nothing of ours
    assert "board 'Orders (2)' (9101) holds 5 items and this run would create 2 more" in out
    assert "limit of 6 items per board" in out and "room for 1" in out
    for fix in ("boards.max_items_per_board", "boards.capacity_margin", "boards.auto_create", "scope"):
        assert fix in out
    assert out.count("BOARD_FULL") == 3  # two items and the subitem of one of them
    assert env.log(f"board_id = '{BOARD2}' and entity <> 'group'") == []


def test_a_full_subitems_board_holds_back_the_items_of_its_board(env: Env) -> None:
    configure(env, max_items_per_board=4, capacity_margin=1)
    with env.server.state.lock:
        gid = env.server.state.create_group(BOARD2, "Someone else's")["id"]
        other = env.server.state.create_item(BOARD2, "other", group_id=gid)["id"]
        for size in ("S", "M", "L"):
            env.server.state.create_subitem(other, size)
    env.outbox(
        [item_row(KEYS[0], board=TWO)],
        [subitem_row(KEYS[0], "S", 1, board=TWO), subitem_row(KEYS[0], "M", 1, board=TWO)],
    )
    summary = env.run()
    assert summary.exit_code == EXIT_ROWS_FAILED
    assert {d.code for d in summary.deferred} == {"BOARD_FULL"} and len(summary.deferred) == 3
    assert "the subitems board 9102 of board 'Orders (2)' (9101) holds 3 items" in (
        summary.deferred[0].message or ""
    )
    assert keys_on(env, BOARD2) == {"other"} and len(env.items(SUBBOARD2)) == 3


# --------------------------------------------------------------------- summary
def cli(env: Env, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    return harness.cli(env, monkeypatch, "--customer", CUSTOMER, "--retry-backoff", "0.01", *args)


def test_the_json_summary_names_every_board_with_its_counts(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.outbox([item_row(KEYS[0], board=ONE), item_row(KEYS[1], board=TWO), item_row(KEYS[2], board=TWO)])
    assert cli(env, monkeypatch, "--log-format", "json") == EXIT_OK
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    (summary,) = [e for e in events if e["event"] == "summary"]
    assert summary["boards"] == [
        {
            "board_id": BOARD,
            "board_name": "Orders",
            "counts": {"group.create": 1, "item.create": 1},
            "failed": 0,
        },
        {
            "board_id": BOARD2,
            "board_name": "Orders (2)",
            "counts": {"group.create": 1, "item.create": 2},
            "failed": 0,
        },
    ]


# --------------------------------------------------------------------- dry run
def capacity_table(env: Env, rows: list[dict[str, Any]]) -> None:
    con = duckdb.connect(str(env.db_path))
    try:
        con.execute(
            "create or replace table main.MON_BoardCapacity ("
            + ", ".join(f"{c} {t}" for c, t in CAPACITY_COLUMNS.items())
            + ")"
        )
        for row in rows:
            full = {c: row.get(c) for c in CAPACITY_COLUMNS}
            con.execute(
                f"insert into main.MON_BoardCapacity values ({', '.join('?' for _ in full)})",
                list(full.values()),
            )
    finally:
        con.close()


def test_dry_run_prints_the_capacity_plan_per_board(env: Env) -> None:
    made = {"route_key": "Orders", "max_items": 10_000, "board_exists": True, "is_over": False}
    capacity_table(
        env,
        [
            {**made, "board_name": "Orders", "overflow_no": 1, "board_id": BOARD, "items_on_board": 9_400}
            | {"planned_item_creates": 1, "items_after": 9_401, "room_items": 599, "room_subitems": 10_000},
            {
                **made,
                "board_name": "Orders (2)",
                "overflow_no": 2,
                "board_id": BOARD2,
                "items_on_board": 9_999,
            }
            | {"planned_item_creates": 2, "items_after": 10_001, "room_items": 0, "is_over": True},
            {**made, "board_name": "Orders (3)", "overflow_no": 3, "board_exists": False}
            | {
                "planned_item_creates": 1,
                "items_after": 1,
                "room_items": 9_999,
                "planned_subitem_creates": 3,
            },
            {**made, "board_name": "Someone else's", "overflow_no": 1, "board_id": "7001"},
        ],
    )
    env.outbox(
        [item_row(KEYS[0], board=ONE), item_row(KEYS[1], board=TWO), item_row(KEYS[2], board=TWO)]
        + [item_row(KEYS[3], board=(None, None, "Orders (3)"))]
    )
    env.run(dry_run=True)
    assert env.session.sent == [] and env.log() == []
    plan = env.output[0]
    assert "4 boards" not in plan and "3 boards" in plan
    assert "Orders (9001): item.create 1" in plan and "Orders (3) (not made yet): item.create 1" in plan
    assert "board capacity (MON_BoardCapacity): 3 board(s), 1 not made yet, 1 OVER THE LIMIT" in plan
    assert "'Orders' (9001): items 9400 +1 create -0 archive -0 delete → 9401 of 10000 (room 599)" in plan
    assert "'Orders (2)' (9101): items 9999 +2 create" in plan and "[OVER THE LIMIT]" in plan
    assert "'Orders (3)' (no id yet): items 0 +1 create" in plan and "[NOT MADE YET]" in plan
    assert "Someone else's" not in plan
    assert "1 board(s) not made yet (Orders (3)): boards.auto_create is off" in plan


# -------------------------------------------------------------- boards on demand
def test_a_board_not_made_is_refused_while_the_other_boards_sync(env: Env) -> None:
    env.outbox([item_row(KEYS[0], board=ONE), item_row(KEYS[1], board=(None, None, "Orders (3)"))])
    summary = env.run()
    assert summary.exit_code == EXIT_CONFIG
    assert keys_on(env, BOARD) == {KEYS[0]}
    assert [(d.sync_key, d.code) for d in summary.deferred] == [(KEYS[1], "BOARD_NOT_MADE")]
    text = summary.render()
    assert "REFUSED" in text and "Orders (3)" in text and "boards.auto_create: true" in text


def test_a_board_is_made_on_demand_and_its_rows_land_there(env: Env) -> None:
    configure(env, auto_create=True)
    env.outbox(
        [item_row(KEYS[0], board=ONE), item_row(KEYS[1], board=(None, None, "Orders (3)"))],
        [subitem_row(KEYS[1], "S", 3, board=(None, None, "Orders (3)"))],
    )
    summary = env.run()
    assert summary.exit_code == EXIT_OK, summary.render()
    (made,) = env.log("entity = 'board' and phase = 'outcome'")
    assert (made["operation"], made["status"], made["sync_key"]) == ("create", "ok", "Orders (3)")
    board3 = made["board_id"]
    assert keys_on(env, board3) == {KEYS[1]} and keys_on(env, BOARD) == {KEYS[0]}
    (sub,) = env.items(made["monday_parent_id"])
    assert sub["name"] == "S"
    assert (
        env.log(f"entity = 'item' and phase = 'outcome' and board_id = '{board3}'")[0]["sync_key"] == KEYS[1]
    )
    assert f"'Orders (3)' (board {board3})" in summary.render()


def test_the_item_delete_document_is_valid_and_carries_ids_as_variables() -> None:
    from graphql import build_schema, parse, validate

    from pusher.monday import operations as ops
    from pusher.monday.operations import Op

    sdl = schema_path()
    if not sdl.is_file():
        pytest.skip(f"no monday schema at {sdl}")
    rows = [Op("item", "delete", f"k{i}", monday_id=str(9_870 + i)) for i in range(3)]
    request = ops.build("delete_items", rows)
    assert validate(build_schema(sdl.read_text(encoding="utf-8")), parse(request.document)) == []
    assert (
        request.variables == {"id0": "9870", "id1": "9871", "id2": "9872"} and "987" not in request.document
    )
