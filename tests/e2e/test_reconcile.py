"""``python -m pusher reconcile`` (issue 21) on a board planners edited by hand, through monday's own
mutations: every edit listed by class; ``--repair``, a dbt run and one push later the board equals
the source again, planners' own column untouched, and a second reconcile finds nothing. And a day's
source changes on top of a hand-edited board (updates to deleted items) go through with exit 0."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from pusher.commands.cli import main
from pusher.errors import EXIT_OK, EXIT_ROWS_FAILED
from tests.sandbox import SandboxServer
from tests.support.dbt import dbt, dbt_run, sample_orders
from tests.support.duck import sql
from tests.support.expected_board import assert_board_matches_source
from tests.support.paths import MONDAY_YML, PROFILES_EXAMPLE
from tests.support.sandbox_boards import BOARD, board_spec

TOKEN = "tok-RECONCILE-4e1a"
PLANNERS_COLUMN = "planner_memo"  # a column of the planners' own: never read, never touched


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample ORDERS_UNIFIED (60 lines, five customers) + dbt build (no push yet)."""
    tmp = tmp_path_factory.mktemp("reconcile-build")
    sample_orders("create", "--db", tmp / "orders.duckdb", "--lines", "60")
    dbt("build", "--quiet", work=tmp, db=tmp / "orders.duckdb")
    return tmp


@dataclass
class World:
    tmp: Path
    db: Path
    sandbox: SandboxServer
    capsys: pytest.CaptureFixture[str]

    def pusher(self, *args: str) -> tuple[int, list[dict[str, Any]]]:
        self.capsys.readouterr()
        code = main([*args, "--log-format", "json"])
        return code, [json.loads(x) for x in self.capsys.readouterr().out.splitlines() if x.strip()]

    def planner(self, query: str, **variables: Any) -> dict[str, Any]:
        """A planner's edit in monday's UI: one of monday's mutations."""
        resp = requests.post(
            self.sandbox.url,
            json={"query": query, "variables": variables},
            headers={"Authorization": TOKEN, "API-Version": "2026-10"},
            timeout=30,
        )
        body = resp.json()
        assert not body.get("errors"), body
        return body["data"]  # type: ignore[no-any-return]

    def findings(self, *args: str) -> tuple[int, list[dict[str, Any]]]:
        code, events = self.pusher("reconcile", "--all-customers", *args)
        return code, [f for e in events if e["event"] == "reconcile" for f in e["findings"]]


@pytest.fixture
def world(
    synced: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[World]:
    db = tmp_path / "orders.duckdb"
    shutil.copy(synced / "orders.duckdb", db)
    shutil.copy(PROFILES_EXAMPLE, tmp_path / "profiles.yml")
    shutil.copy(MONDAY_YML, tmp_path / "monday.yml")
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "DBT_PROFILES_DIR": str(tmp_path), "ORDER_SYNC_DUCKDB": str(db), "ORDER_SYNC_TARGET": "duckdb",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "HOME": str(tmp_path), "MONDAY_API_TOKEN": TOKEN,
    }.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ORDER_SYNC_CONFIG", raising=False)
    with SandboxServer(token=TOKEN, board_spec=board_spec(), complexity_budget=500_000_000) as sandbox:
        monkeypatch.setenv("MONDAY_API_URL", sandbox.url)
        w = World(tmp_path, db, sandbox, capsys)
        assert w.pusher("--all-customers")[0] == EXIT_OK
        yield w


