"""Bad source rows are data: each one is either quarantined (``QUAR_ORDERS_UNIFIED``, with a reason
a planner can read) or sent faithfully (monday's stored text equals the source text exactly, or,
over monday's limits, its first limit - 1 characters and '…', listed in WARN_ORDERS_UNIFIED).
Never a crash, never a malformed document, never a lost good row. The wider hostile corpus is
tests/e2e/test_hostile_corpus.py.

One sample ORDERS_UNIFIED with the bad rows added, one dbt run, one push per customer (module
scope); each case then checks its own row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pusher.commands.cli import main
from pusher.errors import EXIT_OK
from tests.sandbox import SandboxServer
from tests.support.dbt import dbt_run, sample_orders
from tests.support.duck import sql
from tests.support.expected_board import assert_board_matches_source
from tests.support.paths import MONDAY_YML
from tests.support.pushing import ROOMY_BUDGET, against_sandbox
from tests.support.sandbox_boards import BOARD, board_spec, read_board

TOKEN = "tok-BADROWS-5c1e0a"

NAME_SEP = " / "
COLOUR = "NAVY"
ORDER = "AAG-0900{:03d}"

# case id → (source column overrides, quarantined?, words the reason must hold)
QUARANTINED: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "blank_order_number": ({"AAG ORDER NUMBER": "   "}, ("AAG ORDER NUMBER", "blank")),
    "duplicate_record_uuid": ({}, ("record_uuid",)),  # two rows share one uuid (see below)
    "negative_quantity": ({"M": -5}, ("negative", "M")),
    "non_numeric_quantity": ({"ONE SIZE": "N/A"}, ("N/A", "ONE SIZE")),
}
LONG_TEXT_MAX, ITEM_NAME_MAX = 2000, 255
SENT: dict[str, dict[str, Any]] = {
    "item_name_of_255": {"CUSTOMER STYLE": "L" * (255 - 11 - 2 * len(NAME_SEP) - len(COLOUR))},
    "notes_of_2000": {"NOTES": "x" * 1999 + "😀"},
    "emoji_and_non_ascii": {
        "STYLE DESCRIPTION": "Über-Jacke 😀 — 日本語 ñ 🧵 Ωμέγα",
        "CUSTOMER COLOUR DESCRIPTION": "CAFÉ CRÈME 🤎",
        "NOTES": "Zürich → 東京 ✈️ «quoted» ‘curly’ \u00a0nbsp \u200bzwsp",
    },
    "quotes_backslashes_newlines": {
        "STYLE DESCRIPTION": 'He said "hi" \\ it\'s back\\\\slashed',
        "NOTES": 'line one\nline "two"\r\nline\tthree \\n not a newline \\" \\u0041 \'single\'',
        "PO NUMBER": "PO\"1\\2'3",
    },
    "looks_like_json": {
        "STYLE DESCRIPTION": '{"label": "Done", "ids": [1]}',
        "PO NUMBER": '["a", {"b": null}]',
        "NOTES": '{"text": "not the notes"}',
        "DELIVERY TERMS": "null",
    },
    "looks_like_graphql": {
        "STYLE DESCRIPTION": "query { boards { id } }",
        "NOTES": 'mutation { delete_board(board_id: 9001) { id } } # $x: ID! @skip(if: true) """ ${x}',
        "PLANNED DELIVERY METHOD": "{{ var }} {% raw %}",
    },
    "looks_like_sql": {
        "CUSTOMER COLOUR DESCRIPTION": "NAVY'); DROP TABLE dbo.ORDERS_UNIFIED; --",
        "DELIVERY TERMS": "1' OR '1'='1",
        "NOTES": "'; EXEC xp_cmdshell 'dir'; -- /* ? :name @p1 */",
    },
    "text_size_with_spaces": {"ONE SIZE": " 12 "},
    # over monday's limits: sent cut, not quarantined (issue 12)
    "item_name_over_255": {"CUSTOMER STYLE": "S" * 300},
    "notes_over_2000": {"NOTES": "n" * 2001},
}
CUT = {"item_name_over_255": ["item name"], "notes_over_2000": ["NOTES"]}


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


@dataclass
class Pushed:
    db: Path
    sandbox: SandboxServer
    uuids: dict[str, str]  # case → record_uuid
    expected: dict[str, dict[str, Any]]  # case → the row's source values (after overrides)


