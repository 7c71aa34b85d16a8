"""Unit-level tests of the pusher's modules (no sandbox, no network)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from pusher.config.settings import Filters, load_settings
from pusher.errors import EXIT_CONFIG, EXIT_LIMIT, EXIT_OK, EXIT_ROWS_FAILED, ConfigError, LimitStop
from pusher.monday.client import MondayClient, RateLimited, Rejected, Transient, idempotency_key
from pusher.monday.operations import Request, diff_values, outcomes
from pusher.monday.pacing import Pacer
from pusher.run.summary import RowError, Summary
from pusher.store.database import Database
from pusher.store.outbox import ITEM_COLUMNS, read_items
from pusher.store.profiles import find_profiles_file, load_output
from pusher.store.sqlserver import sqlserver_connection_string

MONDAY_YML = """
api_version: "2026-10"
boards:
  default: {board_id: "9001", subitem_board_id: "9002"}
  customers:
    Greyson Clothiers: {board_id: "7001", subitem_board_id: "7002"}
items: {sync_key: {id: sync_key}}
subitems: {sync_key: {id: sub_key}}
sync: {max_archive_share: 0.25}
"""
TOKEN = "tok-UNIT-0c0ffee"


@pytest.fixture
def monday_yml(tmp_path: Path) -> str:
    path = tmp_path / "monday.yml"
    path.write_text(MONDAY_YML)
    return str(path)


# ------------------------------------------------------------------ config
def test_board_per_customer_else_default(monday_yml: str) -> None:
    s = load_settings("GREYSON CLOTHIERS", config_file=monday_yml, env={})
    assert (s.board_id, s.subitem_board_id, s.max_archive_share) == ("7001", "7002", 0.25)
    d = load_settings("OTHER CO", config_file=monday_yml, env={})
    assert (d.board_id, d.subitem_board_id) == ("9001", "9002")
    assert d.subitem_sync_key_column == "sub_key" and d.api_url == "https://api.monday.com/v2"


def test_config_errors(monday_yml: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings("X", config_file=str(tmp_path / "missing.yml"), env={})
    with pytest.raises(ConfigError, match="https"):
        load_settings("X", config_file=monday_yml, env={"MONDAY_API_URL": "http://api.example.com/v2"})
    bad = tmp_path / "bad.yml"
    bad.write_text("boards: {default: {board_id: 'abc'}}")
    with pytest.raises(ConfigError, match="numeric"):
        load_settings("X", config_file=str(bad), env={})
    with pytest.raises(ConfigError, match="positive"):
        load_settings("X", config_file=monday_yml, env={}, batch_size=0)
    assert load_settings("X", config_file=monday_yml, env={}, batch_size=10_000).batch_size == 500
    assert EXIT_CONFIG == ConfigError.exit_code == 2


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


# ------------------------------------------------------------------ client
class FakeSession(requests.Session):
    def __init__(self, responses: list[Any]) -> None:
        super().__init__()
        self.responses = responses
        self.calls: list[dict[str, Any]] = []

    def post(self, url: Any, **kw: Any) -> requests.Response:  # type: ignore[override]
        self.calls.append(kw)
        item = self.responses.pop(0)
        if isinstance(item, Exception):
            raise item
        status, body, headers = item
        resp = requests.Response()
        resp.status_code = status
        resp._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        resp.headers.update(headers)
        return resp


def client_with(*responses: Any) -> tuple[MondayClient, FakeSession]:
    session = FakeSession(list(responses))
    return MondayClient("https://api.example/v2", "2026-10", token=TOKEN, session=session), session


def test_headers_timeout_and_idempotency_key() -> None:
    client, session = client_with((200, {"data": {"i0": {"id": "1"}}}, {}), (200, {"data": {"me": None}}, {}))
    client.execute(
        "mutation M($n: String!) { i0: create_item(board_id: 1, item_name: $n) { id } }",
        {"n": "x"},
        mutation=True,
    )
    client.execute("query { me { id } }", {}, mutation=False)
    mut, query = session.calls
    assert mut["headers"]["Authorization"] == TOKEN and mut["headers"]["API-Version"] == "2026-10"
    assert (
        mut["headers"]["Idempotency-Key"] == idempotency_key(mut["json"]) and len(idempotency_key({})) == 64
    )
    assert "Idempotency-Key" not in query["headers"]
    assert mut["timeout"] == (10.0, 300.0) and mut["verify"] is True and client.http_calls == 2
    assert idempotency_key({"query": "q", "variables": {"a": 1, "b": 2}}) == idempotency_key(
        {"variables": {"b": 2, "a": 1}, "query": "q"}
    )


def test_token_is_redacted_everywhere() -> None:
    leak = requests.ConnectionError(f"failed for https://x/?token={TOKEN}")
    client, _ = client_with(leak, (400, {"errors": [{"message": f"bad token {TOKEN}"}]}, {}))
    with pytest.raises(Transient) as err:
        client.execute("query { me { id } }", {}, mutation=False)
    assert TOKEN not in str(err.value) and "[REDACTED]" in str(err.value)
    with pytest.raises(Rejected) as rej:
        client.execute("query { me { id } }", {}, mutation=False)
    assert TOKEN not in str(rej.value)
    assert TOKEN not in repr(client) and TOKEN not in str(vars(client).get("url"))
    with pytest.raises(ConfigError, match="MONDAY_API_TOKEN"):
        MondayClient("https://api.example/v2", "2026-10", token="")


def test_response_classification() -> None:
    limit = {
        "errors": [
            {
                "message": "slow down",
                "extensions": {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": 12},
            }
        ]
    }
    client, _ = client_with(
        (429, limit, {"Retry-After": "30"}),
        (
            429,
            {"errors": [{"message": "x", "extensions": {"code": "MINUTE_RATE_LIMIT_EXCEEDED"}}]},
            {"Retry-After": "9"},
        ),
        (500, {"errors": [{"message": "boom"}]}, {}),
        (502, b"<html>bad gateway</html>", {}),
        (200, b'{"data": {"i0": ', {}),
        (409, {"errors": [{"message": "in flight", "extensions": {"code": "IDEMPOTENCY_CONFLICT"}}]}, {}),
        (
            200,
            {"data": None, "errors": [{"message": "max", "extensions": {"code": "maxComplexityExceeded"}}]},
            {},
        ),
    )

    def run() -> None:
        client.execute("mutation { complexity { query } }", {}, mutation=True)

    with pytest.raises(RateLimited) as rl:
        run()
    assert (rl.value.code, rl.value.retry_in) == ("COMPLEXITY_BUDGET_EXHAUSTED", 12)
    with pytest.raises(RateLimited) as rl:
        run()
    assert rl.value.retry_in == 9
    for code in ("HTTP_500", "HTTP_502", "INVALID_RESPONSE", "IDEMPOTENCY_CONFLICT"):
        with pytest.raises(Transient) as tr:
            run()
        assert tr.value.code == code
    with pytest.raises(Rejected, match="maxComplexityExceeded"):
        run()


# -------------------------------------------------------------- operations
def test_diff_values_only_changed_keys() -> None:
    old = json.dumps({"a": "1", "d": {"date": "2026-01-01"}, "gone": "x"})
    new = json.dumps({"a": "1", "d": {"date": "2026-02-01"}, "n": None, "b": "2"})
    assert diff_values(new, old) == {"d": {"date": "2026-02-01"}, "n": None, "b": "2"}
    assert diff_values(new, None) == json.loads(new)


def test_outcomes_per_alias() -> None:
    request = Request("update_items", "", {}, [("u0",), ("u1", "m1"), ("u2",), ("u3",), ()])
    data = {"u0": {"id": "10"}, "u1": {"id": "11"}, "m1": None, "u2": None, "u3": {"id": "13"}}
    errors = [{"message": "bad date", "path": ["m1"], "extensions": {"code": "InvalidGroupIdException"}}]
    res = outcomes(request, data, errors)
    assert [r.status for r in res] == ["ok", "error", "unknown", "ok", "ok"]
    assert res[1].error_code == "InvalidGroupIdException" and res[0].monday_id == "10"


# ------------------------------------------------------------------ pacing
def test_pacer_sizes_batches_and_waits_for_the_budget() -> None:
    slept: list[float] = []
    now = [0.0]
    pacer = Pacer(sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)), clock=lambda: now[0])
    assert pacer.batch_size() == 450 and pacer.batch_size(100) == 100  # 5M * 0.9 / 10k
    pacer.observe({"before": 1_000_000, "after": 900_000, "query": 100_000, "reset_in_x_seconds": 40}, 10)
    assert pacer.budget == 1_000_000 and pacer.batch_size() == 90
    pacer.before_request(pacer.estimate(10))  # 100k fits in 900k: no wait
    assert slept == []
    pacer.observe({"before": 900_000, "after": 50_000, "query": 850_000, "reset_in_x_seconds": 30}, 85)
    pacer.before_request(pacer.estimate(10))
    assert slept and 29 < slept[0] <= 31  # waited for the reset instead of drawing a 429


def test_pacer_429_handling() -> None:
    slept: list[float] = []
    pacer = Pacer(sleep=slept.append, max_wait=100)
    pacer.rate_limited("MINUTE_RATE_LIMIT_EXCEEDED", 20)
    pacer.rate_limited("MAX_CONCURRENCY_EXCEEDED", None)
    assert slept[0] == 20 and pacer.waited == sum(slept)
    with pytest.raises(LimitStop, match="daily"):
        pacer.rate_limited("DAILY_LIMIT_EXCEEDED", 3600)
    with pytest.raises(LimitStop, match="more than 100s"):
        pacer.rate_limited("COMPLEXITY_BUDGET_EXHAUSTED", 90)
    assert LimitStop.exit_code == EXIT_LIMIT


# ----------------------------------------------------------------- summary
def test_summary_render_and_exit_codes() -> None:
    s = Summary("ACME", "9001")
    assert "nothing to send" in s.render() and s.exit_code == EXIT_OK
    s.outbox_rows = 3
    s.ok("item", "create", 2)
    s.errors.append(RowError("item", "k", "create", "ColumnValueException", "bad"))
    text = s.render()
    assert "created 2" in text and "ColumnValueException" in text and "nothing to send" not in text
    assert s.exit_code == EXIT_ROWS_FAILED
    s.stopped = "daily limit"
    assert s.exit_code == EXIT_LIMIT and "STOPPED" in s.render()