def _by_group(items: list[dict[str, Any]], groups: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        out.setdefault(groups[item["group_id"]], []).append(item)
    return out


def edit_by_hand(w: World) -> dict[str, Any]:
    """The planners' day: returns what they did, by class."""
    board = next(b for b in w.sandbox.snapshot()["boards"] if b["id"] == BOARD)
    groups = {g["id"]: g["title"] for g in board["groups"]}
    items = [i for i in w.sandbox.items(BOARD) if i["column_values"].get("sync_key")]
    by_group = _by_group(items, groups)
    # a whole customer-season group with its one item (the smallest group)
    small = min(by_group, key=lambda t: (len(by_group[t]), t))
    small_id = next(g for g, t in groups.items() if t == small)
    w.planner("mutation($b: ID!, $g: String!) { delete_group(board_id: $b, group_id: $g) { id } }",
              b=BOARD, g=small_id)  # fmt: skip
    # a group renamed (the largest other group)
    renamed = max((t for t in by_group if t != small), key=lambda t: (len(by_group[t]), t))
    renamed_id = next(g for g, t in groups.items() if t == renamed)
    w.planner(
        "mutation($b: ID!, $g: String!, $v: String!) "
        "{ update_group(board_id: $b, group_id: $g, group_attribute: title, new_value: $v) { id } }",
        b=BOARD, g=renamed_id, v=renamed + " (planning)",
    )  # fmt: skip
    rest = sorted(
        (i for t, its in by_group.items() if t not in (small, renamed) for i in its),
        key=lambda i: int(i["id"]),
    )
    with_subs = [i for i in rest if len(i["subitem_ids"]) >= 2]
    done: dict[str, Any] = {"group_deleted": [small], "group_renamed": [renamed]}
    done["item_deleted"] = [i["column_values"]["sync_key"] for i in rest[0:2]]
    done["item_deleted"] += [i["column_values"]["sync_key"] for i in by_group[small]]
    for i in rest[0:2]:
        w.planner("mutation($i: ID) { delete_item(item_id: $i) { id } }", i=i["id"])
    done["item_archived"] = [i["column_values"]["sync_key"] for i in rest[2:4]]
    for i in rest[2:4]:
        w.planner("mutation($i: ID) { archive_item(item_id: $i) { id } }", i=i["id"])
    parking = w.planner(
        "mutation($b: ID!, $n: String!) { create_group(board_id: $b, group_name: $n) { id } }",
        b=BOARD, n="Parked by planners",
    )["create_group"]["id"]  # fmt: skip
    done["item_moved"] = [i["column_values"]["sync_key"] for i in rest[4:6]]
    for i in rest[4:6]:
        w.planner("mutation($i: ID, $g: String!) { move_item_to_group(item_id: $i, group_id: $g) { id } }",
                  i=i["id"], g=parking)  # fmt: skip
    change = "mutation($b: ID!, $i: ID, $v: JSON!) { change_multiple_column_values(board_id: $b, item_id: $i, column_values: $v) { id } }"  # noqa: E501
    done["item_renamed"] = [i["column_values"]["sync_key"] for i in rest[6:8]]
    for i in rest[6:8]:
        w.planner(change, b=BOARD, i=i["id"], v=json.dumps({"name": i["name"] + " (urgent)"}))
    # a mapped column changed by hand, and the planners' own column on every item left
    done["column_changed"] = [rest[8]["column_values"]["sync_key"]]
    w.planner(change, b=BOARD, i=rest[8]["id"], v=json.dumps({"price": "99.99"}))
    w.planner(
        "mutation($b: ID!, $t: String!, $id: String!) "
        "{ create_column(board_id: $b, title: $t, column_type: text, id: $id) { id } }",
        b=BOARD, t="Planner memo", id=PLANNERS_COLUMN,
    )  # fmt: skip
    for i in rest[9:]:
        w.planner(change, b=BOARD, i=i["id"], v=json.dumps({PLANNERS_COLUMN: "call the mill"}))
    # subitems: one deleted on two items, one quantity changed, one added by hand
    subs = [i for i in with_subs if i["id"] not in {x["id"] for x in rest[:9]}]
    done["subitem_deleted"] = []
    for i in subs[0:2]:
        w.planner("mutation($i: ID) { delete_item(item_id: $i) { id } }", i=i["subitem_ids"][0])
        done["subitem_deleted"].append(i["column_values"]["sync_key"])
    w.planner(change, b="9002", i=subs[2]["subitem_ids"][0], v=json.dumps({"qty": "999"}))
    done["subitem_changed"] = [subs[2]["column_values"]["sync_key"]]
    w.planner("mutation($p: ID!, $n: String!) { create_subitem(parent_item_id: $p, item_name: $n) { id } }",
              p=subs[3]["id"], n="XXXL")  # fmt: skip
    done["subitem_added"] = [subs[3]["column_values"]["sync_key"]]
    # a copy of one of our items (it carries our sync key)
    w.planner("mutation($b: ID!, $i: ID) { duplicate_item(board_id: $b, item_id: $i) { id } }",
              b=BOARD, i=subs[4]["id"])  # fmt: skip
    done["item_duplicate"] = [subs[4]["column_values"]["sync_key"]]
    return done


def test_reconcile_lists_every_hand_edit_and_repair_puts_the_board_back(world: World) -> None:
    done = edit_by_hand(world)

    # an ordinary push sees nothing: the log believes monday holds what it confirmed
    code, events = world.pusher("--all-customers")
    assert code == EXIT_OK and not any(e["event"] == "summary" for e in events)

    code, findings = world.findings()
    assert code == EXIT_ROWS_FAILED
    counts = Counter(f["class"] for f in findings)
    keys = {c: sorted({f["sync_key"] for f in findings if f["class"] == c}) for c in counts}
    assert counts["group_deleted"] == 1 and keys["group_deleted"] == done["group_deleted"]
    assert keys["item_deleted"] == sorted(done["item_deleted"])
    assert keys["item_archived"] == sorted(done["item_archived"])
    assert keys["item_moved"] == sorted(done["item_moved"])
    assert keys["item_renamed"] == sorted(done["item_renamed"])
    assert [(f["sync_key"], f["detail"], f["after"]) for f in findings if f["class"] == "column_changed"] == [
        (done["column_changed"][0], "price", "99.99")
    ]
    assert {k.split("|")[0] for k in keys["subitem_deleted"]} == set(done["subitem_deleted"])
    assert {k.split("|")[0] for k in keys["subitem_changed"]} == set(done["subitem_changed"])
    added = [f for f in findings if f["class"] == "subitem_added"]
    assert [(f["detail"], f["after"]) for f in added] == [(f"under {done['subitem_added'][0]}", "XXXL")]
    assert keys["item_duplicate"] == done["item_duplicate"]
    renamed_group = [f for f in findings if f["class"] == "group_renamed" and f["entity"] == "group"]
    assert [f["sync_key"] for f in renamed_group] == done["group_renamed"]
    assert not any(PLANNERS_COLUMN in str(f) for f in findings)  # planners' own column is never drift
    drift = dict(sql(world.db, "select drift_class, count(*) from main.MON_Drift group by 1"))
    assert drift == dict(counts) and set(sql(world.db, "select distinct action from main.MON_Drift")) == {
        ("reported",)
    }

    code, findings_again = world.findings("--repair")
    assert code == EXIT_ROWS_FAILED and len(findings_again) == len(findings)
    dbt_run(world.tmp, world.db)
    code, events = world.pusher("--all-customers")
    assert code == EXIT_OK, events

    assert_board_matches_source(world.db, world.sandbox)
    memos = [i["column_values"].get(PLANNERS_COLUMN) for i in world.sandbox.items(BOARD)]
    assert (
        memos.count("call the mill")
        == len([i for i in world.sandbox.items(BOARD) if i["column_values"].get(PLANNERS_COLUMN)])
        and memos.count("call the mill") >= 10
    )  # untouched by the repair
    code, findings = world.findings()
    assert (code, findings) == (EXIT_OK, []), findings


def test_a_days_source_changes_on_a_hand_edited_board_go_through(world: World) -> None:
    done = edit_by_hand(world)
    # the day's changes: 20 % of the lines, and every line whose item a planner deleted
    sample_orders("edit", "--db", world.db, "--share", "0.2", "--seed", "21")
    deleted = done["item_deleted"] + done["subitem_deleted"]
    marks = ", ".join("?" for _ in deleted)
    sql(world.db, f"update dbo.ORDERS_UNIFIED set \"DELIVERY TERMS\" = 'FOB CHANGED' "
        f"where cast(record_uuid as varchar) in ({marks})", deleted)  # fmt: skip
    dbt_run(world.tmp, world.db)
    wanted = dict(sql(world.db, "select operation, count(*) from main.STG_MON_CustMasterSchedule group by 1"))
    assert wanted.get("update", 0) >= len(deleted)

    # the push runs into the deleted items: it logs them gone and creates their lines again
    code, events = world.pusher("--all-customers")
    summaries = [e for e in events if e["event"] == "summary"]
    assert code == EXIT_OK, [e for s in summaries for k in ("errors", "unknown", "deferred") for e in s[k]]
    live = {i["column_values"].get("sync_key") for i in world.sandbox.items(BOARD)}
    assert set(done["item_deleted"]) <= live  # the deleted lines are back
    parked = sql(world.db, "select count(*) from main.ERR_MON_CustMasterSchedule")
    assert parked == [(0,)]

    # what no push runs into (archived, moved, renamed, ...) reconcile puts back
    assert world.findings("--repair")[0] == EXIT_ROWS_FAILED
    assert world.pusher("--all-customers")[0] == EXIT_OK
    assert_board_matches_source(world.db, world.sandbox)
    assert world.findings() == (EXIT_OK, [])


def test_status_summarises_the_last_reconcile(world: World) -> None:
    world.planner(
        "mutation($i: ID) { archive_item(item_id: $i) { id } }", i=world.sandbox.items(BOARD)[0]["id"]
    )
    assert world.findings()[0] == EXIT_ROWS_FAILED
    code, events = world.pusher("status")
    (report,) = [e for e in events if e["event"] == "status"]
    assert code == EXIT_OK
    assert [(r["drift_class"], r["n"], r["action"]) for r in report["drift"]] == [
        ("item_archived", 1, "reported")
    ]


def test_an_item_carrying_our_key_that_the_log_does_not_know_is_adopted(world: World) -> None:
    """item_orphan, both ways: a planner's copy of an item whose original they then deleted takes
    the line's place (updated to the source, not created again), and an item a planner made with a
    sync key no line has is archived by the next push."""
    ours = sorted(
        (i for i in world.sandbox.items(BOARD) if i["column_values"].get("sync_key")),
        key=lambda i: int(i["id"]),
    )
    original = ours[0]
    key = original["column_values"]["sync_key"]
    copy = world.planner(
        "mutation($b: ID!, $i: ID) { duplicate_item(board_id: $b, item_id: $i) { id } }",
        b=BOARD,
        i=original["id"],
    )["duplicate_item"]["id"]
    world.planner("mutation($i: ID) { delete_item(item_id: $i) { id } }", i=original["id"])
    stranger_key = "00000000-0000-0000-0000-00000000beef"
    stranger = world.planner(
        "mutation($b: ID!, $g: String!, $v: JSON!) "
        "{ create_item(board_id: $b, group_id: $g, item_name: \"typed by hand\", column_values: $v) { id } }",
        b=BOARD, g=ours[1]["group_id"], v=json.dumps({"sync_key": stranger_key}),
    )["create_item"]["id"]  # fmt: skip

    code, findings = world.findings()
    assert code == EXIT_ROWS_FAILED
    assert sorted((f["class"], f["sync_key"], f["monday_id"]) for f in findings) == sorted(
        [
            ("item_orphan", key, copy),
            ("item_deleted", key, original["id"]),
            ("item_orphan", stranger_key, stranger),
        ]
    )

    assert world.findings("--repair")[0] == EXIT_ROWS_FAILED
    dbt_run(world.tmp, world.db)
    code, events = world.pusher("--all-customers")
    assert code == EXIT_OK, events
    assert_board_matches_source(world.db, world.sandbox)
    with_key = [i for i in world.sandbox.items(BOARD) if i["column_values"].get("sync_key") == key]
    assert [i["id"] for i in with_key] == [copy]  # the copy is the line's item now, not a new one
    assert stranger in {i["id"] for i in world.sandbox.items(BOARD, states=("archived",))}
    assert world.findings() == (EXIT_OK, [])


def test_a_deleted_group_no_line_wants_is_not_drift(world: World) -> None:
    """A season whose lines were all cancelled, its items archived by the sync, then its group
    deleted by a planner: nothing to put back, so nothing is reported (not at every run forever)."""
    board = next(b for b in world.sandbox.snapshot()["boards"] if b["id"] == BOARD)
    groups = {g["id"]: g["title"] for g in board["groups"]}
    by_group = _by_group(
        [i for i in world.sandbox.items(BOARD) if i["column_values"].get("sync_key")], groups
    )
    title = min(by_group, key=lambda t: (len(by_group[t]), t))
    keys = [i["column_values"]["sync_key"] for i in by_group[title]]
    sql(world.db, f"delete from dbo.ORDERS_UNIFIED where cast(record_uuid as varchar) in "
        f"({', '.join('?' for _ in keys)})", keys)  # fmt: skip
    dbt_run(world.tmp, world.db)
    assert world.pusher("--all-customers")[0] == EXIT_OK
    archived = {i["id"] for i in world.sandbox.items(BOARD, states=("archived",))}
    assert {i["id"] for i in by_group[title]} <= archived
    group_id = next(g for g, t in groups.items() if t == title)
    world.planner("mutation($b: ID!, $g: String!) { delete_group(board_id: $b, group_id: $g) { id } }",
                  b=BOARD, g=group_id)  # fmt: skip

    assert world.findings() == (EXIT_OK, [])


def test_a_board_monday_no_longer_has_is_one_finding_that_names_the_fix(world: World) -> None:
    """Not an item_deleted per line (and a --repair that would have the push create them all on a
    board that is not there): one board_missing per customer on it, reported, never repaired."""
    world.planner("mutation($b: ID!) { delete_board(board_id: $b) { id } }", b=BOARD)
    code, events = world.pusher("reconcile", "--all-customers", "--repair")
    reports = [e for e in events if e["event"] == "reconcile"]
    assert code == EXIT_ROWS_FAILED and len(reports) == 5  # the sample's five customers share the board
    for report in reports:
        assert report["counts"] == {"board_missing": 1} and report["repair_rows"] == 0
        (finding,) = report["findings"]
        assert finding["monday_id"] == BOARD and "restore it from monday's trash" in finding["detail"]
    assert sql(world.db, "select distinct drift_class, action from main.MON_Drift") == [
        ("board_missing", "reported")
    ]