def _mapping() -> dict[str, str]:
    cfg = yaml.safe_load(MONDAY_YML.read_text())
    return {c["source"]: c["id"] for c in cfg["items"]["columns"]}


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("bad_rows")
    db = tmp / "orders.duckdb"
    sample_orders("create", "--db", db, "--lines", "8", "--bad-rows", "0")
    (base,) = sql(
        db,
        "select record_uuid::varchar from dbo.ORDERS_UNIFIED where \"ORDER STATUS\" <> 'CANCELLED' "
        'order by "AAG ORDER NUMBER" limit 1',
    )
    uuids: dict[str, str] = {}
    expected: dict[str, dict[str, Any]] = {}
    cases = [(c, over) for c, (over, _) in QUARANTINED.items()] + list(SENT.items())
    for n, (case, over) in enumerate(cases):
        key = str(uuid.uuid5(uuid.NAMESPACE_URL, case))
        values = {"AAG ORDER NUMBER": ORDER.format(n), "CUSTOMER COLOUR DESCRIPTION": COLOUR, **over}
        _clone(db, base[0], key, values)
        uuids[case] = key
        expected[case] = values
    # a second row with the uuid of the first duplicate (another order line altogether)
    _clone(db, base[0], uuids["duplicate_record_uuid"], {"AAG ORDER NUMBER": ORDER.format(99)})
    dbt_run(tmp, db)
    customers = [r[0] for r in sql(db, "select distinct customer_name from main.STG_MON_CustMasterSchedule")]
    with against_sandbox(tmp, db, TOKEN, board_spec=board_spec(), complexity_budget=ROOMY_BUDGET) as sandbox:
        assert [main(["--customer", c]) for c in customers] == [EXIT_OK] * len(customers)
        yield Pushed(db, sandbox, uuids, expected)


def _clone(db: Path, base: str, key: str, values: dict[str, Any]) -> None:
    """Insert a copy of row ``base`` with a new record_uuid and ``values`` (all as ? parameters)."""
    sets = ", ".join(f'"{col}" = ?' for col in values)
    con = duckdb.connect(str(db))
    try:
        con.execute(
            "create temp table c as select * from dbo.ORDERS_UNIFIED where record_uuid = ?::uuid", [base]
        )
        con.execute(f"update c set record_uuid = ?::uuid, {sets}", [key, *values.values()])
        con.execute("insert into dbo.ORDERS_UNIFIED select * from c")
    finally:
        con.close()


def test_nothing_malformed_and_every_good_row_lands(pushed: Pushed) -> None:
    stats = pushed.sandbox.stats
    assert stats["errors_by_code"] == {} and set(stats["responses_by_status"]) == {"200"}
    assert sql(pushed.db, "select count(*) from main.ERR_MON_CustMasterSchedule") == [(0,)]
    assert sql(pushed.db, "select count(*) from main.STG_MON_CustMasterSchedule") == [(0,)]
    assert sql(pushed.db, "select count(*) from main.STG_MON_CustMasterSchedule_Subitems") == [(0,)]
    assert_board_matches_source(pushed.db, pushed.sandbox)


@pytest.mark.parametrize("case", list(QUARANTINED))
def test_quarantined_with_a_reason(pushed: Pushed, case: str) -> None:
    key = pushed.uuids[case]
    rows = sql(pushed.db, "select reason from main.QUAR_ORDERS_UNIFIED where record_uuid::varchar = ?", [key])
    assert rows, f"{case} was not quarantined"
    for (reason,) in rows:
        for word in QUARANTINED[case][1]:
            assert word in reason, (case, reason)
    on_board = [i for i in pushed.sandbox.items(BOARD) if i["column_values"].get("sync_key") == key]
    assert on_board == []


@pytest.mark.parametrize("case", list(SENT))
def test_sent_faithfully(pushed: Pushed, case: str) -> None:
    key = pushed.uuids[case]
    assert sql(
        pushed.db, "select count(*) from main.QUAR_ORDERS_UNIFIED where record_uuid::varchar = ?", [key]
    ) == [(0,)]
    (item,) = [
        i
        for i in read_board(pushed.sandbox, BOARD, TOKEN)
        if any(c["id"] == "sync_key" and c["text"] == key for c in i["column_values"])
    ]
    texts = {c["id"]: c["text"] for c in item["column_values"]}
    source = pushed.expected[case]
    mapping = _mapping()
    for column, value in source.items():
        if column in mapping:
            want = _fit(value, LONG_TEXT_MAX) if column == "NOTES" else value
            assert texts[mapping[column]] == want, (case, column)
    (style,) = sql(
        pushed.db, 'select "CUSTOMER STYLE" from dbo.ORDERS_UNIFIED where record_uuid::varchar = ?', [key]
    )
    name = NAME_SEP.join([source["AAG ORDER NUMBER"], style[0], source["CUSTOMER COLOUR DESCRIPTION"]])
    assert item["name"] == _fit(name, ITEM_NAME_MAX)
    if case in ("item_name_of_255", "item_name_over_255"):
        assert len(item["name"]) == 255
    warned = sql(pushed.db, "select column_name from main.WARN_ORDERS_UNIFIED where record_uuid = ?", [key])
    assert [r[0] for r in warned] == CUT.get(case, [])


def test_token_is_not_in_the_log(pushed: Pushed) -> None:
    assert TOKEN not in repr(sql(pushed.db, "select * from main.MON_PushLog"))
