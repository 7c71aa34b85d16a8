"""Boards made on demand and full boards, as a client sees them over HTTP: create_board in a
workspace, duplicate_board, the boards listing (pages, state, workspace), the items limit on a
board and on its subitems board, lookups by sync key, and the state file across restarts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.sandbox import SandboxServer, SandboxState

HEADERS = {"Authorization": "test-token", "API-Version": "2026-10"}
SPEC: list[dict[str, Any]] = [
    {
        "id": "9001",
        "name": "Orders",
        "subitem_board_id": "9002",
        "groups": [{"id": "topics", "title": "Orders"}, {"id": "greyson", "title": "GREYSON 2025 FALL"}],
        "columns": [
            {"id": "sync_key", "title": "Sync key", "type": "text"},
            {"id": "status", "title": "Status", "type": "status", "labels": ["OPEN", "SHIPPED"]},
            {"id": "kind", "title": "Kind", "type": "dropdown", "labels": ["Bulk", "Sample"]},
        ],
        "subitem_columns": [
            {"id": "sync_key", "title": "Sync key", "type": "text"},
            {"id": "size", "title": "Size", "type": "text"},
        ],
    }
]
BOARD_FIELDS = "id name type state board_kind workspace_id board_folder_id items_count items_limit"
LAYOUT = """query ($ids: [ID!]) { boards(ids: $ids) {
  id name type created_from_board_id items_count
  columns { id title type settings } groups { id title } } }"""
LIST = """query ($limit: Int, $page: Int, $state: State, $ws: [ID]) {
  boards(limit: $limit, page: $page, state: $state, workspace_ids: $ws) { id name type state } }"""
CREATE_ITEM = """mutation ($board: ID!, $name: String!, $cv: JSON) {
  create_item(board_id: $board, item_name: $name, column_values: $cv) { id } }"""
CREATE_SUBITEM = """mutation ($parent: ID!, $name: String!, $cv: JSON) {
  create_subitem(parent_item_id: $parent, item_name: $name, column_values: $cv) { id board { id } } }"""
FIND = """query ($board: ID!, $key: String!) { items_page_by_column_values(board_id: $board, limit: 10,
  columns: [{column_id: "sync_key", column_values: [$key]}]) { items { id name } } }"""


def gql(server: SandboxServer, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    resp = requests.post(
        server.url, json={"query": query, "variables": variables or {}}, headers=HEADERS, timeout=30
    )
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def ok(server: SandboxServer, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = gql(server, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]  # type: ignore[no-any-return]


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def new_board(server: SandboxServer, name: str, **args: Any) -> dict[str, Any]:
    doc = f"""mutation ($name: String!, $ws: ID, $folder: ID, $empty: Boolean) {{
      create_board(board_name: $name, board_kind: public, workspace_id: $ws, folder_id: $folder,
        empty: $empty) {{ {BOARD_FIELDS} }} }}"""
    return ok(server, doc, {"name": name, **args})["create_board"]  # type: ignore[no-any-return]


def item(server: SandboxServer, board: str, name: str, key: str | None = None) -> str:
    cv = json.dumps({"sync_key": key}) if key else None
    return str(ok(server, CREATE_ITEM, {"board": board, "name": name, "cv": cv})["create_item"]["id"])


def layout(server: SandboxServer, board_id: str) -> dict[str, Any]:
    return ok(server, LAYOUT, {"ids": [board_id]})["boards"][0]  # type: ignore[no-any-return]


def listed(server: SandboxServer, **variables: Any) -> list[dict[str, Any]]:
    return ok(server, LIST, variables)["boards"]  # type: ignore[no-any-return]


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(board_spec=SPEC) as server:
        yield server


# ------------------------------------------------------------------- create_board, workspaces
def test_create_board_in_a_workspace_and_folder(sandbox: SandboxServer) -> None:
    board = new_board(sandbox, "GREYSON CLOTHIERS (2)", ws="77", folder="5", empty=True)
    assert (board["workspace_id"], board["board_folder_id"], board["items_count"]) == ("77", "5", 0)
    assert (board["type"], board["board_kind"], board["items_limit"]) == ("board", "public", 10_000)
    in_ws = listed(sandbox, ws=["77"], limit=100)
    assert [b["id"] for b in in_ws] == [board["id"]]
    main_ws = {b["name"] for b in listed(sandbox, ws=[None], limit=100)}
    assert main_ws == {"Orders", "Subitems of Orders"}
    assert len(listed(sandbox, limit=100)) == 3  # no workspace filter: every board
    ok(sandbox, 'mutation { create_board(board_name: "Secret", board_kind: private, empty: true) { id } }')
    private = ok(sandbox, "{ boards(board_kind: private) { name board_kind } }")["boards"]
    assert private == [{"name": "Secret", "board_kind": "private"}]


def test_create_board_without_empty_gets_default_items(sandbox: SandboxServer) -> None:
    board = new_board(sandbox, "Not empty")
    assert board["items_count"] > 0
    assert new_board(sandbox, "Empty", empty=True)["items_count"] == 0


# ----------------------------------------------------------------------------- duplicate_board
DUPLICATE = """mutation ($id: ID!, $name: String, $type: DuplicateBoardType!, $ws: ID, $folder: ID) {
  dup: duplicate_board(board_id: $id, board_name: $name, duplicate_type: $type, workspace_id: $ws,
    folder_id: $folder) { board { id name workspace_id board_folder_id items_count } is_async } }"""


def subitems_board_of(board: dict[str, Any]) -> str:
    [column] = [c for c in board["columns"] if c["type"] == "subtasks"]
    return str(column["settings"]["boardIds"][0])


def test_duplicate_with_structure_copies_columns_labels_groups_and_subitems_board(
    sandbox: SandboxServer,
) -> None:
    parent = item(sandbox, "9001", "line", "k1")
    ok(sandbox, CREATE_SUBITEM, {"parent": parent, "name": "S", "cv": json.dumps({"size": "S"})})
    variables = {"id": "9001", "name": "Orders (2)", "type": "duplicate_board_with_structure", "ws": "77"}
    dup = ok(sandbox, DUPLICATE, variables)["dup"]
    assert dup["is_async"] is False
    new = dup["board"]
    assert (new["name"], new["workspace_id"], new["items_count"]) == ("Orders (2)", "77", 0)

    source, copy = layout(sandbox, "9001"), layout(sandbox, new["id"])
    assert copy["created_from_board_id"] == "9001"
    plain = [c for c in source["columns"] if c["type"] != "subtasks"]
    assert [c for c in copy["columns"] if c["type"] != "subtasks"] == plain  # ids, titles, labels
    assert (
        copy["groups"]
        == source["groups"]
        == [
            {"id": "topics", "title": "Orders"},
            {"id": "greyson", "title": "GREYSON 2025 FALL"},
        ]
    )
    new_sub = subitems_board_of(copy)
    assert new_sub not in ("9002", new["id"])
    sub = layout(sandbox, new_sub)
    assert (sub["name"], sub["type"], sub["items_count"]) == ("Subitems of Orders (2)", "sub_items_board", 0)
    assert [c["id"] for c in sub["columns"]] == [c["id"] for c in layout(sandbox, "9002")["columns"]]

    line = item(sandbox, new["id"], "line", "k1")  # labels, groups and subitems work on the copy
    cv = json.dumps({"status": {"label": "SHIPPED"}, "kind": {"labels": ["Sample"]}})
    ok(
        sandbox,
        CREATE_ITEM.replace("item_name: $name", 'item_name: $name, group_id: "greyson"'),
        {"board": new["id"], "name": "x", "cv": cv},
    )
    made = ok(sandbox, CREATE_SUBITEM, {"parent": line, "name": "M", "cv": json.dumps({"size": "M"})})
    assert made["create_subitem"]["board"]["id"] == new_sub


def test_duplicate_with_pulses_copies_items_and_subitems(sandbox: SandboxServer) -> None:
    parent = item(sandbox, "9001", "line", "k1")
    ok(sandbox, CREATE_SUBITEM, {"parent": parent, "name": "S", "cv": json.dumps({"sync_key": "k1|S"})})
    gone = item(sandbox, "9001", "gone", "k2")
    ok(sandbox, "mutation ($id: ID) { delete_item(item_id: $id) { id } }", {"id": gone})
    new = ok(sandbox, DUPLICATE, {"id": "9001", "type": "duplicate_board_with_pulses"})["dup"]["board"]
    assert (new["name"], new["workspace_id"], new["items_count"]) == ("Duplicate of Orders", None, 1)
    [copied] = ok(sandbox, FIND, {"board": new["id"], "key": "k1"})["items_page_by_column_values"]["items"]
    assert copied["id"] != parent
    sub = subitems_board_of(layout(sandbox, new["id"]))
    assert [
        i["name"]
        for i in ok(sandbox, FIND, {"board": sub, "key": "k1|S"})["items_page_by_column_values"]["items"]
    ] == ["S"]


def test_duplicate_of_a_missing_board_is_a_monday_error(sandbox: SandboxServer) -> None:
    body = gql(sandbox, DUPLICATE, {"id": "404", "type": "duplicate_board_with_structure"})
    assert codes(body) == ["InvalidBoardIdException"] and body["data"] == {"dup": None}


# ---------------------------------------------------------------------------- boards listing
def test_boards_listing_pages(sandbox: SandboxServer) -> None:
    made = [new_board(sandbox, f"Board {n}", empty=True)["id"] for n in range(27)]
    every = [*("9001", "9002"), *made]
    pages = [listed(sandbox, limit=10, page=p) for p in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [10, 10, 9, 0]
    assert [b["id"] for p in pages for b in p] == every  # creation order, nothing twice
    assert [b["id"] for b in listed(sandbox)] == every[:25]  # default limit 25
    newest = ok(sandbox, "{ boards(limit: 2, order_by: created_at) { id } }")["boards"]
    assert [b["id"] for b in newest] == every[:-3:-1]


def test_boards_limit_above_the_maximum_is_refused(sandbox: SandboxServer) -> None:
    body = gql(sandbox, LIST, {"limit": 101})
    assert codes(body) == ["InvalidArgumentException"] and body["data"] == {"boards": None}
    assert codes(gql(sandbox, LIST, {"limit": 10, "page": 0})) == ["InvalidArgumentException"]


def test_boards_state_filter(sandbox: SandboxServer) -> None:
    kept, archived, deleted = (new_board(sandbox, n, empty=True)["id"] for n in ("kept", "old", "gone"))
    ok(
        sandbox,
        "mutation ($a: ID!, $d: ID!) { a: archive_board(board_id: $a) { id state } "
        "d: delete_board(board_id: $d) { id state } }",
        {"a": archived, "d": deleted},
    )

    def names(state: str | None) -> set[str]:
        return {b["name"] for b in listed(sandbox, state=state, limit=100)}

    assert names(None) == names("active") == {"Orders", "Subitems of Orders", "kept"}
    assert names("archived") == {"old"} and names("deleted") == {"gone"}
    assert names("all") == {"Orders", "Subitems of Orders", "kept", "old", "gone"}
    assert kept in {b["id"] for b in listed(sandbox, limit=100)}


def test_subitems_boards_are_listed_with_their_type(sandbox: SandboxServer) -> None:
    boards = {b["id"]: b for b in listed(sandbox)}
    assert boards["9002"]["name"] == "Subitems of Orders"
    assert (boards["9001"]["type"], boards["9002"]["type"]) == ("board", "sub_items_board")


# ---------------------------------------------------------------------------- items limit
@pytest.fixture
def small() -> Iterator[SandboxServer]:
    with SandboxServer(board_spec=SPEC, max_items_per_board=3) as server:
        yield server


def items_count(server: SandboxServer, board: str) -> int:
    return int(layout(server, board)["items_count"])


def test_archived_items_count_toward_the_limit_deleted_do_not(small: SandboxServer) -> None:
    ids = [item(small, "9001", f"line {n}") for n in range(3)]
    ok(small, "mutation ($id: ID) { archive_item(item_id: $id) { id } }", {"id": ids[0]})
    assert items_count(small, "9001") == 3
    full = gql(small, CREATE_ITEM, {"board": "9001", "name": "one too many"})
    assert codes(full) == ["ItemsLimitationException"] and full["data"] == {"create_item": None}
    assert full["errors"][0]["extensions"]["error_data"]["limit"] == 3

    ok(small, "mutation ($id: ID) { delete_item(item_id: $id) { id } }", {"id": ids[1]})
    assert items_count(small, "9001") == 2
    item(small, "9001", "fits again")
    assert items_count(small, "9001") == 3


def test_subitems_board_has_its_own_limit(small: SandboxServer) -> None:
    parents = [item(small, "9001", f"line {n}") for n in range(2)]
    batch = (
        "mutation ($a: ID!, $b: ID!) {"
        + " ".join(
            f's{n}: create_subitem(parent_item_id: ${"ab"[n % 2]}, item_name: "{n}") {{ id }}'
            for n in range(4)
        )
        + " }"
    )
    body = gql(small, batch, {"a": parents[0], "b": parents[1]})
    assert codes(body) == ["ItemsLimitationException"]
    assert body["errors"][0]["path"] == ["s3"]
    assert [body["data"][f"s{n}"] is not None for n in range(4)] == [True, True, True, False]
    assert items_count(small, "9002") == 3
    item(small, "9001", "the parent board still has room")  # 3rd of 3 on the board itself


# ------------------------------------------------------------------------- lookups by sync key
def test_lookup_by_sync_key_follows_changes_archives_and_deletes(sandbox: SandboxServer) -> None:
    def found(key: str) -> list[str]:
        return [
            i["id"]
            for i in ok(sandbox, FIND, {"board": "9001", "key": key})["items_page_by_column_values"]["items"]
        ]

    a, b, c = (item(sandbox, "9001", n, k) for n, k in (("a", "k1"), ("b", "k2"), ("c", "k2")))
    assert found("k1") == [a] and found("k2") == [b, c]
    change = """mutation ($id: ID!, $cv: JSON!) {
      change_multiple_column_values(board_id: 9001, item_id: $id, column_values: $cv) { id } }"""
    ok(sandbox, change, {"id": b, "cv": json.dumps({"sync_key": "k3"})})
    assert found("k2") == [c] and found("k3") == [b]
    ok(
        sandbox,
        "mutation ($a: ID, $c: ID) { x: archive_item(item_id: $a) { id } "
        "y: delete_item(item_id: $c) { id } }",
        {"a": a, "c": c},
    )
    assert found("k1") == [] and found("k2") == []


# ---------------------------------------------------------------------------- the state file
def test_state_file_keeps_every_change_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    with SandboxServer(board_spec=SPEC, state_file=path) as first:
        parent = item(first, "9001", "line", "k1")
        ok(first, CREATE_SUBITEM, {"parent": parent, "name": "S", "cv": json.dumps({"sync_key": "k1|S"})})
        cv = json.dumps({"status": {"label": "NEW LABEL"}})
        ok(
            first,
            "mutation ($cv: JSON!, $id: ID!) { change_multiple_column_values(board_id: 9001, "
            "item_id: $id, column_values: $cv, create_labels_if_missing: true) { id } }",
            {"cv": cv, "id": parent},
        )
        dup = ok(first, DUPLICATE, {"id": "9001", "type": "duplicate_board_with_pulses", "ws": "7"})
        ok(first, 'mutation { create_group(board_id: 9001, group_name: "NEW") { id } }')
        # a hard stop (no save at exit): what is on disk is the snapshot plus its journal
        on_disk = SandboxState()
        assert on_disk.load(path)
        assert on_disk.to_dict()["boards"] == first.snapshot()["boards"]
        assert on_disk.to_dict()["items"] == first.snapshot()["items"]
        live = first.snapshot()
    with SandboxServer(board_spec=SPEC, state_file=path) as second:
        assert second.snapshot()["items"] == live["items"]
        assert second.snapshot()["boards"] == live["boards"]
        new_id = dup["dup"]["board"]["id"]
        assert [b["id"] for b in listed(second, ws=["7"])] == [
            new_id,
            subitems_board_of(layout(second, new_id)),
        ]
