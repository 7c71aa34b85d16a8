"""The hostile corpus (tests/e2e/hostile/cases.yml, issue 12): every case is one ORDERS_UNIFIED row
with its expected outcome. One source table (record_uuid as text, as it can be on the DuckDB
default), one dbt run, one ``python -m pusher --all-customers`` to the monday sandbox; then each
case is compared with the board and with QUAR_ORDERS_UNIFIED / WARN_ORDERS_UNIFIED.

Also the invariant: after ``--all-customers`` exits 0 the outbox holds nothing but rows waiting on
monday's limits or parked, and ``python -m pusher status`` accounts for every one; a second run
sends nothing (the cut values hash as what monday holds).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pusher.commands.cli import main
from pusher.commands.status import ACCOUNTED, accounting
from pusher.errors import EXIT_OK
from pusher.store.connection import connect
from tests.sandbox import SandboxServer
from tests.support.dbt import dbt_run
from tests.support.duck import sql
from tests.support.paths import MONDAY_YML
from tests.support.pushing import ROOMY_BUDGET, against_sandbox
from tests.support.sandbox_boards import BOARD, SUBBOARD, board_spec, read_board
from tools.reference_layout import read_layout

CORPUS = yaml.safe_load((Path(__file__).parent / "hostile" / "cases.yml").read_text(encoding="utf-8"))
MAPPING = yaml.safe_load(MONDAY_YML.read_text(encoding="utf-8"))
NAME_FROM = MAPPING["items"]["name_from"]
LONG_TEXT_MAX, ITEM_NAME_MAX = 2000, 255
TOKEN = "tok-HOSTILE-9b04d2"
CASES = {c["id"]: c for c in CORPUS["cases"]}


def number(case_id: str) -> str:
    return f"{list(CASES).index(case_id):03d}"


def value(spec: Any, n: str) -> Any:
    """A corpus value: {repeat, times, prefix, suffix} expanded, '{n}' replaced by the case number."""
    if isinstance(spec, dict):
        spec = spec.get("prefix", "") + spec["repeat"] * spec["times"] + spec.get("suffix", "")
    return spec.replace("{n}", n) if isinstance(spec, str) else spec


def source_row(case_id: str) -> dict[str, Any]:
    n = number(case_id)
    row = {k: value(v, n) for k, v in CORPUS["base"].items()}
    row["record_uuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, "hostile/" + case_id))
    row.update({k: value(v, n) for k, v in CASES[case_id].get("set", {}).items()})
    return row


def fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(column: dict[str, Any], raw: Any) -> str:
    """The text monday shows for a mapped source value (computed here, not from the models)."""
    if raw is None:
        return ""
    if column["type"] == "numbers" and column["source"] == "CUSTOMER PRICE":
        return f"{Decimal(str(raw)):.2f}"
    if column["type"] == "long_text":
        return fit(str(raw), LONG_TEXT_MAX)
    return str(raw)


@dataclass
class Pushed:
    db: Path
    sandbox: SandboxServer
    items: dict[str, dict[str, Any]]  # sync key → the item as monday shows it
    subitems: dict[str, dict[str, str]]  # parent sync key → {size: qty}
    second_run_mutations: dict[str, int]


def _create_source(db: Path) -> None:
    layout = read_layout()
    types = {c.name: ("VARCHAR" if c.name == "record_uuid" else c.duckdb_type) for c in layout}
    con = duckdb.connect(str(db))
    try:
        con.execute("CREATE SCHEMA dbo")
        con.execute(
            "CREATE TABLE dbo.ORDERS_UNIFIED (" + ", ".join(f'"{k}" {t}' for k, t in types.items()) + ")"
        )
        for case_id in CASES:
            row = source_row(case_id)
            unknown = set(row) - set(types)
            assert not unknown, (case_id, unknown)
            cols = ", ".join(f'"{k}"' for k in row)
            marks = ", ".join("?" for _ in row)
            con.execute(f"INSERT INTO dbo.ORDERS_UNIFIED ({cols}) VALUES ({marks})", list(row.values()))
    finally:
        con.close()


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "orders.duckdb"
    _create_source(db)
    dbt_run(tmp, db)
    with against_sandbox(tmp, db, TOKEN, board_spec=board_spec(), complexity_budget=ROOMY_BUDGET) as sandbox:
        assert main(["--all-customers"]) == EXIT_OK
        before = dict(sandbox.stats["mutations_by_field"])
        assert main(["--all-customers"]) == EXIT_OK
        after = sandbox.stats["mutations_by_field"]
        again = {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}
        items = {}
        for item in read_board(sandbox, BOARD, TOKEN):
            texts = {c["id"]: c["text"] for c in item["column_values"]}
            assert texts["sync_key"] not in items, f"two items for {texts['sync_key']!r}"
            items[texts["sync_key"]] = {
                "id": item["id"],
                "name": item["name"],
                "group": item["group"]["title"],
                **texts,
            }
        by_id = {i["id"]: k for k, i in items.items()}
        subitems: dict[str, dict[str, str]] = {}
        for sub in sandbox.items(SUBBOARD):
            parent = by_id.get(sub["parent_item_id"])
            sizes = subitems.setdefault(parent, {})
            assert sub["name"] not in sizes, f"two subitems {sub['name']} under {parent}"
            sizes[sub["name"]] = sub["column_values"]["qty"]
        yield Pushed(db, sandbox, items, subitems, again)


def _quarantine_reasons(pushed: Pushed, row: dict[str, Any]) -> list[str]:
    key = (row["record_uuid"] or "").strip(" \t\r\n\u00a0").lower() or None
    rows = sql(
        pushed.db,
        'SELECT reason FROM main.QUAR_ORDERS_UNIFIED WHERE record_uuid = ? OR "AAG ORDER NUMBER" = ?',
        [key, row["AAG ORDER NUMBER"]],
    )
    return [r[0] for r in rows]


def _on_board(pushed: Pushed, case_id: str, row: dict[str, Any]) -> list[dict[str, Any]]:
    order = f"HX-{number(case_id)}"
    key = (row["record_uuid"] or "").strip(" \t\r\n\u00a0").lower()
    return [i for k, i in pushed.items.items() if k == key or i["name"].startswith(order + " ")]


def test_the_corpus_is_big_and_every_case_says_what_it_expects() -> None:
    assert len(CASES) >= 60
    for case_id, case in CASES.items():
        outcomes = {"quarantined", "cancelled", "group"} & set(case["expect"])
        assert len(outcomes) == 1, case_id
        if "group" in case["expect"]:
            assert "name" in case["expect"], case_id


@pytest.mark.parametrize("case_id", [c for c, v in CASES.items() if "quarantined" in v["expect"]])
def test_quarantined_with_its_reason_and_not_sent(pushed: Pushed, case_id: str) -> None:
    row = source_row(case_id)
    reasons = _quarantine_reasons(pushed, row)
    assert reasons, f"{case_id} was not quarantined"
    for reason in reasons:
        for word in CASES[case_id]["expect"]["quarantined"]:
            assert word in reason, (case_id, reason)
    assert _on_board(pushed, case_id, row) == []


@pytest.mark.parametrize("case_id", [c for c, v in CASES.items() if "cancelled" in v["expect"]])
def test_cancelled_is_valid_but_not_created(pushed: Pushed, case_id: str) -> None:
    row = source_row(case_id)
    assert _quarantine_reasons(pushed, row) == []
    assert sql(
        pushed.db,
        "SELECT is_cancelled FROM main.int_order_lines_hashed WHERE record_uuid = ?",
        [row["record_uuid"]],
    ) == [(True,)]
    assert _on_board(pushed, case_id, row) == []


@pytest.mark.parametrize("case_id", [c for c, v in CASES.items() if "group" in v["expect"]])
def test_sent_as_expected(pushed: Pushed, case_id: str) -> None:
    n, row, expect = number(case_id), source_row(case_id), CASES[case_id]["expect"]
    key = value(expect.get("sync_key"), n) or row["record_uuid"]
    assert _quarantine_reasons(pushed, row) == []
    assert key in pushed.items, f"{case_id}: no item with sync key {key!r}"
    item = pushed.items[key]
    assert (item["group"], item["name"]) == (value(expect["group"], n), value(expect["name"], n))
    assert len(item["name"]) <= ITEM_NAME_MAX and len(item["group"]) <= 255
    # the name and every mapped value, computed here from the source row
    parts = [
        str(row.get(s)).strip(" ") for s in NAME_FROM if row.get(s) is not None and str(row.get(s)).strip(" ")
    ]
    assert item["name"] == fit(" / ".join(parts), ITEM_NAME_MAX)
    for column in MAPPING["items"]["columns"]:
        assert item[column["id"]] == shown(column, row.get(column["source"])), (case_id, column["id"])
    for column_id, want in (expect.get("values") or {}).items():
        assert item[column_id] == value(want, n), (case_id, column_id)
    sizes = {k: str(v) for k, v in expect.get("sizes", {"M": 10}).items()}
    assert pushed.subitems.get(key, {}) == sizes
    warned = sql(pushed.db, "SELECT column_name FROM main.WARN_ORDERS_UNIFIED WHERE record_uuid = ?", [key])
    assert sorted(r[0] for r in warned) == sorted(expect.get("warn", []))


def test_only_hostile_cases_reach_monday_and_nothing_is_lost(pushed: Pushed) -> None:
    sent = {
        value(c["expect"].get("sync_key"), number(i)) or source_row(i)["record_uuid"]
        for i, c in CASES.items()
        if "group" in c["expect"]
    }
    assert set(pushed.items) == sent
    stats = pushed.sandbox.stats
    assert stats["errors_by_code"] == {} and set(stats["responses_by_status"]) == {"200"}


def test_a_second_run_sends_nothing(pushed: Pushed) -> None:
    assert pushed.second_run_mutations == {}


def test_after_a_clean_run_status_accounts_for_every_outbox_row(
    pushed: Pushed, capsys: pytest.CaptureFixture[str]
) -> None:
    db = connect(None, None)
    try:
        left = accounting(db, [], 3)
    finally:
        db.close()
    assert all(r["state"] in ACCOUNTED for r in left), left
    outbox = sum(
        sql(pushed.db, f"SELECT count(*) FROM main.{rel}")[0][0]
        for rel in ("STG_MON_CustMasterSchedule", "STG_MON_CustMasterSchedule_Subitems")
    )
    assert outbox == sum(int(r["n"]) for r in left)
    capsys.readouterr()
    assert main(["status"]) == EXIT_OK
    out = capsys.readouterr().out
    cut = sql(pushed.db, "SELECT count(*) FROM main.WARN_ORDERS_UNIFIED")[0][0]
    assert cut >= 8 and f"warnings: {cut} value(s) sent cut to monday's limits" in out
    assert "NOTES" in out and "item name" in out and "group title" in out


def test_status_names_why_each_outbox_row_waits() -> None:
    """Each state on its own row: parked (3 failures), failed once, a create for a board not made,
    a create for a board over monday's limit, a subitem whose parent is not on monday yet, and a
    row no run has taken; with --customer given padded and in lower case."""
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA main2")
    con.execute(
        "CREATE TABLE main2.STG_MON_CustMasterSchedule (customer_name VARCHAR, sync_key VARCHAR, "
        "operation VARCHAR, board_id VARCHAR, board_name VARCHAR)"
    )
    con.execute(
        "INSERT INTO main2.STG_MON_CustMasterSchedule VALUES ('ACME', 'k-parked', 'update', '1', 'Orders'),"
        " ('ACME', 'k-failed', 'create', '1', 'Orders'), ('ACME', 'k-unmade', 'create', NULL, 'Orders (2)'),"
        " ('ACME', 'k-full', 'create', '3', 'Orders (3)'), ('ACME', 'k-new', 'create', '1', 'Orders'),"
        " ('OTHER', 'k-other', 'create', '1', 'Orders')"
    )
    con.execute(
        "CREATE TABLE main2.STG_MON_CustMasterSchedule_Subitems (customer_name VARCHAR, sync_key VARCHAR, "
        "operation VARCHAR, monday_parent_item_id VARCHAR)"
    )
    con.execute(
        "INSERT INTO main2.STG_MON_CustMasterSchedule_Subitems VALUES ('ACME', 'k-unmade|M', 'create', NULL),"
        " ('ACME', 'k-live|M', 'create', '77')"
    )
    for err in ("ERR_MON_CustMasterSchedule", "ERR_MON_CustMasterSchedule_Subitems"):
        con.execute(f"CREATE TABLE main2.{err} (customer_name VARCHAR, sync_key VARCHAR, attempts INTEGER)")
    con.execute(
        "INSERT INTO main2.ERR_MON_CustMasterSchedule VALUES ('ACME', 'k-parked', 3), ('ACME', 'k-failed', 1)"
    )
    con.execute("CREATE TABLE main2.MON_BoardCapacity (board_name VARCHAR, is_over BOOLEAN)")
    con.execute("INSERT INTO main2.MON_BoardCapacity VALUES ('Orders', false), ('Orders (3)', true)")
    from pusher.store.database import Database

    got = accounting(Database(con, "duckdb", "main2"), [" acme\u00a0"], 3)
    assert {(r["entity"], r["state"]): r["n"] for r in got} == {
        ("item", "parked"): 1,
        ("item", "failed"): 1,
        ("item", "board_not_made"): 1,
        ("item", "board_full"): 1,
        ("subitem", "parent_waiting"): 1,
        ("item", "not_attempted"): 1,
        ("subitem", "not_attempted"): 1,
    }
