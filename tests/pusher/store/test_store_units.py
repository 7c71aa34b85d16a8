"""The store without a server: profiles.yml lookup and rendering, the SQL Server connection string,
relation names validated and values passed as parameters."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import duckdb
import pytest

from pusher.config.settings import Filters
from pusher.errors import ConfigError
from pusher.store.database import Database
from pusher.store.outbox import ITEM_COLUMNS, read_items
from pusher.store.profiles import find_profiles_file, load_output
from pusher.store.push_log import LOG_COLUMNS
from pusher.store.sqlserver import sqlserver_connection_string

# -------------------------------------------------------------- connection
PROFILE = """
order_sync:
  target: "{{ env_var('ORDER_SYNC_TARGET', 'duckdb') }}"
  outputs:
    duckdb: {type: duckdb, path: "{{ env_var('ORDER_SYNC_DUCKDB', 'data/orders.duckdb') }}", schema: main}
    sqlserver:
      type: sqlserver
      server: "{{ env_var('MSSQL_SERVER') }}"
      port: 1433
      database: orders
      schema: dbo
      user: sync
      password: "{{ env_var('MSSQL_PASSWORD') }}"
"""


def test_profile_lookup_order_and_env_var_rendering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles.example.yml").write_text(PROFILE)
    assert find_profiles_file(env={}) == Path("profiles.example.yml")
    (tmp_path / "profiles.yml").write_text(PROFILE)
    assert find_profiles_file(env={}) == Path("profiles.yml")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "profiles.yml").write_text(PROFILE.replace("data/orders.duckdb", "x.duckdb"))
    assert load_output(env={"DBT_PROFILES_DIR": str(other)})["path"] == "x.duckdb"

    out = load_output(env={"ORDER_SYNC_DUCKDB": "/tmp/o.duckdb"})
    assert (out["type"], out["path"], out["_target"]) == ("duckdb", "/tmp/o.duckdb", "duckdb")
    with pytest.raises(ConfigError, match="MSSQL_SERVER"):
        load_output("sqlserver", env={})
    ss = load_output(env={"ORDER_SYNC_TARGET": "sqlserver", "MSSQL_SERVER": "db1", "MSSQL_PASSWORD": "p;w}d"})
    assert ss["server"] == "db1" and ss["password"] == "p;w}d"
    with pytest.raises(ConfigError, match="no target"):
        load_output("postgres", env={})


def test_sqlserver_connection_string_quotes_values() -> None:
    text = sqlserver_connection_string(
        {
            "server": "db1",
            "port": 1433,
            "database": "orders",
            "user": "sync",
            "password": "p;w}d",
            "encrypt": True,
        }
    )
    assert "SERVER=db1,1433" in text and "PWD={p;w}}d}" in text and "encrypt=Yes" in text
    assert "TrustServerCertificate=No" in text and "DRIVER={ODBC Driver 18 for SQL Server}" in text


def test_identifiers_are_validated_and_values_parameterized(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "o.duckdb"))
    con.execute(
        f"create table main.STG_MON_CustMasterSchedule ({', '.join(c + ' varchar' for c in ITEM_COLUMNS)})"
    )
    row = {c: None for c in ITEM_COLUMNS}
    row.update(customer_name="ACME", sync_key="k1", operation="create", payload_hash="h", order_number="A1")
    con.execute(
        f"insert into main.STG_MON_CustMasterSchedule values ({', '.join('?' for _ in ITEM_COLUMNS)})",
        [row[c] for c in ITEM_COLUMNS],
    )
    db = Database(con, "duckdb", "main")
    assert db.relation("MON_PushLog") == '"main"."MON_PushLog"'
    assert Database(con, "sqlserver", "dbo").relation("MON_PushLog") == "[dbo].[MON_PushLog]"
    with pytest.raises(ValueError):
        db.relation('x"; drop table y; --')
    with pytest.raises(ConfigError):
        Database(con, "duckdb", "main; drop")
    assert [r.sync_key for r in read_items(db, "acme")] == ["k1"]
    assert read_items(db, "ACME' OR '1'='1") == []
    assert read_items(db, "ACME", Filters(order_numbers=("A2",))) == []
    assert len(read_items(db, "ACME", Filters(order_numbers=("A1", "A2")))) == 1


def test_insert_many_keeps_every_value_in_one_list_statement_or_by_values(tmp_path: Path) -> None:
    # duckdb takes each column as one list (issue 22); a column mixing types goes the VALUES way
    con = duckdb.connect(str(tmp_path / "o.duckdb"))
    con.execute("create table main.t (a varchar, b integer, c timestamp, d varchar)")
    db = Database(con, "duckdb", "main")
    stamp = dt.datetime(2026, 1, 2, 3, 4, 5, 6)
    rows = [(f"k{i}", i if i % 3 else None, stamp + dt.timedelta(microseconds=i), None) for i in range(2500)]
    rows.append(("it's; drop table t --", 7, stamp, "é 😀"))
    with db.transaction() as cur:
        db.insert_many(cur, db.relation("t"), ("a", "b", "c", "d"), rows)
    mixed = [("m1", 1, stamp, 5), ("m2", 2, stamp, "five")]  # d: an int and a str
    with db.transaction() as cur:
        db.insert_many(cur, db.relation("t"), ("a", "b", "c", "d"), mixed)
    got = db.query("select a, b, c, d from main.t")
    assert sorted(got) == sorted([*rows, ("m1", 1, stamp, "5"), ("m2", 2, stamp, "five")])


def test_insert_many_sends_a_value_every_row_shares_once_and_keeps_every_row(tmp_path: Path) -> None:
    # a batch's run, customer and phase are one scalar each (issue 22); rows all alike stay rows
    con = duckdb.connect(str(tmp_path / "o.duckdb"))
    con.execute("create table main.t (a varchar, b integer, c varchar)")
    db = Database(con, "duckdb", "main")
    shared = [(f"k{i}", 7, None) for i in range(300)]
    alike = [("same", 1, "x")] * 3
    with db.transaction() as cur:
        db.insert_many(cur, db.relation("t"), ("a", "b", "c"), shared)
        db.insert_many(cur, db.relation("t"), ("a", "b", "c"), alike)
        db.insert_many(cur, db.relation("t"), ("a", "b", "c"), [("one", None, None)])
    got = db.query("select a, b, c from main.t")
    assert sorted(got, key=str) == sorted([*shared, *alike, ("one", None, None)], key=str)


def test_push_log_rows_get_distinct_ids_and_increasing_times(tmp_path: Path) -> None:
    from pusher.store.push_log import LogEvent, PushLog, log_ids

    ids = log_ids(5000)
    assert len(set(ids)) == 5000 and all(uuid.UUID(i).version == 4 and str(uuid.UUID(i)) == i for i in ids)
    assert not set(ids) & set(log_ids(5000))
    con = duckdb.connect(str(tmp_path / "o.duckdb"))
    cols = ", ".join(f"{c} {'timestamp' if c == 'logged_at' else 'integer' if c == 'attempt' else 'varchar'}"
                     for c in LOG_COLUMNS)  # fmt: skip
    con.execute(f"create table main.MON_PushLog ({cols})")
    log = PushLog(Database(con, "duckdb", "main"), "run-1", "ACME")
    long = "é" * 3000
    log.write([LogEvent("item", f"k{i}", "create", "intent", "sent", error_message=long) for i in range(3)])
    log.write([LogEvent("item", "k9", "create", "intent", "sent")])
    got = con.execute(
        "select sync_key, logged_at, run_id, customer_name, length(error_message) from main.MON_PushLog"
    ).fetchall()
    assert [g[0] for g in sorted(got, key=lambda g: g[1])] == ["k0", "k1", "k2", "k9"]
    assert len({g[1] for g in got}) == 4
    assert {(g[2], g[3]) for g in got} == {("run-1", "ACME")}
    assert [g[4] for g in sorted(got, key=lambda g: g[1])] == [2000, 2000, 2000, None]
