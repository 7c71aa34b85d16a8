"""Scope, routes, overflow placement and board capacity in SQL, on a small DuckDB (docs/CONTRACT.md,
"At scale").

A few hundred sample lines are built with a monday.yml whose boards hold 200 items (capacity
margin 20, so placement plans at most 180 per board), passed as the dbt var order_sync_mapping
(`python -m tools.codegen --config X --print-vars`), so the committed mapping stays as it is.
Then the pusher's part is played by SQL: the planned boards are logged as made and every create
as confirmed on its board; the next build must keep every line where it is, send nothing, and
count the items on each board. New lines of a placed order follow it; a route change moves
lines (archive on the old board + create on the new one); lines leaving scope are archived.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
import yaml

from pusher.config.rules import problems
from tests.support.dbt import dbt, mapping_vars
from tests.support.duck import sql
from tests.support.paths import MONDAY_YML, REPO
from tools.sample_orders import create

MAX_ITEMS, MARGIN = 200, 20
FILL_TARGET = MAX_ITEMS - MARGIN
LOG_COLUMNS = (
    "log_id, logged_at, run_id, batch_id, customer_name, board_id, entity, sync_key, parent_sync_key, "
    "operation, phase, status, payload_hash, group_title, item_name, column_values, monday_id, "
    "monday_parent_id, monday_group_id, attempt"
)


def _config(tmp: Path, name: str, **changes: object) -> str:
    """The --vars JSON for monday.yml with small boards and `changes` applied to its sections."""
    doc = yaml.safe_load(MONDAY_YML.read_text())
    doc["boards"] = {
        "max_items_per_board": MAX_ITEMS,
        "capacity_margin": MARGIN,
        "default": {"board_id": "9001", "subitem_board_id": "9002"},
        "customers": {},
    }
    doc["items"]["size_curve"] = {"id": "size_curve", "title": "Sizes", "type": "long_text"}
    for section, value in changes.items():
        doc[section] = value
    path = tmp / f"{name}.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return mapping_vars(path)


class Scale:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.db = work / "orders.duckdb"
        self.next_id = 500000

    def build(self, dbt_vars: str) -> None:
        # The unit tests pin the committed mapping; they run in tests/dbt/test_build.py.
        dbt("build", "--vars", dbt_vars, "--exclude", "resource_type:unit_test", work=self.work, db=self.db)

    def query(self, query: str, params: list | None = None) -> list[tuple]:
        return sql(self.db, query, params)

    def execute(self, query: str, params: list | None = None) -> None:
        sql(self.db, query, params)

    def confirm_everything(self) -> None:
        """Play the pusher: make the planned boards, then confirm every item and subitem operation."""
        boards = self.query(
            "SELECT DISTINCT route_key, overflow_no, board_name, sizes_mode FROM main.int_order_lines_placed "
            "WHERE board_id IS NULL AND board_name NOT IN (SELECT board_name FROM main.MON_Boards)"
        )
        for route_key, overflow_no, board_name, sizes in boards:
            self.next_id += 2
            sub_id = str(self.next_id + 1) if sizes == "subitems" else None
            values = json.dumps({"route_key": route_key, "overflow_no": str(overflow_no), "sizes": sizes})
            self.execute(
                f"INSERT INTO main.MON_PushLog ({LOG_COLUMNS}) VALUES (uuid()::VARCHAR, "
                "now()::TIMESTAMP, 'run', 'b', NULL, ?, 'board', ?, ?, 'create', 'outcome', 'ok', "
                "sha256(?), NULL, ?, ?, ?, ?, NULL, 1)",
                [
                    str(self.next_id),
                    board_name,
                    route_key,
                    board_name,
                    board_name,
                    values,
                    str(self.next_id),
                    sub_id,
                ],
            )
        assert self.query("SELECT count(*) FROM main.STG_MON_CustMasterSchedule WHERE board_id IS NULL") == [
            (0,)
        ]
        self.execute(
            f"INSERT INTO main.MON_PushLog ({LOG_COLUMNS}) SELECT uuid()::VARCHAR, now()::TIMESTAMP, "
            "'run', 'b', customer_name, board_id, 'item', sync_key, NULL, operation, 'outcome', 'ok', "
            "payload_hash, group_title, item_name, column_values, coalesce(monday_item_id, "
            "(1000000 + row_number() OVER (ORDER BY sync_key))::VARCHAR), NULL, 'g', 1 "
            "FROM main.STG_MON_CustMasterSchedule"
        )
        self.execute(
            f"INSERT INTO main.MON_PushLog ({LOG_COLUMNS}) SELECT uuid()::VARCHAR, now()::TIMESTAMP, "
            "'run', 'b', customer_name, board_id, 'subitem', sync_key, parent_sync_key, operation, "
            "'outcome', 'ok', payload_hash, NULL, item_name, column_values, coalesce(monday_subitem_id, "
            "(5000000 + row_number() OVER (ORDER BY sync_key))::VARCHAR), monday_parent_item_id, NULL, 1 "
            "FROM main.STG_MON_CustMasterSchedule_Subitems"
        )


def _capacity(scale: Scale) -> dict[str, dict]:
    cur_sql = "SELECT * FROM main.MON_BoardCapacity"
    con = duckdb.connect(str(scale.db))
    try:
        cur = con.execute(cur_sql)
        names = [d[0] for d in cur.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
    finally:
        con.close()


def _placed(scale: Scale) -> dict[str, tuple]:
    rows = scale.query(
        "SELECT record_uuid, route_key, overflow_no, board_name, customer_name, order_number "
        "FROM main.int_order_lines_placed"
    )
    return {r[0]: r[1:] for r in rows}


@pytest.fixture(scope="module")
def scale(tmp_path_factory: pytest.TempPathFactory) -> Scale:
    work = tmp_path_factory.mktemp("scale")
    scale = Scale(work)
    create(scale.db, 400, seed=11, bad_rows=0)
    scale.vars = _config(work, "small")
    scale.build(scale.vars)
    return scale


def test_placement_plans_whole_orders_within_the_fill_target(scale: Scale) -> None:
    placed = _placed(scale)
    active = scale.query(
        "SELECT count(*) FROM main.int_order_lines_routed WHERE in_scope AND NOT is_cancelled"
    )[0][0]
    assert len(placed) == active > 350
    boards_of_order = defaultdict(set)
    for route_key, overflow_no, _, customer, order in placed.values():
        boards_of_order[(customer, order, route_key)].add(overflow_no)
    assert all(len(b) == 1 for b in boards_of_order.values())

    sizes = dict(scale.query("SELECT record_uuid, count(*) FROM main.int_order_sizes_unpivoted GROUP BY 1"))
    want_items, want_subitems = defaultdict(int), defaultdict(int)
    for uuid, (_, _, board_name, _, _) in placed.items():
        want_items[board_name] += 1
        want_subitems[board_name] += sizes.get(uuid, 0)
    capacity = _capacity(scale)
    assert set(capacity) == set(want_items)
    assert len(capacity) >= 10  # ~2,800 subitems onto boards of 180
    for name, row in capacity.items():
        assert row["planned_item_creates"] == row["items_after"] == want_items[name], name
        assert row["planned_subitem_creates"] == row["subitems_after"] == want_subitems[name], name
        assert row["items_on_board"] == row["subitems_on_board"] == 0
        assert max(row["items_after"], row["subitems_after"]) <= FILL_TARGET, name
        assert row["room_subitems"] == MAX_ITEMS - want_subitems[name]
        assert not row["is_over"]
        assert row["board_exists"] == (name == "Orders")
    assert capacity["Orders"]["board_id"] == "9001"
    assert {r["overflow_no"] for r in capacity.values()} == set(range(1, len(capacity) + 1))


def test_confirmed_lines_stay_put_and_are_counted(scale: Scale) -> None:
    before = _placed(scale)
    scale.confirm_everything()
    assert scale.query("SELECT count(*) FROM main.STG_MON_CustMasterSchedule") == [(0,)]
    scale.build(scale.vars)
    assert _placed(scale) == before
    assert scale.query("SELECT count(*) FROM main.STG_MON_CustMasterSchedule") == [(0,)]
    assert scale.query("SELECT count(*) FROM main.STG_MON_CustMasterSchedule_Subitems") == [(0,)]
    capacity = _capacity(scale)
    per_board = defaultdict(int)
    for _, _, board_name, _, _ in before.values():
        per_board[board_name] += 1
    for name, row in capacity.items():
        assert row["board_exists"], name
        assert row["items_on_board"] == row["live_items"] == row["items_after"] == per_board[name]
        assert row["planned_item_creates"] == row["planned_subitem_creates"] == 0
    sources = dict(scale.query("SELECT source, count(*) FROM main.MON_Boards GROUP BY 1"))
    assert sources == {"config": 1, "created": len(capacity) - 1}


def test_new_lines_follow_their_order_and_new_orders_fill_room(scale: Scale) -> None:
    order, board = scale.query(
        "SELECT order_number, board_name FROM main.int_order_lines_placed "
        "ORDER BY overflow_no, order_number LIMIT 1"
    )[0]
    # A new line in an order already on a board, and a new order of three lines.
    scale.execute(
        'INSERT INTO dbo."ORDERS_UNIFIED" SELECT * REPLACE (uuid() AS record_uuid, '
        '\'NEW-STYLE\' AS "CUSTOMER STYLE") FROM dbo."ORDERS_UNIFIED" '
        'WHERE "AAG ORDER NUMBER" = ? AND "ORDER STATUS" <> \'CANCELLED\' LIMIT 1',
        [order],
    )
    scale.execute(
        'INSERT INTO dbo."ORDERS_UNIFIED" SELECT * REPLACE (uuid() AS record_uuid, '
        "'AAG-9999999' AS \"AAG ORDER NUMBER\", 'OPEN' AS \"ORDER STATUS\") "
        'FROM dbo."ORDERS_UNIFIED" WHERE "AAG ORDER NUMBER" = ? LIMIT 3',
        [order],
    )
    scale.build(scale.vars)
    creates = scale.query(
        "SELECT order_number, board_name, change_reason FROM main.STG_MON_CustMasterSchedule ORDER BY 1"
    )
    assert sorted(c[0] for c in creates) == sorted(["AAG-9999999"] * 3 + [order])
    assert {(c[1], c[2]) for c in creates if c[0] == order} == {(board, "new")}
    new_boards = {c[1] for c in creates if c[0] == "AAG-9999999"}
    assert len(new_boards) == 1
    capacity = _capacity(scale)
    (new_board,) = new_boards
    assert capacity[new_board]["board_exists"]  # room on a board already made, no new board
    for name, row in capacity.items():
        if row["planned_item_creates"] and name != board:
            assert max(row["items_after"], row["subitems_after"]) <= FILL_TARGET, name
    scale.confirm_everything()


def test_route_change_moves_live_lines_and_scope_archives(scale: Scale, tmp_path: Path) -> None:
    customer = "HARBOUR & LANE"
    live = (
        "SELECT s.sync_key FROM main.MON_CustMasterSchedule s JOIN main.stg_orders_unified o "
        "ON o.record_uuid = s.sync_key WHERE s.is_live AND o.order_status <> 'CANCELLED' "
    )
    shipped = {r[0] for r in scale.query(live + "AND o.order_status = 'SHIPPED'")}
    moving = {
        r[0]
        for r in scale.query(live + "AND o.order_status <> 'SHIPPED' AND o.customer_name = ?", [customer])
    }
    assert len(shipped) > 20 and len(moving) > 20
    boards = {
        "max_items_per_board": MAX_ITEMS, "capacity_margin": MARGIN,
        "default": {"board_id": "9001", "subitem_board_id": "9002"},
        "customers": {customer.lower(): {"split_by": "season", "sizes": "column"}},
    }  # fmt: skip
    scale.build(_config(tmp_path, "moved", boards=boards, scope={"leave_statuses": ["shipped"]}))
    rows = scale.query(
        "SELECT sync_key, operation, change_reason, route_key, sizes_mode, board_id "
        "FROM main.STG_MON_CustMasterSchedule"
    )
    by_kind = defaultdict(dict)
    for sync_key, operation, reason, route_key, sizes_mode, board_id in rows:
        by_kind[(operation, reason)][sync_key] = (route_key, sizes_mode, board_id)
    assert set(by_kind) == {("archive", "out_of_scope"), ("archive", "moved"), ("create", "moved")}
    assert set(by_kind[("archive", "out_of_scope")]) == shipped
    assert set(by_kind[("archive", "moved")]) == set(by_kind[("create", "moved")]) == moving
    old_boards = {r[2] for r in by_kind[("archive", "moved")].values()}
    assert old_boards and all(b is not None for b in old_boards)
    for route_key, sizes_mode, board_id in by_kind[("create", "moved")].values():
        assert route_key.startswith(customer + " ") and sizes_mode == "column" and board_id is None
    subitems = scale.query(
        "SELECT count(*) FROM main.STG_MON_CustMasterSchedule_Subitems s "
        "JOIN main.int_order_lines_routed r ON r.record_uuid = s.parent_sync_key "
        "WHERE r.customer_name = ?",
        [customer],
    )
    assert subitems == [(0,)]  # column mode: the size curve is an item column


# --------------------------------------------------------------------------- configuration errors


def _problems_with(**changes: object) -> list[str]:
    doc = yaml.safe_load(MONDAY_YML.read_text())
    doc.update(changes)
    return problems(doc)


def test_committed_monday_yml_is_valid() -> None:
    assert _problems_with() == []


@pytest.mark.parametrize(
    ("changes", "fix"),
    [
        ({"boards": {"default": {"board_id": "1", "split_by": "season"}}}, "remove board_id"),
        ({"boards": {"customers": {"X": {"sizes": "grid"}}}}, "must be one of subitems | column"),
        ({"boards": {"customers": {"X": {"sizes": "column"}}}}, "add items.size_curve"),
        ({"boards": {"default": {"name": "{customer} {season}"}}}, "add split_by: season"),
        ({"boards": {"default": {"board_id": "1", "name": "{customer}"}}}, "remove board_id or {customer}"),
        ({"scope": {"date_window": {"column": "SHIP DATE"}}}, "use a date column: ORDER DATE PO RECEIVED"),
        ({"scope": {"seasons": ["2025 FALL"], "season_pattern": "2026%"}}, "not both"),
        ({"sync": {"on_out_of_scope": "hide"}}, "must be one of archive | delete | keep"),
    ],
)
def test_config_errors_name_the_fix(changes: dict, fix: str) -> None:
    found = _problems_with(**changes)
    assert any(fix in p for p in found), found


def test_codegen_refuses_a_bad_config(tmp_path: Path) -> None:
    doc = yaml.safe_load(MONDAY_YML.read_text())
    doc["boards"]["customers"] = {"GREYSON CLOTHIERS": {"board_id": "5", "split_by": "season"}}
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(doc))
    proc = subprocess.run(
        [sys.executable, "-m", "tools.codegen", "--config", str(path), "--print-vars"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "boards.customers['GREYSON CLOTHIERS']" in proc.stderr and "remove board_id" in proc.stderr
