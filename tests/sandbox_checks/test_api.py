"""Behaviour of the local monday sandbox, seen by a client over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.sandbox import SandboxServer
from tests.support.paths import REPO

HEADERS = {"Authorization": "test-token", "API-Version": "2026-10"}
BOARD = "9001"
SUBBOARD = "9002"
SPEC: list[dict[str, Any]] = [
    {
        "id": BOARD,
        "name": "Orders",
        "subitem_board_id": SUBBOARD,
        "columns": [
            {"id": "sync_key", "title": "Sync key", "type": "text"},
            {"id": "qty", "title": "Quantity", "type": "numbers"},
            {"id": "due", "title": "Due", "type": "date"},
            {"id": "status", "title": "Status", "type": "status", "labels": ["OPEN", "SHIPPED"]},
            {"id": "kind", "title": "Kind", "type": "dropdown", "labels": ["Bulk"]},
            {"id": "notes", "title": "Notes", "type": "long_text"},
        ],
        "subitem_columns": [{"id": "size", "title": "Size", "type": "text"}],
    }
]
CREATE3 = """
mutation Create($board: ID!, $cv0: JSON, $cv1: JSON, $cv2: JSON) {
  i0: create_item(board_id: $board, item_name: "first", column_values: $cv0) { id name }
  i1: create_item(board_id: $board, item_name: "second", column_values: $cv1) { id name }
  i2: create_item(board_id: $board, item_name: "third", column_values: $cv2) { id name }
  complexity { before after query reset_in_x_seconds }
}
"""
ONE = 'mutation { create_item(board_id: 9001, item_name: "x") { id } }'


def gql(
    server: SandboxServer,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    return requests.post(
        server.url,
        json={"query": query, "variables": variables or {}},
        headers={**HEADERS, **(headers or {})},
        timeout=10,
    )


def cvs(*values: dict[str, Any]) -> dict[str, Any]:
    return {"board": BOARD, **{f"cv{i}": json.dumps(v) for i, v in enumerate(values)}}


def n_items(server: SandboxServer, board: str = BOARD) -> int:
    return len(server.items(board, states=("active", "archived")))


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(board_spec=SPEC) as server:
        yield server


def test_schema_invalid_document_rejected(sandbox: SandboxServer) -> None:
    resp = gql(sandbox, 'mutation { create_item(board_id: 9001, item_name: "x") { id nope } }')
    assert resp.status_code == 200
    body = resp.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nope" in body["errors"][0]["message"]
    assert gql(sandbox, "{ me { id ").json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert n_items(sandbox) == 0


def test_auth_and_api_version(sandbox: SandboxServer) -> None:
    resp = requests.post(sandbox.url, json={"query": "{ me { id } }"}, timeout=5)
    assert resp.status_code == 401
    assert resp.json()["errors"][0]["extensions"]["code"] == "Unauthorized"
    assert gql(sandbox, "{ me { id } }", headers={"API-Version": "2026-07"}).status_code == 200
    bad = gql(sandbox, "{ me { id } }", headers={"API-Version": "2023-10"})
    assert bad.status_code == 400
    with SandboxServer(token="secret") as strict:
        assert gql(strict, "{ me { id } }").status_code == 401
        assert gql(strict, "{ me { id } }", headers={"Authorization": "secret"}).status_code == 200


def test_batched_aliases_create_items_and_report_complexity(sandbox: SandboxServer) -> None:
    resp = gql(sandbox, CREATE3, cvs({"sync_key": "a"}, {"qty": "42"}, {"status": {"label": "OPEN"}}))
    assert resp.status_code == 200
    data = resp.json()["data"]
    ids = [data[f"i{i}"]["id"] for i in range(3)]
    assert all(isinstance(i, str) and i.isdigit() for i in ids) and len(set(ids)) == 3
    assert sorted(i["id"] for i in sandbox.items(BOARD)) == sorted(ids)
    cx = data["complexity"]
    assert cx["query"] == 30_000 and cx["after"] == cx["before"] - cx["query"]
    assert cx["reset_in_x_seconds"] >= 1
    assert sandbox.stats["mutations_by_field"]["create_item"] == 3


def test_bad_value_fails_only_its_alias(sandbox: SandboxServer) -> None:
    resp = gql(sandbox, CREATE3, cvs({"qty": "1"}, {"qty": "lots"}, {"sync_key": "k"}))
    assert resp.status_code == 200
    body = resp.json()
    assert body["data"]["i1"] is None
    assert body["data"]["i0"]["id"] and body["data"]["i2"]["id"]
    [err] = body["errors"]
    assert err["path"] == ["i1"]
    assert err["extensions"]["code"] == "ColumnValueException"
    assert n_items(sandbox) == 2


@pytest.mark.parametrize(
    ("name", "values", "code"),
    [
        ("x", {"nope": "1"}, "InvalidColumnIdException"),
        ("x", {"due": {"date": "2026-02-30"}}, "ColumnValueException"),
        ("x", {"due": "15/06/2026"}, "ColumnValueException"),
        ("x", {"notes": {"text": "y" * 2001}}, "ColumnValueException"),
        ("x", {"status": {"label": "LOST"}}, "ColumnValueException"),
        ("x", {"kind": {"labels": ["Sample"]}}, "ColumnValueException"),
        ("", {}, "ItemNameTooLongException"),
        ("n" * 256, {}, "ItemNameTooLongException"),
    ],
)
def test_column_value_validation(
    sandbox: SandboxServer, name: str, values: dict[str, Any], code: str
) -> None:
    query = """mutation ($n: String!, $cv: JSON) {
      create_item(board_id: 9001, item_name: $n, column_values: $cv) { id } }"""
    body = gql(sandbox, query, {"n": name, "cv": json.dumps(values)}).json()
    assert body["data"]["create_item"] is None
    assert body["errors"][0]["extensions"]["code"] == code
    assert body["errors"][0]["path"] == ["create_item"]
    assert n_items(sandbox) == 0


def test_values_round_trip_and_labels_created_on_request(sandbox: SandboxServer) -> None:
    values = {
        "sync_key": "K-1",
        "qty": 12.5,
        "due": {"date": "2026-06-15"},
        "status": {"label": "HELD"},
        "kind": {"labels": ["Bulk", "Sample"]},
        "notes": {"text": "fragile"},
    }
    query = """mutation ($cv: JSON) { create_item(board_id: 9001, item_name: "r", column_values: $cv,
      create_labels_if_missing: true) { id column_values { id text value type } } }"""
    body = gql(sandbox, query, {"cv": json.dumps(values)}).json()
    got = {c["id"]: c for c in body["data"]["create_item"]["column_values"]}
    assert got["sync_key"]["text"] == "K-1" and json.loads(got["sync_key"]["value"]) == "K-1"
    assert got["qty"]["text"] == "12.5" and got["qty"]["type"] == "numbers"
    assert got["due"]["text"] == "2026-06-15"
    assert got["status"]["text"] == "HELD"
    assert got["kind"]["text"] == "Bulk, Sample"
    assert got["notes"]["text"] == "fragile"
    item_id = body["data"]["create_item"]["id"]
    clear = """mutation ($id: ID!, $cv: JSON!) {
      change_multiple_column_values(board_id: 9001, item_id: $id, column_values: $cv) { id } }"""
    assert (
        gql(sandbox, clear, {"id": item_id, "cv": '{"qty": null}'}).json()["data"][
            "change_multiple_column_values"
        ]["id"]
        == item_id
    )
    assert "qty" not in sandbox.items(BOARD)[0]["column_values"]


def test_idempotent_replay_returns_same_ids(sandbox: SandboxServer) -> None:
    key = {"Idempotency-Key": "batch-1"}
    first = gql(sandbox, CREATE3, cvs({}, {}, {}), headers=key)
    again = gql(sandbox, CREATE3, cvs({}, {}, {}), headers=key)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotency-Replayed") == "true"
    assert "Idempotency-Replayed" not in first.headers
    assert again.json() == first.json()
    assert n_items(sandbox) == 3
    assert sandbox.stats["idempotent_replays"] == 1
    other = gql(sandbox, CREATE3, cvs({}, {}, {}), headers={"Idempotency-Key": "batch-2"})
    assert other.status_code == 200 and n_items(sandbox) == 6


def test_concurrent_duplicate_key_conflicts(sandbox: SandboxServer) -> None:
    sandbox.inject("slow", seconds=0.6, match="create_item")
    key = {"Idempotency-Key": "same"}
    results: dict[str, requests.Response] = {}
    worker = threading.Thread(target=lambda: results.setdefault("first", gql(sandbox, ONE, headers=key)))
    worker.start()
    time.sleep(0.2)
    dup = gql(sandbox, ONE, headers=key)
    worker.join()
    assert dup.status_code == 409
    assert dup.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert int(dup.headers["Retry-After"]) >= 1
    assert results["first"].status_code == 200
    replay = gql(sandbox, ONE, headers=key)
    assert replay.headers.get("Idempotency-Replayed") == "true"
    assert replay.json() == results["first"].json()
    assert n_items(sandbox) == 1


def test_complexity_budget_exhaustion() -> None:
    with SandboxServer(board_spec=SPEC, complexity_budget=25_000, window_seconds=1) as server:
        assert gql(server, ONE).status_code == 200
        assert gql(server, ONE).status_code == 200
        limited = gql(server, ONE)
        assert limited.status_code == 429
        ext = limited.json()["errors"][0]["extensions"]
        assert ext["code"] == "COMPLEXITY_BUDGET_EXHAUSTED"
        assert ext["retry_in_seconds"] >= 1
        assert limited.headers["Retry-After"] == str(ext["retry_in_seconds"])
        assert n_items(server) == 2
        time.sleep(1.05)
        cx = gql(server, "{ complexity { before query after } }").json()["data"]["complexity"]
        assert cx["before"] == 25_000
        assert gql(server, ONE).status_code == 200


def test_single_query_over_max_complexity_is_an_application_error() -> None:
    with SandboxServer(board_spec=SPEC, max_query_complexity=15_000) as server:
        resp = gql(server, CREATE3, cvs({}, {}, {}))
        assert resp.status_code == 200
        err = resp.json()["errors"][0]
        assert err["extensions"]["code"] == "maxComplexityExceeded"
        assert "exceeds max complexity of 15000" in err["message"]
        assert n_items(server) == 0


def test_minute_request_limit() -> None:
    with SandboxServer(requests_per_window=3, window_seconds=1) as server:
        codes = [gql(server, "{ me { id } }").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = gql(server, "{ me { id } }")
        assert limited.json()["errors"][0]["extensions"]["code"] == "MINUTE_RATE_LIMIT_EXCEEDED"
        assert int(limited.headers["Retry-After"]) >= 1
        time.sleep(1.05)
        assert gql(server, "{ me { id } }").status_code == 200


def test_daily_limit() -> None:
    with SandboxServer(daily_calls=2) as server:
        assert [gql(server, "{ me { id } }").status_code for _ in range(2)] == [200, 200]
        limited = gql(server, "{ me { id } }")
        assert limited.status_code == 429
        assert limited.json()["errors"][0]["extensions"]["code"] == "DAILY_LIMIT_EXCEEDED"
        assert server.stats["rate_limited_by_code"] == {"DAILY_LIMIT_EXCEEDED": 1}


def test_concurrency_limit() -> None:
    with SandboxServer(max_concurrency=2, latency_ms=400) as server:
        statuses: list[int] = []
        codes: list[str] = []

        def call() -> None:
            resp = gql(server, "{ me { id } }")
            statuses.append(resp.status_code)
            if resp.status_code == 429:
                codes.append(resp.json()["errors"][0]["extensions"]["code"])

        threads = [threading.Thread(target=call) for _ in range(4)]
        for t in threads:
            t.start()
            time.sleep(0.02)
        for t in threads:
            t.join()
        assert sorted(statuses) == [200, 200, 429, 429]
        assert codes == ["MAX_CONCURRENCY_EXCEEDED"] * 2
        assert server.stats["max_concurrency_seen"] == 2


def test_fault_http_errors_apply_nothing(sandbox: SandboxServer) -> None:
    sandbox.inject("http_500")
    sandbox.inject("http_502_html")
    first, second = gql(sandbox, ONE), gql(sandbox, ONE)
    assert first.status_code == 500 and first.json()["errors"]
    assert second.status_code == 502 and second.headers["Content-Type"].startswith("text/html")
    assert "<html>" in second.text
    assert n_items(sandbox) == 0
    assert gql(sandbox, ONE).status_code == 200


def test_fault_truncated_json_applies(sandbox: SandboxServer) -> None:
    sandbox.inject("truncated_json", match="mutation")
    resp = gql(sandbox, ONE)
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        resp.json()
    assert n_items(sandbox) == 1


def test_fault_drop_before_and_after(sandbox: SandboxServer) -> None:
    sandbox.inject("drop_before")
    with pytest.raises(requests.ConnectionError):
        gql(sandbox, ONE, headers={"Idempotency-Key": "k1"})
    assert n_items(sandbox) == 0
    retry = gql(sandbox, ONE, headers={"Idempotency-Key": "k1"})  # not stored: runs for real
    assert retry.status_code == 200 and "Idempotency-Replayed" not in retry.headers
    assert n_items(sandbox) == 1

    sandbox.inject("drop_after", match="create_item")
    with pytest.raises(requests.ConnectionError):
        gql(sandbox, ONE, headers={"Idempotency-Key": "k2"})
    assert n_items(sandbox) == 2
    replay = gql(sandbox, ONE, headers={"Idempotency-Key": "k2"})
    assert replay.headers.get("Idempotency-Replayed") == "true"
    assert replay.json()["data"]["create_item"]["id"] in {i["id"] for i in sandbox.items(BOARD)}
    assert n_items(sandbox) == 2


def test_fault_slow_applies_then_answers_late(sandbox: SandboxServer) -> None:
    sandbox.inject("slow", seconds=0.3)
    started = time.monotonic()
    assert gql(sandbox, ONE).status_code == 200
    assert time.monotonic() - started >= 0.3
    assert n_items(sandbox) == 1


def test_fault_rate_limit_and_matching(sandbox: SandboxServer) -> None:
    sandbox.inject("rate_limit", match="create_item", code="COMPLEXITY_BUDGET_EXHAUSTED", retry_in_seconds=7)
    assert gql(sandbox, "{ me { id } }").status_code == 200  # a query does not match
    resp = gql(sandbox, ONE)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "7"
    ext = resp.json()["errors"][0]["extensions"]
    assert ext == {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": 7}
    assert n_items(sandbox) == 0
    assert gql(sandbox, ONE).status_code == 200


def test_fault_alias_error_over_http(sandbox: SandboxServer) -> None:
    admin = requests.post(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"kind": "alias_error", "index": 1, "code": "InternalServerException"},
        timeout=5,
    )
    assert admin.status_code == 200 and admin.json()["faults"][0]["kind"] == "alias_error"
    body = gql(sandbox, CREATE3, cvs({}, {}, {})).json()
    assert body["data"]["i1"] is None and body["data"]["i0"] and body["data"]["i2"]
    assert body["errors"][0]["path"] == ["i1"]
    assert body["errors"][0]["extensions"]["code"] == "InternalServerException"
    assert n_items(sandbox) == 2
    assert sandbox.stats["faults_fired"] == {"alias_error": 1}


def test_items_page_by_column_values_and_paging(sandbox: SandboxServer) -> None:
    gql(sandbox, CREATE3, cvs({"sync_key": "A"}, {"sync_key": "B"}, {"sync_key": "A"}))
    find = """query ($k: String!) { items_page_by_column_values(board_id: 9001, limit: 1,
      columns: [{column_id: "sync_key", column_values: [$k]}]) { cursor items { id name state } } }"""
    page = gql(sandbox, find, {"k": "A"}).json()["data"]["items_page_by_column_values"]
    assert [i["name"] for i in page["items"]] == ["first"] and page["cursor"]
    nxt = "query ($c: String!) { next_items_page(cursor: $c, limit: 5) { cursor items { name } } }"
    rest = gql(sandbox, nxt, {"c": page["cursor"]}).json()["data"]["next_items_page"]
    assert rest == {"cursor": None, "items": [{"name": "third"}]}
    none = gql(sandbox, find, {"k": "Z"}).json()["data"]["items_page_by_column_values"]
    assert none == {"cursor": None, "items": []}
    bad = gql(sandbox, find.replace('"sync_key"', '"nope"'), {"k": "A"}).json()
    assert bad["errors"][0]["extensions"]["code"] == "InvalidColumnIdException"


def test_archived_and_deleted_items_disappear_from_reads(sandbox: SandboxServer) -> None:
    ids = [
        v["id"]
        for k, v in gql(sandbox, CREATE3, cvs({"sync_key": "S"}, {"sync_key": "S"}, {"sync_key": "S"}))
        .json()["data"]
        .items()
        if k.startswith("i")
    ]
    gone = """mutation ($a: ID!, $d: ID!) {
      a: archive_item(item_id: $a) { id } d: delete_item(item_id: $d) { id } }"""
    assert gql(sandbox, gone, {"a": ids[0], "d": ids[1]}).json()["data"] == {
        "a": {"id": ids[0]},
        "d": {"id": ids[1]},
    }
    read = """{ boards(ids: [9001]) { items_count items_page(limit: 50) { items { id } } }
      items_page_by_column_values(board_id: 9001, limit: 50,
        columns: [{column_id: "sync_key", column_values: ["S"]}]) { items { id } } }"""
    data = gql(sandbox, read).json()["data"]
    assert [i["id"] for i in data["boards"][0]["items_page"]["items"]] == [ids[2]]
    assert [i["id"] for i in data["items_page_by_column_values"]["items"]] == [ids[2]]
    assert data["boards"][0]["items_count"] == 2  # archived items count toward the limit
    states = gql(sandbox, "query ($ids: [ID!]) { items(ids: $ids) { id state } }", {"ids": ids}).json()
    assert [i["state"] for i in states["data"]["items"]] == ["archived", "deleted", "active"]


def test_subitems_live_on_the_subitem_board(sandbox: SandboxServer) -> None:
    parent = gql(sandbox, ONE).json()["data"]["create_item"]["id"]
    query = """mutation ($p: ID!) { s: create_subitem(parent_item_id: $p, item_name: "XL",
      column_values: "{\\"size\\": \\"XL\\"}") { id board { id } parent_item { id } } }"""
    sub = gql(sandbox, query, {"p": parent}).json()["data"]["s"]
    assert sub["board"]["id"] == SUBBOARD and sub["parent_item"]["id"] == parent
    read = "query ($ids: [ID!]) { items(ids: $ids) { subitems { id name } } }"
    assert gql(sandbox, read, {"ids": [parent]}).json()["data"]["items"][0]["subitems"] == [
        {"id": sub["id"], "name": "XL"}
    ]


def test_items_per_board_cap() -> None:
    with SandboxServer(board_spec=SPEC, max_items_per_board=2) as server:
        body = gql(server, CREATE3, cvs({}, {}, {})).json()
        assert body["data"]["i0"] and body["data"]["i1"] and body["data"]["i2"] is None
        assert body["errors"][0]["extensions"]["code"] == "ItemsLimitationException"
        assert n_items(server) == 2


def test_admin_state_stats_reset(sandbox: SandboxServer) -> None:
    gql(sandbox, ONE)
    state = requests.get(f"{sandbox.base_url}/_sandbox/state", timeout=5).json()
    assert {b["id"] for b in state["boards"]} == {BOARD, SUBBOARD} and len(state["items"]) == 1
    stats = requests.get(f"{sandbox.base_url}/_sandbox/stats", timeout=5).json()
    assert stats["requests"] == 1 and stats["mutations_by_field"] == {"create_item": 1}
    assert requests.post(f"{sandbox.base_url}/_sandbox/reset", timeout=5).status_code == 200
    assert n_items(sandbox) == 0 and sandbox.stats["requests"] == 0
    assert {b["id"] for b in sandbox.snapshot()["boards"]} == {BOARD, SUBBOARD}


def _start_cli(state: Path, spec: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.sandbox",
            "--port",
            "0",
            "--state",
            str(state),
            "--board-spec",
            str(spec),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        },
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "http://" in line, line
    return proc, line.strip().split()[-1]


def test_cli_state_survives_restart(tmp_path: Path) -> None:
    import yaml

    spec = tmp_path / "boards.yml"
    spec.write_text(yaml.safe_dump({"boards": SPEC}))
    state = tmp_path / "state" / "sandbox.json"
    proc, url = _start_cli(state, spec)
    try:
        resp = requests.post(url, json={"query": ONE}, headers=HEADERS, timeout=10)
        item_id = resp.json()["data"]["create_item"]["id"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert json.loads(state.read_text())["items"][0]["id"] == item_id
    proc, url = _start_cli(state, spec)
    try:
        query = "{ boards(ids: [9001]) { items_page(limit: 10) { items { id } } } }"
        body = requests.post(url, json={"query": query}, headers=HEADERS, timeout=10).json()
        assert body["data"]["boards"][0]["items_page"]["items"] == [{"id": item_id}]
        resp = requests.post(url, json={"query": ONE}, headers=HEADERS, timeout=10)
        assert resp.json()["data"]["create_item"]["id"] != item_id
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_python_api_restart_with_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with SandboxServer(state_file=path) as first:
        board = first.create_board("Demo", [{"id": "t", "title": "T", "type": "text"}], board_id="77")
        gql(
            first,
            'mutation ($cv: JSON) { create_item(board_id: 77, item_name: "kept", column_values: $cv) {id} }',
            {"cv": '{"t": "v"}'},
        )
    with SandboxServer(state_file=path) as second:
        [item] = second.items(board)
        assert item["name"] == "kept" and item["column_values"] == {"t": "v"}


NESTED = """
query Nested($limit: Int!) {
  boards(ids: [9001]) { items_page(limit: $limit) { items { id column_values(ids: ["qty", "due"]) { id text }
    subitems { id name column_values(ids: ["size"]) { id text } } } } }
  complexity { query }
}
"""
FLAT = (
    "query Flat($limit: Int!) { boards(ids: [9001]) { items_page(limit: $limit) { items { id name } } } "
    "complexity { query } }"
)


def test_reads_pay_for_each_items_nested_lists() -> None:
    """A page's items pay for their subitems and column values: a subitems list has no limit, so
    monday prices it as 1,000 subitems (10 + 1,000 x (2 scalars + column_values 10 + 1 x 2)) per item,
    column values by the ids asked (10 + 2 x 2); a page of items alone pays 10 per item."""
    with SandboxServer(board_spec=SPEC) as server:
        flat = gql(server, FLAT, {"limit": 100}).json()["data"]["complexity"]["query"]
        nested = gql(server, NESTED, {"limit": 100}).json()["data"]["complexity"]["query"]
        assert flat == 1000 + 100 * 10
        assert nested == flat + 100 * ((10 + 2 * 2) + (10 + 1000 * (2 + 10 + 2)))
        too_big = gql(server, NESTED, {"limit": 500}).json()
        assert too_big["errors"][0]["extensions"]["code"] == "maxComplexityExceeded"
