r"""Cross-check: the compiled T-SQL of the relational models, transpiled to DuckDB with sqlglot, gives
the same rows as the DuckDB target on a small sample.

A small sample (tools.sample_orders, 40 lines) is built on DuckDB with `dbt run`; half the items
and the subitems under them are logged as confirmed (some items with a stale hash, some subitems
with another quantity), then a confirmed line
vanishes, one is cancelled and a confirmed size drops to 0, and `dbt run` again, so the outbox holds
creates, updates, archives and subitem deletes. Then each model below is compiled for
sqlserver, transpiled with sqlglot (read tsql, write duckdb; T-SQL BIT read as the 0/1 integer
it is, since sqlglot would keep BIT, a bit string in DuckDB), pointed at the DuckDB-built
upstream relations and compared row for row with the DuckDB model.

The subitem outbox renders each subitem's column_values with T-SQL STRING_ESCAPE(..., 'json'),
which DuckDB lacks: the test gives DuckDB a string_escape macro as documented (JSON string
escapes, and '/' as '\/'), and compares JSON columns by their parsed value (the engines' JSON
texts differ only in that '\/').

The subitem outbox also hashes the rows it emits: HASHBYTES over NVARCHAR (UTF-16) has no DuckDB
equivalent, so the test hashes the same CONCAT_WS text with DuckDB's sha256 (UTF-8), which is what
the DuckDB model does: equal hashes mean both engines hash the same terms.

Not cross-checked here, by design:
- int_order_lines_hashed: HASHBYTES / STRING_ESCAPE / CONVERT(..., 2) over whole lines do not
  transpile to DuckDB; tests/dbt/test_tsql_golden.py pins its output instead;
- stg_orders_unified: its T-SQL quantity check uses LIKE '%[^0-9+-]%'; sqlglot keeps the LIKE, and
  DuckDB's LIKE has no character classes, so the rows would differ for sqlglot's reasons, not ours.
This runs the T-SQL logic on DuckDB's engine; it is not SQL Server.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from tests.support.dbt import dbt
from tools.sample_orders import create

CHECKED = [
    "int_order_sizes_unpivoted",
    "int_push_log_confirmed",
    "MON_CustMasterSchedule",
    "MON_CustMasterSchedule_Subitems",
    "MON_CustMasterSchedule_History",
    "STG_MON_CustMasterSchedule",
    "STG_MON_CustMasterSchedule_Subitems",
    "int_order_lines_routed",
    "int_order_lines_placed",
    "MON_Boards",
    "MON_BoardCapacity",
]


def _dbt(args: list[str], work: Path, target: str) -> None:
    dbt(*args, "--target", target, "--no-partial-parse", work=work, target=target,
        target_path=work / f"target_{target}")  # fmt: skip


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("transpile")
    create(work / "orders.duckdb", 40, seed=7, bad_rows=1)
    _dbt(["run", "--quiet"], work, "duckdb")
    con = duckdb.connect(str(work / "orders.duckdb"))
    try:
        log = (
            "INSERT INTO main.MON_PushLog (log_id, logged_at, run_id, batch_id, customer_name, board_id, "
            "entity, sync_key, parent_sync_key, operation, phase, status, payload_hash, group_title, "
            "item_name, column_values, monday_id, monday_parent_id, monday_group_id, attempt) "
        )
        con.execute(
            log
            + "SELECT uuid()::VARCHAR, now()::TIMESTAMP, 'r', 'b1', customer_name, '9001', 'item', sync_key, "
            "NULL, operation, 'outcome', 'ok', CASE WHEN n % 4 = 0 THEN 'stale' ELSE payload_hash END, "
            "group_title, item_name, column_values, (100000 + n)::VARCHAR, NULL, 'g1', 1 "
            "FROM (SELECT *, row_number() OVER (ORDER BY sync_key) AS n "
            "      FROM main.STG_MON_CustMasterSchedule) WHERE n % 2 = 0"
        )
        con.execute(
            log + "SELECT uuid()::VARCHAR, now()::TIMESTAMP, 'r', 'b2', s.customer_name, '9001', 'subitem', "
            "s.sync_key, s.parent_sync_key, s.operation, 'outcome', 'ok', "
            "CASE WHEN n % 3 = 0 THEN 'stale' ELSE s.payload_hash END, NULL, s.item_name, "
            # A third confirmed with another quantity (subitems are compared by value).
            'CASE WHEN n % 3 = 0 THEN replace(s.column_values, \'"qty":"\', \'"qty":"1\') '
            "ELSE s.column_values END, "
            "(500000 + n)::VARCHAR, s.monday_parent_item_id, NULL, 1 "
            "FROM (SELECT *, row_number() OVER (ORDER BY sync_key) AS n "
            "      FROM main.STG_MON_CustMasterSchedule_Subitems WHERE monday_parent_item_id IS NOT NULL"
            # The subitem outbox compares the logged JSON as text, and T-SQL writes '/' as '\/': a
            # push log is only read by the engine that wrote it, so sizes with '/' stay unconfirmed.
            "      AND size NOT LIKE '%/%') s"
        )
        # Source changes after the push: a confirmed line vanishes, one is cancelled (both archived)
        # and a confirmed subitem's size drops to 0 (delete).
        gone, cancelled = (
            r[0]
            for r in con.execute(
                "SELECT sync_key FROM main.MON_CustMasterSchedule ORDER BY sync_key LIMIT 2"
            ).fetchall()
        )
        con.execute("DELETE FROM dbo.ORDERS_UNIFIED WHERE record_uuid::VARCHAR = ?", [gone])
        con.execute(
            "UPDATE dbo.ORDERS_UNIFIED SET \"ORDER STATUS\" = 'CANCELLED' WHERE record_uuid::VARCHAR = ?",
            [cancelled],
        )
        parent, size = con.execute(
            "SELECT parent_sync_key, size FROM main.MON_CustMasterSchedule_Subitems "
            "WHERE parent_sync_key NOT IN (?, ?) ORDER BY sync_key LIMIT 1",
            [gone, cancelled],
        ).fetchone()
        con.execute(f'UPDATE dbo.ORDERS_UNIFIED SET "{size}" = 0 WHERE record_uuid::VARCHAR = ?', [parent])
    finally:
        con.close()
    _dbt(["run", "--quiet"], work, "duckdb")
    con = duckdb.connect(str(work / "orders.duckdb"), read_only=True)
    try:
        items = {
            r[0]
            for r in con.execute("SELECT DISTINCT operation FROM main.STG_MON_CustMasterSchedule").fetchall()
        }
        subs = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT operation FROM main.STG_MON_CustMasterSchedule_Subitems"
            ).fetchall()
        }
    finally:
        con.close()
    assert items == {"create", "update", "archive"} and subs == {"create", "update", "delete"}, (items, subs)
    _dbt(["compile", "--select", *CHECKED, "--vars", "{offline_compile: true}", "--no-populate-cache"],
         work, "sqlserver")  # fmt: skip
    return work


T_SQL_HASH = "lower(convert(varchar(64), hashbytes('SHA2_256', "


def _hash_as_duckdb(sql: str) -> str:
    """lower(convert(varchar(64), hashbytes('SHA2_256', X), 2)) -> sha256(X), X untouched."""
    while (start := sql.find(T_SQL_HASH)) >= 0:
        depth, i, quoted = 1, start + len(T_SQL_HASH), False
        while depth:  # to the parenthesis closing hashbytes(, quotes respected
            ch = sql[i]
            if ch == "'":
                quoted = not quoted
            elif not quoted and ch in "()":
                depth += 1 if ch == "(" else -1
            i += 1
        assert sql[i : i + 5] == ", 2))", sql[start : i + 20]
        sql = sql[:start] + "sha256(" + sql[start + len(T_SQL_HASH) : i - 1] + ")" + sql[i + 5 :]
    return sql


def _tsql_to_duckdb(sql: str) -> str:
    sql = _hash_as_duckdb(sql)
    # exact_text: a BIN2 collation compares code points, as DuckDB always does.
    sql = re.sub(r"\s+collate\s+latin1_general_100_bin2\b", "", sql, flags=re.I)
    # Upstream relations: "ORDERS"."dbo"."x" (or [dbo].[x]) on SQL Server -> main."x" on DuckDB.
    sql = re.sub(r'(?:"[^"]+"\.)?"dbo"\."([^"]+)"', r'main."\1"', sql)
    sql = re.sub(r"(?:\[[^\]]+\]\.)?\[dbo\]\.\[([^\]]+)\]", r'main."\1"', sql)
    tree = sqlglot.parse_one(sql, read="tsql")

    def duckdb_types(node: exp.Expression) -> exp.Expression:
        # T-SQL BIT is a 0/1 number; sqlglot keeps BIT, which DuckDB reads as a bit string.
        if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.BIT:
            return exp.DataType.build("INTEGER")
        # NVARCHAR(MAX) comes out as TEXT(MAX), which DuckDB cannot parse.
        if isinstance(node, exp.DataType) and node.is_type("text", "varchar", "nvarchar"):
            return exp.DataType.build("VARCHAR")
        return node

    return tree.transform(duckdb_types).sql(dialect="duckdb")


# T-SQL STRING_ESCAPE(text, 'json') as documented: the JSON string escapes, and '/' as '\/'.
STRING_ESCAPE = (
    "CREATE TEMP MACRO string_escape(s, kind) AS "
    "replace(substr(to_json(s::VARCHAR)::VARCHAR, 2, length(to_json(s::VARCHAR)::VARCHAR) - 2), '/', '\\/')"
)


def _norm(value: object) -> object:
    if isinstance(value, str) and value.startswith("{"):
        return json.dumps(json.loads(value), sort_keys=True)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal | float):
        return str(Decimal(str(value)).normalize())
    return value if value is None or isinstance(value, int) else str(value)


@pytest.mark.parametrize("model", CHECKED)
def test_transpiled_tsql_matches_duckdb(sample: Path, model: str) -> None:
    compiled = next((sample / "target_sqlserver" / "compiled").rglob(f"{model}.sql")).read_text()
    query = _tsql_to_duckdb(compiled)
    con = duckdb.connect(str(sample / "orders.duckdb"), read_only=True)
    try:
        cur = con.execute(f"SELECT * FROM main.{model}")
        names = [d[0].lower() for d in cur.description]
        want = sorted(tuple(_norm(v) for v in r) for r in cur.fetchall())
        con.execute(STRING_ESCAPE)
        cur = con.execute(f"SELECT * FROM ({query}) AS t")
        got_names = [d[0].lower() for d in cur.description]
        got = sorted(tuple(_norm(v) for v in r) for r in cur.fetchall())
    finally:
        con.close()
    assert got_names == names
    assert want, f"{model}: the sample gives no rows, so nothing was compared"
    assert got == want
