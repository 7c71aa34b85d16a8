"""monday's asynchronous item jobs in the sandbox (bulk import, bulk archive/delete), over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.sandbox import SandboxServer

HEADERS = {"Authorization": "test-token", "API-Version": "2026-10"}
BOARD, SUBBOARD, OTHER = "9001", "9002", "9101"
SPEC: list[dict[str, Any]] = [
    {
        "id": BOARD,
        "name": "Orders",
        "subitem_board_id": SUBBOARD,
        "groups": [{"id": "topics", "title": "Orders"}, {"id": "spring", "title": "Spring"}],
        "columns": [
            {"id": "sync_key", "title": "Sync key", "type": "text"},
            {"id": "qty", "title": "Quantity", "type": "numbers"},
            {"id": "due", "title": "Due", "type": "date"},
            {"id": "status", "title": "Status", "type": "status", "labels": ["OPEN", "SHIPPED"]},
            {"id": "kind", "title": "Kind", "type": "dropdown", "labels": ["Bulk", "Sample"]},
            {"id": "notes", "title": "Notes", "type": "long_text"},
        ],
        "subitem_columns": [
            {"id": "size", "title": "Size", "type": "text"},
            {"id": "sqty", "title": "Size qty", "type": "numbers"},
        ],
    },
    {"id": OTHER, "name": "Elsewhere", "columns": [{"id": "sync_key", "title": "Sync key", "type": "text"}]},
]
START = """mutation ($board: ID!, $group: ID!, $match: OnMatchInput) {
  ingest_items(board_id: $board, group_id: $group, on_match: $match) { job_id upload_url } }"""
BACKFILL = """mutation ($board: ID!, $group: ID!) {
  backfill_items(board_id: $board, group_id: $group) { job_id upload_url } }"""
STATUS = """query ($job: ID!) { fetch_job_status(job_id: $job) { ... on ItemsJobStatus {
  status progress_percentage failure_reason failure_message fully_imported report_created report_url
  counts { submitted invalid skipped created updated failed } } } }"""
BULK = """mutation ($board: ID!, $ids: [ID!]!) {
  a: bulk_%s_items(board_id: $board, item_ids: $ids) { job_id } }"""
JOB_STATUS = """query ($job: ID!) { job_status(job_id: $job) {
  id status created_at updated_at error result { total succeeded failed details } } }"""
CREATE = """mutation ($board: ID!, $name: String!, $cv: JSON) {
  create_item(board_id: $board, item_name: $name, column_values: $cv) { id } }"""
ENDED = ("COMPLETED", "FAILED", "REJECTED")
ITEM_HEADER = "name,sync_key,qty,due,status,kind,notes"


def gql(
    server: SandboxServer, query: str, variables: dict[str, Any] | None = None, token: str = "test-token"
) -> requests.Response:
    return requests.post(
        server.url,
        json={"query": query, "variables": variables or {}},
        headers={**HEADERS, "Authorization": token},
        timeout=10,
    )


def lines(*rows: str) -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode()


def start(
    server: SandboxServer,
    *,
    group: str = "topics",
    match: dict[str, str] | None = None,
    backfill: bool = False,
    token: str = "test-token",
) -> dict[str, str]:
    variables = {"board": BOARD, "group": group, **({"match": match} if match else {})}
    body = gql(server, BACKFILL if backfill else START, variables, token).json()
    assert "errors" not in body, body
    return body["data"]["backfill_items" if backfill else "ingest_items"]  # type: ignore[no-any-return]


def put(url: str, data: bytes, **headers: str) -> requests.Response:
    return requests.put(url, data=data, headers={"Content-Type": "text/csv", **headers}, timeout=10)


def status(server: SandboxServer, job_id: str) -> dict[str, Any]:
    body = gql(server, STATUS, {"job": job_id}).json()
    assert "errors" not in body, body
    return body["data"]["fetch_job_status"]  # type: ignore[no-any-return]


def wait(server: SandboxServer, job_id: str, query: str = STATUS, field: str = "fetch_job_status") -> Any:
    deadline = time.monotonic() + 20
    while True:
        got = gql(server, query, {"job": job_id}).json()["data"][field]
        if got["status"] in ENDED or time.monotonic() > deadline:
            return got
        time.sleep(0.02)


def run(server: SandboxServer, data: bytes, **kw: Any) -> tuple[str, dict[str, Any]]:
    job = start(server, **kw)
    assert put(job["upload_url"], data).status_code == 200
    return job["job_id"], wait(server, job["job_id"])


def report(st: dict[str, Any]) -> list[dict[str, str]]:
    """Report rows by position: a failed column may be called ``status`` too (a board column id)."""
    resp = requests.get(st["report_url"], timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(resp.text)))
    assert header[:4] == ["serialNo", "status", "itemId", "error"]
    return [dict(zip(header[:4], row[:4], strict=True)) for row in rows]


def values(server: SandboxServer, item_ids: list[str]) -> dict[str, dict[str, Any]]:
    query = """query ($ids: [ID!]) { items(ids: $ids) { id name group { id } parent_item { id }
      column_values { id text value } } }"""
    body = gql(server, query, {"ids": item_ids}).json()
    return {i["id"]: i for i in body["data"]["items"]}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(board_spec=SPEC, admin_tokens=["admin-token", "test-token"]) as server:
        yield server


def test_items_with_subitems_end_to_end_like_mutations(sandbox: SandboxServer) -> None:
    job = start(sandbox, group="spring")
    assert job["upload_url"].startswith(sandbox.base_url + "/_upload/")
    pending = status(sandbox, job["job_id"])
    assert (pending["status"], pending["progress_percentage"], pending["report_created"]) == (
        "UPLOAD_PENDING",
        0,
        False,
    )
    data = lines(
        ITEM_HEADER + ",name.subitem,size.subitem,sqty.subitem",
        'PO-1,K-1,12.5,2026-06-15,OPEN,"Bulk, Sample","fragile, ""handle"" with care",,,',
        ",,,,,,,S,S,4",
        ",,,,,,,M,M,8",
        "PO-2,K-2,,,,,,,,",
        ",,,,,,,XL,XL,",
    )
    resp = put(job["upload_url"], data)
    assert resp.status_code == 200 and resp.headers["ETag"].startswith('"')
    st = wait(sandbox, job["job_id"])
    assert st["status"] == "COMPLETED" and st["fully_imported"] and st["progress_percentage"] == 100
    assert st["counts"] == {
        "submitted": 5,
        "invalid": 0,
        "skipped": 0,
        "created": 5,
        "updated": 0,
        "failed": 0,
    }
    rows = report(st)
    assert [(r["serialNo"], r["status"]) for r in rows] == [(str(n), "success") for n in range(1, 6)]
    ids = [r["itemId"] for r in rows]
    got = values(sandbox, ids)
    po1, s, m, po2, xl = (got[i] for i in ids)
    assert po1["group"]["id"] == po2["group"]["id"] == "spring"
    assert (
        s["parent_item"]["id"] == m["parent_item"]["id"] == po1["id"] and xl["parent_item"]["id"] == po2["id"]
    )
    assert {c["id"]: c["text"] for c in m["column_values"]}["sqty"] == "8"
    assert [c["text"] for c in po2["column_values"] if c["id"] in ("qty", "due", "status")] == ["", "", ""]

    made = gql(
        sandbox,
        CREATE,
        {
            "board": BOARD,
            "name": "PO-1",
            "cv": json.dumps(
                {
                    "sync_key": "K-1",
                    "qty": "12.5",
                    "due": {"date": "2026-06-15"},
                    "status": {"label": "OPEN"},
                    "kind": {"labels": ["Bulk", "Sample"]},
                    "notes": {"text": 'fragile, "handle" with care'},
                }
            ),
        },
    ).json()["data"]["create_item"]["id"]

    def shape(item: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for c in item["column_values"]:
            value = json.loads(c["value"]) if c["value"] else None
            if isinstance(value, dict):
                value.pop("changed_at", None)
            out[c["id"]] = (c["text"], value)
        return out

    assert shape(values(sandbox, [made])[made]) | {"subitems": None} == shape(po1) | {"subitems": None}
    count = gql(sandbox, "{ boards(ids: [9001, 9002]) { id items_count } }").json()["data"]["boards"]
    assert {b["id"]: b["items_count"] for b in count} == {BOARD: 3, SUBBOARD: 3}


def test_report_maps_each_row_and_names_the_failed_columns(sandbox: SandboxServer) -> None:
    data = lines(
        ITEM_HEADER + ",name.subitem,sqty.subitem",
        "ok,A,1,,,,,,",
        "bad label,B,1,,LOST,,,,",
        ",,,,,,,orphaned,1",  # its item row is invalid
        "bad date,C,,2026-02-30,,,,,",
        "bad number,D,lots,,,Bulk,,,",
        "bad dropdown,E,,,,Wholesale,,,",
        "   ,F,,,,,,,",
        "good,G,2,,SHIPPED,,,,",
        ",,,,,,,S,two",
        ",,,,,,,M,2",
    )
    _, st = run(sandbox, data)
    assert st["status"] == "COMPLETED" and st["fully_imported"]  # invalid rows do not spoil it
    assert st["counts"] == {
        "submitted": 10,
        "invalid": 7,
        "skipped": 0,
        "created": 3,
        "updated": 0,
        "failed": 0,
    }
    resp = requests.get(st["report_url"], timeout=10)
    assert resp.text.splitlines()[0] == "serialNo,status,itemId,error,name,qty,due,status,kind,sqty.subitem"
    rows = {r["serialNo"]: r for r in report(st)}
    assert [rows[str(n)]["status"] for n in range(1, 11)] == ["success"] + ["validation_error"] * 6 + [
        "success",
        "validation_error",
        "success",
    ]
    assert rows["1"]["itemId"] and rows["8"]["itemId"] and rows["10"]["itemId"]
    assert (
        rows["2"]["itemId"] == ""
        and rows["2"]["error"] == '[status]: Label "LOST" is invalid for column "status"'
    )
    assert "Item row 2" in rows["3"]["error"]
    assert "2026-02-30" in rows["4"]["error"] and rows["4"]["error"].startswith("[due]")
    assert rows["5"]["error"].startswith("[qty]") and rows["6"]["error"].startswith("[kind]")
    assert rows["7"]["error"].startswith("[name]")
    assert rows["9"]["error"].startswith("[sqty.subitem]")
    assert (
        values(sandbox, [rows["10"]["itemId"]])[rows["10"]["itemId"]]["parent_item"]["id"]
        == rows["8"]["itemId"]
    )
    assert len(sandbox.items(BOARD)) == 2 and len(sandbox.items(SUBBOARD)) == 1


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (lines("Name,sync_key", "a,1"), 'must be "name"'),
        (lines("name;sync_key", "a;1"), "separator"),
        (lines("name,Sync key", "a,1"), "title"),
        (lines("name,Qty", "a,1"), "Qty"),
        (lines("name,sync_key,sync_key", "a,1,1"), "twice"),
        (lines("name,subitems", "a,"), "subtasks"),
        (lines("name,sync_key", "a,1,extra"), "Row 1"),
        (lines("name,sync_key"), "no rows"),
        ("name,sync_key\r\nCafé,1\r\n".encode("latin-1"), "UTF-8"),
        (b'name,sync_key\r\n"open quote,1\r\n', "Malformed"),
        (lines("name,size.subitem", "a,"), "name.subitem"),
    ],
)
def test_invalid_upload_rejects_the_whole_job(sandbox: SandboxServer, data: bytes, why: str) -> None:
    _, st = run(sandbox, data)
    assert (st["status"], st["failure_reason"], st["progress_percentage"]) == (
        "REJECTED",
        "INVALID_UPLOAD",
        100,
    )
    assert why in st["failure_message"]
    assert not st["report_created"] and st["report_url"] is None and not st["fully_imported"]
    assert sandbox.items(BOARD) == []


def test_subitem_headers_on_a_board_without_subitems(sandbox: SandboxServer) -> None:
    job = gql(sandbox, START, {"board": OTHER, "group": "topics"}).json()["data"]["ingest_items"]
    put(job["upload_url"], lines("name,name.subitem", "a,", ",s"))
    st = wait(sandbox, job["job_id"])
    assert st["failure_reason"] == "INVALID_UPLOAD" and "no subitems" in st["failure_message"]


def test_on_match_upsert_updates_the_latest_match_and_skips_earlier_duplicates(
    sandbox: SandboxServer,
) -> None:
    _, first = run(sandbox, lines("name,sync_key,qty,status", "old A,A,1,OPEN", "newer A,A,2,OPEN"))
    a_ids = [r["itemId"] for r in report(first)]
    assert first["counts"]["created"] == 2  # no on_match: a shared value is no match
    later_cv = {"board": BOARD, "name": "A again", "cv": json.dumps({"sync_key": "A"})}
    later = gql(sandbox, CREATE, later_cv).json()["data"]["create_item"]["id"]
    data = lines("name,sync_key,qty,status", "A,A,7,<NULL>", "B,B,1,", "B2,B,2,SHIPPED", "no key,,3,")
    _, st = run(sandbox, data, match={"match_column_id": "sync_key", "behaviour": "UPSERT"})
    assert st["counts"] == {
        "submitted": 4,
        "invalid": 0,
        "skipped": 1,
        "created": 2,
        "updated": 1,
        "failed": 0,
    }
    rows = {r["serialNo"]: r for r in report(st)}
    assert rows["1"] == {**rows["1"], "status": "success", "itemId": later}
    assert rows["2"]["status"] == "skipped" and rows["3"]["status"] == "success"
    got = values(sandbox, [later, a_ids[1]])
    assert (
        got[later]["name"] == "A" and {c["id"]: c["text"] for c in got[later]["column_values"]}["qty"] == "7"
    )
    assert {c["id"]: c["text"] for c in got[a_ids[1]]["column_values"]}["qty"] == "2"  # older match untouched

    _, skip = run(
        sandbox,
        lines("name,sync_key", "A,A", "C,C"),
        match={"match_column_id": "sync_key", "behaviour": "SKIP"},
    )
    rows = {r["serialNo"]: r for r in report(skip)}
    assert (rows["1"]["status"], rows["1"]["itemId"]) == ("skipped", later)
    assert skip["counts"]["skipped"] == 1 and skip["counts"]["created"] == 1


def test_on_match_is_create_only_with_subitems_and_checked_at_start(sandbox: SandboxServer) -> None:
    match = {"match_column_id": "sync_key", "behaviour": "UPSERT"}
    _, st = run(sandbox, lines("name,sync_key,name.subitem", "a,1,", ",,s"), match=match)
    assert st["failure_reason"] == "INVALID_UPLOAD" and "create-only" in st["failure_message"]
    _, st = run(sandbox, lines("name,qty", "a,1"), match=match)
    assert st["failure_reason"] == "INVALID_UPLOAD" and "not in the header" in st["failure_message"]
    for variables, code in [
        ({"board": BOARD, "group": "nope"}, "InvalidGroupIdException"),
        ({"board": "424242", "group": "topics"}, "InvalidBoardIdException"),
        ({"board": SUBBOARD, "group": "topics"}, "InvalidBoardIdException"),
        (
            {"board": BOARD, "group": "topics", "match": {"match_column_id": "nope", "behaviour": "SKIP"}},
            "InvalidColumnIdException",
        ),
        (
            {"board": BOARD, "group": "topics", "match": {"match_column_id": "kind", "behaviour": "SKIP"}},
            "InvalidArgumentException",
        ),
    ]:
        body = gql(sandbox, START, variables).json()
        assert body["data"]["ingest_items"] is None and body["errors"][0]["extensions"]["code"] == code
    assert sandbox.stats["jobs"]["starts_last_hour"] == 2


def test_the_101st_start_in_an_hour_is_429(sandbox: SandboxServer) -> None:
    aliases = " ".join(f"j{n}: ingest_items(board_id: $b, group_id: $g) {{ job_id }}" for n in range(25))
    for _ in range(4):
        resp = gql(sandbox, f"mutation ($b: ID!, $g: ID!) {{ {aliases} }}", {"b": BOARD, "g": "topics"})
        assert resp.status_code == 200 and "errors" not in resp.json()
    resp = gql(sandbox, BACKFILL, {"board": BOARD, "group": "topics"})
    assert resp.status_code == 429
    err = resp.json()["errors"][0]
    assert err["extensions"]["code"] == "RATE_LIMIT_EXCEEDED" and err["extensions"]["retryAfterMs"] > 0
    assert int(resp.headers["Retry-After"]) >= 1
    assert sandbox.stats["jobs"]["import_jobs"] == 100  # nothing applied
    assert gql(sandbox, "{ me { id } }").status_code == 200  # other calls go on
    sandbox.advance_clock(3600)
    assert gql(sandbox, BACKFILL, {"board": BOARD, "group": "topics"}).status_code == 200


def test_ingest_budget_reserves_valid_rows_and_releases_skipped(sandbox: SandboxServer) -> None:
    sandbox.configure(ingest_items_per_hour=10)
    match = {"match_column_id": "sync_key", "behaviour": "SKIP"}
    rows = [f"i{n},k{n}" for n in range(6)] + ["dup,k0", "dup2,k1", "bad,k9,extra"][:2] + ["   ,x"]
    _, st = run(sandbox, lines("name,sync_key", *rows), match=match)
    # 8 valid rows reserved, 2 earlier duplicates skipped and released, 1 invalid never reserved
    assert st["counts"]["created"] == 6 and st["counts"]["skipped"] == 2 and st["counts"]["invalid"] == 1
    assert sandbox.stats["jobs"]["ingest_budget_left"] == 4
    _, over = run(sandbox, lines("name,sync_key", *[f"n{n},m{n}" for n in range(5)]))
    assert (over["status"], over["failure_reason"]) == ("REJECTED", "ACCOUNT_CAPACITY_EXCEEDED")
    assert "4 left" in over["failure_message"] and len(sandbox.items(BOARD)) == 6
    _, fits = run(sandbox, lines("name,sync_key", *[f"n{n},m{n}" for n in range(4)], "   ,"))
    assert fits["status"] == "COMPLETED" and fits["counts"]["created"] == 4
    _, backfill = run(sandbox, lines("name,sync_key", "b,b"), backfill=True)  # uses no budget
    assert backfill["status"] == "COMPLETED" and sandbox.stats["jobs"]["ingest_budget_left"] == 0
    sandbox.advance_clock(3601)
    assert sandbox.stats["jobs"]["ingest_budget_left"] == 10


def test_backfill_needs_an_admin_token(sandbox: SandboxServer) -> None:
    _, st = run(sandbox, lines("name", "a"), backfill=True, token="planner-token")
    assert (st["status"], st["failure_reason"]) == ("REJECTED", "PERMISSION_DENIED")
    _, ok = run(sandbox, lines("name", "a"), backfill=True, token="admin-token")
    _, ingest = run(sandbox, lines("name", "b"), token="planner-token")
    assert ok["status"] == ingest["status"] == "COMPLETED" and len(sandbox.items(BOARD)) == 2
    kinds = [
        gql(sandbox, "{ me { kind } }", token=t).json()["data"]["me"]["kind"]
        for t in ("planner-token", "admin-token")
    ]
    assert kinds == ["member", "admin"]


def test_board_capacity_counts_archived_items(sandbox: SandboxServer) -> None:
    sandbox.configure(max_items_per_board=5)
    _, first = run(sandbox, lines("name,name.subitem", "a,", "b,", "c,", ",s1", ",s2"))
    ids = [r["itemId"] for r in report(first)]
    _, st = run(sandbox, lines("name", "d", "e", "f"))
    assert (st["status"], st["failure_reason"]) == ("REJECTED", "BOARD_CAPACITY_EXCEEDED")
    gql(sandbox, "mutation ($id: ID!) { archive_item(item_id: $id) { id } }", {"id": ids[0]})
    assert run(sandbox, lines("name", "d", "e", "f"))[1]["failure_reason"] == "BOARD_CAPACITY_EXCEEDED"
    _, subs = run(sandbox, lines("name,name.subitem", "d,", ",s3", ",s4", ",s5", ",s6"))
    assert subs["failure_reason"] == "BOARD_CAPACITY_EXCEEDED" and "subitems" in subs["failure_message"]
    gql(sandbox, "mutation ($id: ID!) { delete_item(item_id: $id) { id } }", {"id": ids[1]})
    assert run(sandbox, lines("name", "d", "e", "f"))[1]["status"] == "COMPLETED"


def test_file_too_large_and_row_limit(sandbox: SandboxServer) -> None:
    sandbox.configure(import_max_file_bytes=40, ingest_max_rows=3)
    _, big = run(sandbox, lines("name,notes", "a," + "x" * 40))
    assert (big["status"], big["failure_reason"]) == ("REJECTED", "FILE_TOO_LARGE")
    _, rows = run(sandbox, lines("name", "a", "b", "c", "d"))
    assert rows["failure_reason"] == "INVALID_UPLOAD" and "at most 3" in rows["failure_message"]


def test_upload_url_behaves_like_a_presigned_s3_put(sandbox: SandboxServer) -> None:
    job = start(sandbox)
    url = job["upload_url"]
    crc = put(url, lines("name", "a"), **{"x-amz-checksum-crc32": "AAAAAA=="})
    assert crc.status_code == 403 and "<HeadersNotSigned>x-amz-checksum-crc32</HeadersNotSigned>" in crc.text
    assert put(url, lines("name", "a"), Authorization="test-token").status_code == 400
    assert put(url, lines("name", "a"), **{"Content-Type": "application/json"}).status_code == 403
    assert requests.get(url, timeout=10).status_code == 403
    assert status(sandbox, job["job_id"])["status"] == "UPLOAD_PENDING"
    assert put(url, lines("name", "first")).status_code == 200
    second = put(url, lines("name", "second", "third"))
    assert second.status_code == 200  # accepted, but the first upload is the job's file
    st = wait(sandbox, job["job_id"])
    assert st["counts"]["created"] == 1 and [i["name"] for i in sandbox.items(BOARD)] == ["first"]

    late = start(sandbox)
    sandbox.advance_clock(601)
    expired = put(late["upload_url"], lines("name", "a"))
    assert expired.status_code == 403 and "Request has expired" in expired.text
    assert status(sandbox, late["job_id"])["status"] == "UPLOAD_PENDING"


def test_processing_is_asynchronous_at_the_configured_rate(sandbox: SandboxServer) -> None:
    sandbox.configure(import_rows_per_second=1)
    job = start(sandbox)
    put(job["upload_url"], lines("name", *[f"r{n}" for n in range(50)]))
    time.sleep(0.1)
    st = status(sandbox, job["job_id"])
    assert st["status"] == "PROCESSING" and st["counts"]["created"] < 50 and st["progress_percentage"] < 100
    sandbox.advance_clock(25)
    half = status(sandbox, job["job_id"])
    assert half["status"] == "PROCESSING" and 25 <= half["counts"]["created"] < 50
    assert half["progress_percentage"] == 2 * half["counts"]["created"]
    assert not st["report_created"]
    sandbox.advance_clock(60)
    assert wait(sandbox, job["job_id"])["counts"]["created"] == 50


@pytest.mark.parametrize("processing", ["side_by_side", "queue"])
def test_jobs_of_the_account_side_by_side_or_one_at_a_time(sandbox: SandboxServer, processing: str) -> None:
    # two 20-row jobs at 1 row a monday second: side by side both are done after 20 s; queued,
    # the second (uploaded last) reads PROCESSING at 0 % until the first ends, then takes 20 s more
    sandbox.configure(import_rows_per_second=1, import_processing=processing)
    first, second = start(sandbox), start(sandbox)
    put(first["upload_url"], lines("name", *[f"a{n}" for n in range(20)]))
    put(second["upload_url"], lines("name", *[f"b{n}" for n in range(20)]))
    sandbox.advance_clock(10)
    half = [status(sandbox, j["job_id"]) for j in (first, second)]
    assert [s["status"] for s in half] == ["PROCESSING", "PROCESSING"]
    assert half[0]["counts"]["created"] >= 10
    if processing == "queue":
        assert half[1]["progress_percentage"] == 0 and half[1]["counts"]["created"] == 0
    else:
        assert half[1]["counts"]["created"] >= 10
    sandbox.advance_clock(10.5)
    after = [status(sandbox, j["job_id"]) for j in (first, second)]
    assert after[0]["status"] == "COMPLETED"
    assert after[1]["status"] == ("PROCESSING" if processing == "queue" else "COMPLETED")
    sandbox.advance_clock(20.5)
    assert status(sandbox, second["job_id"])["counts"]["created"] == 20


def test_a_scaled_minute_scales_the_processing_rate() -> None:
    # 1 row per monday second: 40 rows take 40 s at real speed, 0.4 s when monday's minute is 0.6 s
    with SandboxServer(board_spec=SPEC, window_seconds=0.6, import_rows_per_second=1) as fast:
        _, st = run(fast, lines("name", *[f"r{n}" for n in range(40)]))
        assert st["status"] == "COMPLETED" and st["counts"]["created"] == 40
        assert fast.stats["jobs"]["clock_factor"] == pytest.approx(100)


def test_report_url_expires_after_ten_minutes(sandbox: SandboxServer) -> None:
    _, st = run(sandbox, lines("name", "a"))
    assert requests.get(st["report_url"], timeout=10).status_code == 200
    sandbox.advance_clock(601)
    gone = requests.get(st["report_url"], timeout=10)
    assert gone.status_code == 403 and "Request has expired" in gone.text


def test_unknown_job_id(sandbox: SandboxServer) -> None:
    body = gql(sandbox, STATUS, {"job": "no-such-job"}).json()
    assert body.get("data") is None and body["errors"][0]["extensions"]["code"] == "InvalidArgumentException"


def test_imported_items_are_found_by_column_values(sandbox: SandboxServer) -> None:
    query = """query ($v: [String]!) { items_page_by_column_values(board_id: 9001, limit: 50,
      columns: [{column_id: "sync_key", column_values: $v}]) { items { id name } } }"""
    assert gql(sandbox, query, {"v": ["K-2"]}).json()["data"]["items_page_by_column_values"]["items"] == []
    _, st = run(sandbox, lines("name,sync_key", "one,K-1", "two,K-2"))
    ids = {r["serialNo"]: r["itemId"] for r in report(st)}
    found = gql(sandbox, query, {"v": ["K-2"]}).json()["data"]["items_page_by_column_values"]["items"]
    assert found == [{"id": ids["2"], "name": "two"}]


def test_bulk_archive_and_delete_jobs(sandbox: SandboxServer) -> None:
    _, st = run(sandbox, lines("name,name.subitem", "a,", ",s", "b,", "c,"))
    a, s, b, c = (r["itemId"] for r in report(st))
    other = gql(sandbox, CREATE, {"board": OTHER, "name": "x"}).json()
    elsewhere = other["data"]["create_item"]["id"]
    body = gql(sandbox, BULK % "archive", {"board": BOARD, "ids": [a, b, elsewhere, s, "777"]}).json()
    job = wait(sandbox, body["data"]["a"]["job_id"], JOB_STATUS, "job_status")
    assert job["status"] == "COMPLETED" and job["error"] is None
    result = job["result"]
    assert (result["total"], result["succeeded"], result["failed"]) == (5, 2, 3)
    assert sorted(result["details"]["failed_item_ids"]) == sorted([elsewhere, s, "777"])
    assert {i["id"] for i in sandbox.items(BOARD)} == {c}
    count = gql(sandbox, "{ boards(ids: [9001]) { items_count } }").json()["data"]["boards"][0]["items_count"]
    assert count == 3  # archived items still count

    body = gql(sandbox, BULK % "delete", {"board": BOARD, "ids": [a, c]}).json()
    job = wait(sandbox, body["data"]["a"]["job_id"], JOB_STATUS, "job_status")
    assert job["status"] == "COMPLETED" and job["result"]["succeeded"] == 2
    boards = gql(sandbox, "{ boards(ids: [9001, 9002]) { id items_count } }").json()["data"]["boards"]
    assert {x["id"]: x["items_count"] for x in boards} == {BOARD: 1, SUBBOARD: 0}

    too_many = gql(sandbox, BULK % "delete", {"board": BOARD, "ids": [str(n) for n in range(1001)]}).json()
    assert (
        too_many["data"]["a"] is None
        and too_many["errors"][0]["extensions"]["code"] == "InvalidArgumentException"
    )


def test_fault_job_fails_half_way_and_keeps_what_it_created(sandbox: SandboxServer) -> None:
    sandbox.inject("job_fail_after", match="ingest_items", rows=2)
    _, st = run(sandbox, lines("name", "a", "b", "c", "d"))
    assert (st["status"], st["failure_reason"], st["failure_message"]) == ("FAILED", "INTERNAL_ERROR", None)
    assert st["counts"]["created"] == 2 and st["counts"]["failed"] == 2 and not st["fully_imported"]
    assert [r["status"] for r in report(st)] == ["success", "success", "failed", "failed"]
    assert [i["name"] for i in sandbox.items(BOARD)] == ["a", "b"]


def test_fault_processing_never_finishes(sandbox: SandboxServer) -> None:
    sandbox.inject("job_stall", match="ingest_items", rows=1)
    job = start(sandbox)
    put(job["upload_url"], lines("name", "a", "b"))
    sandbox.advance_clock(3600)
    st = status(sandbox, job["job_id"])
    assert st["status"] == "PROCESSING" and st["counts"]["created"] == 1 and not st["report_created"]


def test_fault_upload_and_report_urls_expired(sandbox: SandboxServer) -> None:
    sandbox.inject("upload_expired", match="ingest_items")
    job = start(sandbox)
    assert put(job["upload_url"], lines("name", "a")).status_code == 403
    sandbox.inject("report_expired", match="ingest_items")
    _, st = run(sandbox, lines("name", "a"))
    assert st["report_created"] and requests.get(st["report_url"], timeout=10).status_code == 403


def test_fault_dropped_connection_after_the_job_was_made(sandbox: SandboxServer) -> None:
    sandbox.inject("drop_after", match="ingest_items")
    with pytest.raises(requests.ConnectionError):
        gql(sandbox, START, {"board": BOARD, "group": "topics"})
    assert sandbox.stats["jobs"]["import_jobs"] == 1 and sandbox.stats["jobs"]["starts_last_hour"] == 1
