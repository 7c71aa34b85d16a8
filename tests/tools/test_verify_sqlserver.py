"""`make verify-sqlserver` (tools/verify_sqlserver/), the self-test users run on their own SQL Server.

The kit runs for real here with DuckDB in both roles (reference and target): the sample, both dbt
builds, every comparison, the pusher against the sandbox, the checklist and its JSON. The SQL
Server half is covered through its SQL text and report logic on a fake connection, and the
command itself without a server must fail fast with the connection message.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml

from tests.support.paths import PROFILES_EXAMPLE, REPO
from tools.verify_sqlserver.cli import finish, verify, write_profiles
from tools.verify_sqlserver.compare import GOLDEN_TABLE, compare_engines, golden_sql
from tools.verify_sqlserver.engine import DuckDBEngine, SqlServerEngine
from tools.verify_sqlserver.report import Report, compare_rows
from tools.verify_sqlserver.sample import golden_cases, load_sample, read_sample
from tools.verify_sqlserver.server import COLUMN_COLLATION_SQL, SERVER_SQL, prerequisites

HOSTILE = "7e570000-0000-4000-8000-000000000003"
PLAIN = "7e570000-0000-4000-8000-000000000001"


# --------------------------------------------------------------------------- the kit on DuckDB


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("verify")
    reference = DuckDBEngine("DuckDB (reference)", "verify_reference", "verify_a", work / "reference.duckdb")
    target = DuckDBEngine("DuckDB (as target)", "verify_target", "verify_b", work / "target.duckdb")
    report = verify(target, reference, work, PROFILES_EXAMPLE, keep=True)
    return {"work": work, "report": report, "reference": reference, "target": target}


def test_the_kit_passes_on_duckdb_with_every_check(kit: dict[str, Any]) -> None:
    report = kit["report"]
    assert report.ok, report.text()
    names = " | ".join(c.name for c in report.checks)
    for part in (
        "dbt build --target verify_target", "quarantine reasons", "unpivoted sizes", "group titles",
        "item names", "column_values", "outbox items", "outbox subitems", "every quarantine reason",
        "tests/golden/payloads.yml", "documented duckdb rendering", "against the local sandbox",
        "MON_PushLog has the columns", "every intent has an ok outcome", "a second pusher run sends nothing",
        "what reached the (sandbox) boards", "a second pusher for a customer another run holds",
        "compaction: superseded log rows archived",
    ):  # fmt: skip
        assert part in names, part


def test_the_sample_reaches_monday_as_planned(kit: dict[str, Any]) -> None:
    """Hostile text, the blank season's fallback, the legacy text sizes and the cancelled line,
    read from the target build (the comparisons only say both engines agree)."""
    target = kit["target"]
    _, rows = target.query(
        f"SELECT record_uuid, group_title, item_name FROM {target.relation('int_order_lines_hashed')}"
    )
    lines = {r[0]: r[1:] for r in rows}
    group, name = lines[HOSTILE]
    assert group.upper() == "O'NEILL & SONS <B> 2025 FALL"  # quote, ampersand and markup kept
    assert name == 'V-1002 / ST/"Q" \\ 1 / 藏青 NAVY 🚢'
    assert lines["7e570000-0000-4000-8000-000000000004"][0].endswith(" SP26")  # blank season: AAG SEASON
    _, sizes = target.query(
        f"SELECT size, qty FROM {target.relation('int_order_sizes_unpivoted')} WHERE record_uuid = ?",
        ("7e570000-0000-4000-8000-000000000002",),
    )
    assert sorted(sizes) == [("36R", 5), ("6X", 7), ("M TALL", 4), ("OS", 12), ("W30", 3)]
    _, outbox = target.query(f"SELECT sync_key FROM {target.relation('STG_MON_CustMasterSchedule')}")
    assert outbox == []  # pushed
    _, logged = target.query(
        f"SELECT DISTINCT sync_key FROM {target.relation('MON_PushLog')} WHERE entity = 'item'"
    )
    keys = {r[0] for r in logged}
    assert HOSTILE in keys and "7e570000-0000-4000-8000-000000000005" not in keys  # cancelled, never sent


def test_the_checklist_and_its_json(kit: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = kit["work"] / "out" / "verify.json"
    assert finish(kit["report"], path) == 0
    out = capsys.readouterr().out
    assert "✘" not in out and out.count("✔") == len(kit["report"].checks)
    data = json.loads(path.read_text())
    assert data["ok"] is True and len(data["checks"]) == len(kit["report"].checks)


def test_a_difference_is_a_cross_naming_the_first_differing_values(
    kit: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """What a user sends us: the failed check, the line, and each engine's value."""
    target = kit["target"]
    target.execute(
        f"UPDATE {target.relation('int_order_lines_hashed')} SET item_name = item_name || '?' "
        "WHERE record_uuid = ?",
        (PLAIN,),
    )
    try:
        checks = {c.name.split(" (")[0]: c for c in compare_engines(kit["reference"], target)}
    finally:
        target.execute(
            f"UPDATE {target.relation('int_order_lines_hashed')} SET item_name = rtrim(item_name, '?') "
            "WHERE record_uuid = ?",
            (PLAIN,),
        )
    failed = [name for name, check in checks.items() if not check.ok]
    assert failed == ["item names"]
    (difference,) = checks["item names"].differences
    assert PLAIN in difference
    assert '"V-1001 / POLO / NAVY"' in difference and '"V-1001 / POLO / NAVY?"' in difference
    report = Report("t", checks=list(checks.values()))
    assert finish(report, kit["work"] / "failed.json") == 1
    assert "✘ item names" in capsys.readouterr().out
    assert json.loads((kit["work"] / "failed.json").read_text())["ok"] is False


def test_compare_rows_shows_rows_missing_on_either_side() -> None:
    check = compare_rows(
        "sizes", ["record_uuid", "size", "qty"], [("u1", "M", 3), ("u1", "L", 1)], [("u1", "M", 4)],
        ("DuckDB", "SQL Server"), key_width=2,
    )  # fmt: skip
    assert not check.ok
    assert check.differences == [
        'record_uuid="u1", size="L": DuckDB {qty=1}, SQL Server has no such row',
        'record_uuid="u1", size="M": DuckDB {qty=3}, SQL Server {qty=4}',
    ]


# --------------------------------------------------------------------------- the SQL Server half


class FakeCursor:
    def __init__(self, conn: FakeConnection) -> None:
        self.conn, self.description, self.rows = conn, None, []

    def execute(self, sql: str, params: list[Any]) -> None:
        self.conn.executed.append((" ".join(sql.split()), list(params)))
        for needle, (names, rows) in self.conn.answers.items():
            if needle in sql:
                self.description, self.rows = [(n,) for n in names], rows
                return
        self.description, self.rows = [("n",)], []

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows

    def close(self) -> None:
        pass


class FakeConnection:
    def __init__(self, answers: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
        self.answers, self.executed, self.commits = answers, [], 0

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def commit(self) -> None:
        self.commits += 1

    def close(self) -> None:
        pass


FACTS = {
    "product_version": "16.0.4135.4", "product_level": "RTM", "edition": "Developer Edition (64-bit)",
    "engine_edition": 3, "server_collation": "SQL_Latin1_General_CP1_CI_AS", "database_name": "ORDERS",
    "database_collation": "SQL_Latin1_General_CP1_CI_AS", "compatibility_level": 160,
    "login_name": "order_sync", "user_name": "order_sync",
    "can_create_schema": 1, "can_create_table": 1, "can_create_view": 1,
}  # fmt: skip


def fake_server(facts: dict[str, Any], **answers: Any) -> tuple[SqlServerEngine, FakeConnection]:
    conn = FakeConnection({"SERVERPROPERTY": (list(facts), [tuple(facts.values())]), **answers})
    return SqlServerEngine("SQL Server (sqlserver)", "sqlserver", "verify_s", lambda: conn), conn


def test_prerequisites_name_their_fix() -> None:
    assert all(c.ok for c in prerequisites(FACTS))
    old = dict(FACTS, product_version="13.0.6300.2", compatibility_level=130, can_create_schema=0)
    version, level, rights = prerequisites(old)
    assert not version.ok and "SQL Server 2017" in version.detail
    assert not level.ok and "ALTER DATABASE [ORDERS] SET COMPATIBILITY_LEVEL = 140" in level.detail
    assert "CONCAT_WS" in level.detail
    assert not rights.ok and "GRANT CREATE SCHEMA TO [order_sync]" in rights.detail
    azure = dict(FACTS, product_version="12.0.2000.8", engine_edition=5)
    assert prerequisites(azure)[0].ok


def test_a_missing_prerequisite_stops_before_anything_is_created(tmp_path: Path) -> None:
    facts = dict(FACTS, compatibility_level=130)
    target, conn = fake_server(facts, COLLATION_NAME=(["c", "n"], [("SQL_Latin1_General_CP1_CI_AS", 20)]))
    reference = DuckDBEngine("DuckDB (reference)", "verify_reference", "verify_s", tmp_path / "r.duckdb")
    report = verify(target, reference, tmp_path, PROFILES_EXAMPLE)
    assert not report.ok
    assert report.facts["database"] == "ORDERS (compatibility level 130)"
    assert "SQL_Latin1_General_CP1_CI_AS (20 columns)" in report.facts["ORDERS_UNIFIED column collation"]
    assert "emoji" in report.facts["note"]  # not a supplementary-character collation
    assert not any(sql.upper().startswith(("CREATE", "INSERT", "DROP")) for sql, _ in conn.executed)
    assert not (tmp_path / "r.duckdb").exists()


def test_the_server_queries_are_tsql() -> None:
    for sql in (SERVER_SQL, COLUMN_COLLATION_SQL.replace("?", "'x'")):
        assert sqlglot.parse_one(sql, read="tsql") is not None


def test_the_sample_goes_in_as_parameters_with_the_legacy_types() -> None:
    target, conn = fake_server(FACTS)
    sample = read_sample()
    load_sample(target, sample)
    create, *inserts = [sql for sql, _ in conn.executed]
    assert create.startswith("CREATE TABLE [verify_s].[ORDERS_UNIFIED] ([record_uuid] UNIQUEIDENTIFIER NULL")
    assert "[OS] NVARCHAR(20) NULL" in create and "[XS] INT NULL" in create
    assert "[NOTES] NVARCHAR(MAX) NULL" in create
    assert len(inserts) == len(sample.rows) == conn.commits - 1  # each statement committed
    assert not any(
        "NEILL" in sql or "DROP TABLE x" in sql for sql in inserts
    )  # hostile text: parameters only
    params = [p for _, p in conn.executed[1:]]
    assert any("O'NEILL & SONS <b>" in p for p in params)
    golden = {str(c["row"]["record_uuid"]) for c in golden_cases()}
    assert golden <= set(sample.cases)


def test_the_scratch_schema_is_dropped_views_first() -> None:
    target, conn = fake_server(
        FACTS,
        **{
            "sys.schemas WHERE name": (["n"], [(1,)]),
            "sys.objects": (["name", "type"], [("V]x", "V "), ("t", "U ")]),
        },
    )
    target.drop_schema()
    drops = [sql for sql, _ in conn.executed if sql.startswith("DROP")]
    assert drops == ["DROP VIEW [verify_s].[V]]x]", "DROP TABLE [verify_s].[t]", "DROP SCHEMA [verify_s]"]
    for sql in drops:
        sqlglot.parse_one(sql.replace("V]]x", "Vx"), read="tsql")


def test_golden_rows_replace_the_valid_lines_in_the_compiled_tsql() -> None:
    target, _ = fake_server(FACTS)
    compiled = 'with lines as (\n    select * from "ORDERS"."verify_s"."int_order_lines_valid"\n) select 1'
    assert f"select * from [verify_s].[{GOLDEN_TABLE}]" in golden_sql(compiled, target)


def test_the_profile_points_the_users_output_at_the_scratch_schema(tmp_path: Path) -> None:
    target, _ = fake_server(FACTS)
    reference = DuckDBEngine("DuckDB (reference)", "verify_reference", "verify_s", tmp_path / "r.duckdb")
    directory = write_profiles(tmp_path, PROFILES_EXAMPLE, [reference, target])
    outputs = yaml.safe_load((directory / "profiles.yml").read_text())["order_sync"]["outputs"]
    assert outputs["sqlserver"]["schema"] == "verify_s"
    assert outputs["sqlserver"]["password"] == "{{ env_var('ORDER_SYNC_SQLSERVER_PASSWORD', '') }}"
    assert outputs["verify_reference"] == {
        "type": "duckdb", "path": str(tmp_path / "r.duckdb"), "schema": "verify_s", "threads": 2,
    }  # fmt: skip


def test_without_a_server_the_command_fails_fast_with_the_connection_message(
    tmp_path: Path, system_odbc: None
) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = dict(
        os.environ, ORDER_SYNC_SQLSERVER_HOST="127.0.0.1", ORDER_SYNC_SQLSERVER_PORT=str(port),
        ORDER_SYNC_SQLSERVER_PASSWORD="pw-not-shown", DBT_PROFILES_DIR=str(tmp_path),
    )  # fmt: skip
    (tmp_path / "profiles.yml").write_text((PROFILES_EXAMPLE).read_text())
    proc = subprocess.run(
        [sys.executable, "-m", "tools.verify_sqlserver", "--target", "sqlserver_freetds",
         "--json", str(tmp_path / "v.json")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"✘ connect to SQL Server: cannot connect to SQL Server 127.0.0.1 port {port}" in proc.stdout
    assert "likely fix" in proc.stdout and "pw-not-shown" not in proc.stdout + proc.stderr
    assert json.loads((tmp_path / "v.json").read_text())["ok"] is False
