"""Large create waves as monday import jobs, large removal waves as bulk archive/delete jobs
(docs/CONTRACT.md, "Initial loads", issue 11): the CSV, the decision, the job's log rows, and
never duplicate / never lose across failures and interrupted runs.

The sandbox tests run against the monday sandbox over HTTP with hand-made outbox tables
(tests/pusher/harness.py); a hand-made outbox does not shrink when rows are confirmed, so a
rerun is given the outbox dbt would give it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pusher.bulk import jobs as bulk_jobs
from pusher.bulk import wave as bulk_wave
from pusher.bulk.files import Unit, build_job, import_text, parse_report, split_units
from pusher.commands.cli import main
from pusher.config.settings import ColumnSpec, load_settings
from pusher.errors import EXIT_CONFIG, EXIT_OK, EXIT_ROWS_FAILED, ConfigError, PusherError
from pusher.monday.client import MondayClient
from pusher.monday.operations import Op
from pusher.run.summary import Summary
from pusher.store.database import Database
from pusher.sync.run import Sync
from tests.pusher.harness import (
    FALL,
    SPRING,
    TOKEN,
    Env,
    item_row,
    item_values,
    outbox_workspace,
    subitem_row,
)
from tests.sandbox import SandboxServer
from tests.support.duck import stamp_mapping
from tests.support.paths import MONDAY_YML, PROFILES_EXAMPLE
from tests.support.sandbox_boards import BOARD, SUBBOARD, board_spec

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    '{"a": [1, 2], "b": "c"}',
    'she said "hi", then left',
    "line one\nline two\r\nline three",
    "emoji 🧵👗 and ünïcödé",
    "+1-234, -5, @sum(A1:A9)",
    "  leading and trailing spaces  ",
]


def _op(entity: str, key: str, name: str, values: dict[str, Any], parent: str | None = None) -> Op:
    return Op(entity, "create", key, item_name=name, column_values=json.dumps(values), parent_sync_key=parent)


ITEM_COLUMNS = (
    ColumnSpec("sync_key", "Sync key", "text"),
    ColumnSpec("order_status", "Order status", "status"),
    ColumnSpec("ex_factory", "Ex factory", "date"),
    ColumnSpec("order_type", "Order type", "dropdown"),
    ColumnSpec("price", "Price", "numbers"),
    ColumnSpec("notes", "Notes", "long_text"),
)
SUB_COLUMNS = (ColumnSpec("sync_key", "Sync key", "text"), ColumnSpec("qty", "Quantity", "numbers"))


# ------------------------------------------------------------------ the CSV
def test_import_text_per_column_type() -> None:
    assert import_text({"label": "IN PRODUCTION"}, "status") == "IN PRODUCTION"
    assert import_text({"date": "2026-06-15"}, "date") == "2026-06-15"
    assert import_text({"date": "2026-06-15", "time": "10:00:00"}, "date") == "2026-06-15"
    assert import_text({"labels": ["BULK", "REPEAT"]}, "dropdown") == "BULK, REPEAT"
    assert import_text("12.50", "numbers") == "12.50"
    assert import_text({"text": "a\nb"}, "long_text") == "a\nb"
    assert import_text(None, "text") == ""
    with pytest.raises(ValueError, match="no import text form"):
        import_text({"unexpected": 1}, "text")


def test_csv_header_rows_and_row_map() -> None:
    units = [
        Unit(
            _op("item", "k1", "AAG-1 / ST / NAVY", {"sync_key": "k1", "order_status": {"label": "OPEN"},
                                                   "ex_factory": {"date": "2026-06-15"}, "price": "12.5"}),
            [_op("subitem", "k1|S", "S", {"sync_key": "k1|S", "qty": "10"}, "k1"),
             _op("subitem", "k1|M", "M", {"sync_key": "k1|M", "qty": "20"}, "k1")],
        ),
        Unit(_op("item", "k2", "AAG-2", {"sync_key": "k2", "order_type": {"labels": ["BULK", "REPEAT"]}})),
    ]  # fmt: skip
    job = build_job(units, ITEM_COLUMNS, SUB_COLUMNS)
    assert job.text.endswith("\r\n") and "\r\n" in job.text
    rows = list(csv.reader(io.StringIO(job.text)))
    assert rows[0] == [
        "name", "sync_key", "order_status", "ex_factory", "order_type", "price", "notes",
        "name.subitem", "sync_key.subitem", "qty.subitem",
    ]  # fmt: skip
    assert rows[1] == ["AAG-1 / ST / NAVY", "k1", "OPEN", "2026-06-15", "", "12.5", "", "", "", ""]
    assert rows[2] == ["", "", "", "", "", "", "", "S", "k1|S", "10"]
    assert rows[4][0] == "AAG-2" and rows[4][4] == "BULK, REPEAT"
    # serialNo n (1-based data row) is job.rows[n - 1]
    assert [op.sync_key for op in job.rows] == ["k1", "k1|S", "k1|M", "k2"]
    assert (job.items, job.subitems) == (2, 2)


def test_csv_carries_hostile_text_exactly() -> None:
    units = [
        Unit(_op("item", f"k{i}", text, {"sync_key": f"k{i}", "notes": {"text": text}}))
        for i, text in enumerate(HOSTILE)
    ]
    job = build_job(units, ITEM_COLUMNS, SUB_COLUMNS)
    rows = list(csv.reader(io.StringIO(job.text, newline="")))
    assert [(r[0], r[6]) for r in rows[1:]] == [(t, t) for t in HOSTILE]
    assert job.text.encode("utf-8").decode("utf-8") == job.text
    assert "'=HYPERLINK" not in job.text  # no formula escaping: monday stores text


def test_a_job_never_splits_an_item_from_its_subitems() -> None:
    units = [
        Unit(_op("item", f"k{i}", "n", {}), [_op("subitem", f"k{i}|{s}", s, {}) for s in range(i % 4)])
        for i in range(40)
    ]
    total = sum(u.rows for u in units)
    chunks = split_units(units, 25)
    assert all(sum(u.rows for u in c) <= 25 for c in chunks)
    assert sum(u.rows for c in chunks for u in c) == total
    assert all(sum(u.rows for u in c) > 25 - 4 for c in chunks[:-1])  # full but for the largest unit
    assert [u for c in chunks for u in c] == units
    assert split_units([Unit(_op("item", "big", "n", {}), [_op("subitem", "x", "x", {})] * 30)], 25) == []


def test_report_lines_by_serial_number() -> None:
    report = (
        "serialNo,status,itemId,error,color1\r\n"
        "1,success,12559470820,,\r\n"
        '2,validation_error,,"[color1]: Label ""NotALabel"" is invalid",bad label\r\n'
    )
    lines = parse_report(report)
    assert lines[1].status == "success" and lines[1].item_id == "12559470820"
    assert lines[2].item_id is None and 'Label "NotALabel" is invalid' in (lines[2].error or "")
    assert "color1: bad label" in (lines[2].error or "")


# ------------------------------------------------------------ configuration
def _config(tmp_path: Path, bulk: dict[str, Any] | None) -> str:
    data = yaml.safe_load(MONDAY_YML.read_text(encoding="utf-8"))
    if bulk is not None:
        data["bulk"] = bulk
    path = tmp_path / "monday.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_bulk_settings_and_backfill_needs_the_operators_word(tmp_path: Path) -> None:
    env = {"MONDAY_API_URL": "http://127.0.0.1:9"}
    s = load_settings("X", config_file=_config(tmp_path, None), env=env)
    assert (s.bulk.mode, s.bulk.min_rows, s.bulk.poll_seconds) == ("auto", 500, 10.0)
    s = load_settings("X", config_file=_config(tmp_path, {"mode": "off", "min_rows": 50}), env=env)
    assert (s.bulk.mode, s.bulk.min_rows) == ("off", 50)
    assert (
        load_settings("X", config_file=_config(tmp_path, None), env=env, bulk_mode="ingest").bulk.mode
        == "ingest"
    )
    with pytest.raises(ConfigError, match="--initial-load"):
        load_settings("X", config_file=_config(tmp_path, None), env=env, bulk_mode="backfill")
    with pytest.raises(ConfigError, match="--initial-load"):
        load_settings("X", config_file=_config(tmp_path, {"mode": "backfill"}), env=env)
    s = load_settings(
        "X", config_file=_config(tmp_path, None), env=env, bulk_mode="backfill", initial_load=True
    )
    assert (s.bulk.mode, s.initial_load) == ("backfill", True)
    with pytest.raises(ConfigError, match="bulk"):
        load_settings("X", config_file=_config(tmp_path, {"mode": "sometimes"}), env=env)
    with pytest.raises(ConfigError, match="unknown key"):
        load_settings("X", config_file=_config(tmp_path, {"min_row": 5}), env=env)


def test_cli_refuses_backfill_without_initial_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a profile of its own: a fresh clone has no profiles.yml until `make` copies the example
    shutil.copy(PROFILES_EXAMPLE, tmp_path / "profiles.yml")
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.setenv("ORDER_SYNC_DUCKDB", str(tmp_path / "orders.duckdb"))
    duckdb.connect(str(tmp_path / "orders.duckdb")).close()
    code = main(["--customer", "X", "--config", _config(tmp_path, None), "--bulk", "backfill"])
    assert code == EXIT_CONFIG
    assert "--initial-load" in capsys.readouterr().out


# ------------------------------------------------------------- the sandbox
SIZES = ("S", "M", "L")


def keys(n: int, prefix: str = "a") -> list[str]:
    return [f"{prefix}{i:07d}-bbbb-cccc-dddd-{i:012d}" for i in range(n)]


def dbt_like_outbox(env: Env) -> None:
    """The outbox relations as views that drop a create once the log has its ``ok`` outcome, as
    dbt's views do: a rerun sees only what is left. Rows go into ``base_items`` / ``base_subitems``."""
    con = duckdb.connect(str(env.db_path))
    try:
        for view, base in (
            ("STG_MON_CustMasterSchedule", "base_items"),
            ("STG_MON_CustMasterSchedule_Subitems", "base_subitems"),
        ):
            con.execute(f"alter table main.{view} rename to {base}")
            entity = "item" if base == "base_items" else "subitem"
            con.execute(
                f"create view main.{view} as select * from main.{base} b where not exists (select 1 from "
                f"main.MON_PushLog l where l.entity = '{entity}' and l.sync_key = b.sync_key and "
                "l.phase = 'outcome' and l.status = 'ok' and (l.operation = b.operation or "
                "(b.operation = 'create' and l.operation = 'adopt')))"
            )
    finally:
        con.close()


def outbox(env: Env, items: list[dict[str, Any]], subitems: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
    con = duckdb.connect(str(env.db_path))
    try:
        for table, rows in (("base_items", items), ("base_subitems", subitems)):
            con.execute(f"delete from main.{table}")
            for row in rows:
                cols = list(row)
                con.execute(
                    f"insert into main.{table} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
                    [row[c] for c in cols],
                )
    finally:
        con.close()


def wave(env: Env, n: int, group: str = FALL, prefix: str = "a", **values: Any) -> list[str]:
    """``n`` new lines with three sizes each (4 rows a line) in the outbox."""
    ks = keys(n, prefix)
    outbox(
        env,
        [item_row(k, group=group, values=item_values(k, **values)) for k in ks],
        [subitem_row(k, s, 10 + i) for k in ks for i, s in enumerate(SIZES)],
    )
    return ks


def bulk_config(env: Env, **bulk: Any) -> None:
    path = env.tmp / "monday.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["bulk"] = {"min_rows": 20, "poll_seconds": 0.05, "max_wait_seconds": 20, **bulk}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def run(env: Env, **over: Any) -> Summary:
    """One pusher run that really sleeps (the sandbox processes jobs in time), briefly."""
    settings = env.settings(**over)
    db = Database(duckdb.connect(str(env.db_path)), "duckdb", "main")
    client = MondayClient(settings.api_url, settings.api_version, token=TOKEN, session=env.session)

    def sleep(seconds: float) -> None:
        env.sleeps.append(seconds)
        time.sleep(min(seconds, 0.2))

    try:
        summary = Sync(settings, db, client=client, sleep=sleep, out=env.output.append).run()
    finally:
        db.close()
    env.output.append(summary.render())
    return summary


@pytest.fixture
def env(env: Env) -> Env:
    """tests/pusher/conftest.py's, with a bulk section in monday.yml and an outbox as dbt makes it."""
    bulk_config(env)
    dbt_like_outbox(env)
    return env


def on_board(env: Env, board: str = BOARD) -> dict[str, dict[str, Any]]:
    items = env.items(board)
    found: dict[str, dict[str, Any]] = {}
    for it in items:
        key = it["column_values"].get("sync_key")
        assert key not in found, f"duplicate {key}"
        found[key] = it
    return found


def test_a_create_wave_goes_as_one_job_per_group_with_its_subitems(env: Env) -> None:
    fall, spring = keys(6, "f"), keys(5, "s")
    outbox(
        env,
        [item_row(k) for k in fall] + [item_row(k, group=SPRING) for k in spring],
        [subitem_row(k, s, 10 + i) for k in fall + spring for i, s in enumerate(SIZES)],
    )
    summary = run(env)
    assert summary.exit_code == EXIT_OK, summary.render()
    assert [(j["mode"], j["rows"], j["status"]) for j in summary.jobs] == [
        ("ingest", 24, "ok"),
        ("ingest", 20, "ok"),
    ]
    assert env.session.mutations("create_item(") == [] and env.session.mutations("create_subitem") == []
    items = on_board(env)
    assert set(items) == set(fall + spring)
    subs = on_board(env, SUBBOARD)
    assert len(subs) == 33 and all(
        s["parent_item_id"] == items[k.split("|")[0]]["id"] for k, s in subs.items()
    )
    log = env.log()
    jobs = [r for r in log if r["entity"] == "job"]
    assert [(r["phase"], r["status"], r["operation"]) for r in jobs].count(("outcome", "ok", "ingest")) == 2
    for job in (r for r in jobs if r["phase"] == "intent"):
        rows = [r for r in log if r["batch_id"] == job["sync_key"] and r["entity"] != "job"]
        assert {r["idempotency_key"] for r in rows} == {f"job:{job['sync_key']}"}
        assert all(r["phase"] == "intent" for r in rows[: len(rows) // 2])  # intents before outcomes
        assert json.loads(job["column_values"])["rows"] == len(rows) // 2
    ok = {
        r["sync_key"]: r
        for r in log
        if r["phase"] == "outcome" and r["status"] == "ok" and r["entity"] != "job"
    }
    assert {k: ok[k]["monday_id"] for k in fall + spring} == {k: items[k]["id"] for k in fall + spring}
    assert all(ok[k]["monday_group_id"] == items[k]["group_id"] for k in fall)
    assert {k: (ok[k]["monday_id"], ok[k]["monday_parent_id"]) for k in subs} == {
        k: (s["id"], s["parent_item_id"]) for k, s in subs.items()
    }
    assert "jobs      2 ingest (44 rows)" in summary.render()
    # a rerun finds nothing left to send
    env.session.sent.clear()
    again = run(env)
    assert again.exit_code == EXIT_OK and again.outbox_rows == 0 and env.session.sent == []


def test_a_group_too_large_for_one_job_goes_as_several_jobs(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group with more rows than a job takes (backfill 20,000, ingest 10,000; 40 here) is split
    into jobs of one board and group that differ only in their files: each must be a job of its
    own, every row created once, and each item logged with its own item's id."""
    monkeypatch.setattr(bulk_wave, "ROWS_PER_JOB", {"ingest": 40, "backfill": 40})
    ks = wave(env, 25)  # 100 rows: three jobs
    summary = run(env)
    assert summary.exit_code == EXIT_OK, summary.render()
    assert [(j["mode"], j["rows"], j["status"]) for j in summary.jobs] == [
        ("ingest", 36, "ok"),
        ("ingest", 36, "ok"),
        ("ingest", 28, "ok"),
    ]
    assert len({j["job_id"] for j in summary.jobs}) == 3
    # the three jobs are in flight together and a poll round asks about all of them in one request
    polls = [s["body"] for s in env.session.sent if "fetch_job_status(" in s["body"]["query"]]
    assert polls and sorted(polls[0]["variables"].values()) == sorted(j["job_id"] for j in summary.jobs)
    all_once(env, ks)
    items, subs = on_board(env), on_board(env, SUBBOARD)
    ok = {
        (r["entity"], r["sync_key"]): r
        for r in env.log()
        if r["phase"] == "outcome" and r["status"] == "ok" and r["entity"] != "job"
    }
    assert {k: ok["item", k]["monday_id"] for k in ks} == {k: it["id"] for k, it in items.items()}
    assert {k: (ok["subitem", k]["monday_id"], ok["subitem", k]["monday_parent_id"]) for k in subs} == {
        k: (s["id"], s["parent_item_id"]) for k, s in subs.items()
    }


def test_a_job_start_answered_with_a_job_of_this_run_fails_loudly(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """monday replaying an earlier start's answer (its job id and upload URL) for another file
    would tie that file's rows to the other job's report: the run stops before logging them; the
    next run finishes the load, each row once."""
    monkeypatch.setattr(bulk_wave, "ROWS_PER_JOB", {"ingest": 40, "backfill": 40})
    ks = wave(env, 25)
    with monkeypatch.context() as m:  # every start under one Idempotency-Key: monday replays the first
        m.setattr(bulk_jobs.uuid, "uuid4", lambda: "same")
        with pytest.raises(PusherError, match="this run's job"):
            run(env)
    assert run(env).exit_code == EXIT_OK
    all_once(env, ks)
    ok = {
        r["sync_key"]: r["monday_id"]
        for r in env.log()
        if r["entity"] == "item" and r["phase"] == "outcome" and r["status"] == "ok"
    }
    assert ok == {k: it["id"] for k, it in on_board(env).items()}


def test_a_small_wave_stays_mutations(env: Env) -> None:
    ks = keys(4)
    outbox(env, [item_row(k) for k in ks], [subitem_row(k, "S", 1) for k in ks])  # 8 rows < 20
    summary = run(env)
    assert summary.exit_code == EXIT_OK and summary.jobs == []
    assert len(env.session.mutations("create_item(")) == 1 and len(on_board(env)) == 4


def all_once(env: Env, ks: list[str]) -> None:
    """Every line once on the board with its three sizes once under it, nothing left to send."""
    items = on_board(env)
    assert set(items) == set(ks)
    subs = on_board(env, SUBBOARD)
    assert set(subs) == {f"{k}|{s}" for k in ks for s in SIZES}
    assert all(s["parent_item_id"] == items[k.split("|")[0]]["id"] for k, s in subs.items())
    left = env.sql("select count(*) from main.STG_MON_CustMasterSchedule")[0][0]
    left += env.sql("select count(*) from main.STG_MON_CustMasterSchedule_Subitems")[0][0]
    assert left == 0


def test_hostile_text_arrives_exactly(env: Env) -> None:
    """(Not leading or trailing spaces: the sandbox trims import cells, as we guess monday does.)"""
    hostile = [t for t in HOSTILE if t == t.strip()]
    ks = keys(len(hostile))
    rows = [
        item_row(k, values=item_values(k, style=text, notes={"text": text}), name=text[:200] or "x")
        for k, text in zip(ks, hostile, strict=True)
    ]
    outbox(env, rows, [subitem_row(k, s, 1) for k in ks for s in SIZES])
    summary = run(env)
    assert summary.exit_code == EXIT_OK and [j["status"] for j in summary.jobs] == ["ok"], summary.render()
    items = on_board(env)
    for k, text in zip(ks, hostile, strict=True):
        values = items[k]["column_values"]
        assert (items[k]["name"], values["style"], values["notes"]["text"]) == (text, text, text)


def test_rows_monday_refuses_are_errors_and_stay_in_the_outbox(env: Env) -> None:
    ks = wave(env, 6)
    bad = item_values(ks[2], ex_factory={"date": "2026-13-45"})
    outbox(
        env,
        [item_row(k, values=bad if k == ks[2] else None) for k in ks],
        [subitem_row(k, s, 10) for k in ks for s in SIZES],
    )
    summary = run(env)
    assert summary.exit_code == EXIT_ROWS_FAILED
    errors = {(e.entity, e.sync_key): e for e in summary.errors}
    assert errors[("item", ks[2])].code == "IMPORT_VALIDATION_ERROR"
    assert "2026-13-45" in (errors[("item", ks[2])].message or "")
    assert {k for e, k in errors if e == "subitem"} == {f"{ks[2]}|{s}" for s in SIZES}
    (err,) = env.sql(
        "select error_code from main.MON_PushLog where sync_key = ? and status = 'error'", [ks[2]]
    )
    assert err == ("IMPORT_VALIDATION_ERROR",)
    assert set(on_board(env)) == set(ks) - {ks[2]}
    left = env.sql("select sync_key from main.STG_MON_CustMasterSchedule")
    assert left == [(ks[2],)]


def test_a_label_the_board_lacks_goes_first_by_mutation_then_the_rest_by_job(env: Env) -> None:
    ks = keys(8)
    new_label = {"labels": ["FRESH LABEL"]}
    outbox(
        env,
        [
            item_row(k, values=item_values(k, order_type=new_label) if i % 2 else None)
            for i, k in enumerate(ks)
        ],
        [subitem_row(k, s, 10) for k in ks for s in SIZES],
    )
    summary = run(env)
    assert summary.exit_code == EXIT_OK, summary.render()
    (seed,) = env.session.mutations("create_item(")
    assert [json.loads(v).get("order_type") for n, v in seed["variables"].items() if n.startswith("cv")] == [
        new_label
    ]
    assert [(j["rows"], j["status"]) for j in summary.jobs] == [(28, "ok")]
    items = on_board(env)
    stored = [items[k]["column_values"]["order_type"] for k in ks[1::2]]  # the seed's and the job's alike
    assert stored == [stored[0]] * 4 and stored[0]
    all_once(env, ks)


# ------------------------------------------------------------------ failure reasons
def test_board_capacity_exceeded_holds_the_creates_back(env: Env) -> None:
    env.server.configure(max_items_per_board=10)  # monday's limit below what monday.yml says
    wave(env, 12)
    summary = run(env)
    assert summary.exit_code == EXIT_ROWS_FAILED
    assert [(j["status"], j["reason"]) for j in summary.jobs] == [("error", "BOARD_CAPACITY_EXCEEDED")]
    assert {e.code for e in summary.deferred} == {"BOARD_FULL"} and len(summary.deferred) == 12 + 36
    assert env.items() == [] and env.session.mutations("create_item(") == []


def test_account_capacity_exceeded_falls_back_to_mutations(env: Env) -> None:
    env.server.configure(ingest_items_per_hour=10)
    ks = wave(env, 6)
    summary = run(env)
    assert summary.exit_code == EXIT_OK, summary.render()
    assert [(j["status"], j["reason"]) for j in summary.jobs] == [("error", "ACCOUNT_CAPACITY_EXCEEDED")]
    assert len(env.session.mutations("create_item(")) == 1
    all_once(env, ks)


def test_account_capacity_exceeded_with_ingest_forced_stops_the_run(env: Env) -> None:
    env.server.configure(ingest_items_per_hour=10)
    ks = wave(env, 6)
    summary = run(env, bulk_mode="ingest")
    assert summary.exit_code == 3 and "hourly import budget" in (summary.stopped or "")
    assert env.items() == []
    env.server.configure(ingest_items_per_hour=19_000)
    assert run(env, bulk_mode="ingest").exit_code == EXIT_OK
    all_once(env, ks)


def test_an_unreadable_file_is_a_bug_and_fails_loudly(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ks = keys(6)
    outbox(env, [item_row(k, values=item_values(k, no_such_column="x")) for k in ks],
           [subitem_row(k, s, 1) for k in ks for s in SIZES])  # fmt: skip
    monkeypatch.setenv("TEST_ORDER_DB", str(env.db_path))
    monkeypatch.setenv("MONDAY_API_URL", env.server.url)
    monkeypatch.setenv("MONDAY_API_TOKEN", TOKEN)
    config, profiles = str(env.tmp / "monday.yml"), str(env.tmp)
    code = main(["--customer", "GREYSON CLOTHIERS", "--config", config, "--profiles-dir", profiles])
    out = capsys.readouterr().out
    assert code == EXIT_ROWS_FAILED and "InvalidUpload" in out and "no_such_column" in out
    assert env.items() == []


def test_job_start_quota_used_up_goes_by_mutation(env: Env) -> None:
    env.server.configure(import_starts_per_hour=1)
    fall, spring = wave(env, 6, prefix="f"), keys(6, "s")
    outbox(
        env,
        [item_row(k) for k in fall] + [item_row(k, group=SPRING) for k in spring],
        [subitem_row(k, s, 10 + i) for k in fall + spring for i, s in enumerate(SIZES)],
    )
    summary = run(env)
    assert summary.exit_code == EXIT_OK, summary.render()
    assert len(summary.jobs) == 1 and any("RATE_LIMIT_EXCEEDED" in n for n in summary.notes)
    assert len(env.session.mutations("create_item(")) == 1
    all_once(env, fall + spring)


def test_backfill_on_the_operators_word_and_its_refusal(tmp_path: Path) -> None:
    db_path = outbox_workspace(tmp_path)
    with SandboxServer(token=TOKEN, board_spec=board_spec(), admin_tokens=[]) as server:
        env = Env(tmp_path, server, db_path)
        bulk_config(env)
        dbt_like_outbox(env)
        ks = wave(env, 6)
        summary = run(env, bulk_mode="backfill", initial_load=True)
        assert summary.exit_code == EXIT_OK, summary.render()
        assert [(j["mode"], j["reason"]) for j in summary.jobs][0] == ("backfill", "PERMISSION_DENIED")
        assert any("admin" in n for n in summary.notes)
        all_once(env, ks)
    with SandboxServer(token=TOKEN, board_spec=board_spec()) as server:
        env = Env(tmp_path, server, db_path)
        env.sql("delete from main.MON_PushLog")
        summary = run(env, bulk_mode="backfill", initial_load=True)
        assert [(j["mode"], j["status"]) for j in summary.jobs] == [("backfill", "ok")], summary.render()
        all_once(env, ks)


# ------------------------------------------------------------ never duplicate, never lose
class Killed(BaseException):
    """What SIGKILL does to the process, in process: nothing after it runs."""


def kill_at(monkeypatch: pytest.MonkeyPatch, where: str, when: Any = None) -> None:
    real = getattr(bulk_jobs.JobApi, where)

    def dying(self: Any, *args: Any, **kw: Any) -> Any:
        result = real(self, *args, **kw)
        if when is None or when(result):
            raise Killed(where)
        return result

    monkeypatch.setattr(bulk_jobs.JobApi, where, dying)


def test_killed_after_the_job_started_before_the_upload(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    ks = wave(env, 6)
    with monkeypatch.context() as m:
        kill_at(m, "start")
        with pytest.raises(Killed):
            run(env)
    # no row was logged: the job got no file and creates nothing; the rerun starts a new one
    assert env.sql("select count(*) from main.MON_PushLog where entity <> 'group'") == [(0,)]
    assert run(env).exit_code == EXIT_OK
    all_once(env, ks)


def test_killed_after_the_upload(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    ks = wave(env, 6)
    with monkeypatch.context() as m:
        kill_at(m, "upload")
        with pytest.raises(Killed):
            run(env)
    assert env.sql("select phase, count(*) from main.MON_PushLog where entity = 'job' group by 1") == [
        ("intent", 1)
    ]
    env.session.sent.clear()
    summary = run(env)
    assert summary.exit_code == EXIT_OK, summary.render()
    assert env.session.mutations("create_item") == [] and env.session.mutations("ingest_items") == []
    all_once(env, ks)


def test_killed_while_the_job_processes(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.server.configure(import_rows_per_second=10)  # 24 rows: ~2.4 s
    ks = wave(env, 6)
    with monkeypatch.context() as m:
        kill_at(m, "import_statuses", lambda got: any(st and st.state == "PROCESSING" for st in got.values()))
        with pytest.raises(Killed):
            run(env)
    env.server.configure(import_rows_per_second=1000)
    summary = run(env)
    assert summary.exit_code == EXIT_OK, summary.render()
    assert summary.n("item", "create") == 6 and env.session.mutations("create_subitem") == []
    all_once(env, ks)


def test_killed_before_the_upload_reached_monday_then_the_url_expired(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job intent is logged, the file never arrived: the rerun leaves it alone while its upload
    URL lives (the rows are not sent twice), then takes the adoption path."""
    ks = wave(env, 6)
    from pusher.bulk import jobs as bulk_jobs

    monkeypatch.setattr(bulk_jobs.JobApi, "upload", lambda *a, **k: (_ for _ in ()).throw(Killed("upload")))
    with pytest.raises(Killed):
        run(env)
    monkeypatch.undo()
    bulk_config(env, max_wait_seconds=0.3)
    held = run(env)
    assert held.exit_code == EXIT_ROWS_FAILED and {e.code for e in held.deferred} == {"JOB_PENDING"}
    assert env.items() == []
    env.sql("update main.MON_PushLog set logged_at = logged_at - interval 11 minute")  # 11 minutes later
    summary = run(env)
    assert summary.exit_code == EXIT_OK, summary.render()
    assert env.sql(
        "select status, error_code from main.MON_PushLog where entity = 'job' and phase = 'outcome'"
    ) == [("unknown", "UPLOAD_EXPIRED")]
    all_once(env, ks)


def test_a_job_failing_half_way(env: Env) -> None:
    env.server.inject("job_fail_after", match="ingest_items", rows=9)
    ks = wave(env, 6)
    first = run(env)
    assert first.exit_code == EXIT_ROWS_FAILED
    assert [(j["status"], j["reason"]) for j in first.jobs] == [("error", "INTERNAL_ERROR")]
    assert first.n("item", "create") + first.n("subitem", "create") == 9
    assert run(env).exit_code == EXIT_OK
    all_once(env, ks)


# ------------------------------------------------------------------ removals
def test_a_large_archive_wave_goes_as_a_bulk_archive_job(env: Env) -> None:
    ks = wave(env, 25)
    assert run(env).exit_code == EXIT_OK
    ids = {k: it["id"] for k, it in on_board(env).items()}
    outbox(env, [item_row(k, "archive", confirmed=item_values(k), monday_item_id=ids[k]) for k in ks])
    env.session.sent.clear()
    summary = run(env, force=True)
    assert summary.exit_code == EXIT_OK, summary.render()
    assert [(j["mode"], j["rows"], j["status"]) for j in summary.jobs] == [("bulk_archive", 25, "ok")]
    assert env.session.mutations("archive_item(") == [] and summary.n("item", "archive") == 25
    assert {it["id"] for it in env.items(states=("archived",))} == set(ids.values())


def test_a_job_still_running_holds_its_rows_back_across_runs(env: Env) -> None:
    """A job that does not finish within bulk.max_wait_seconds: its rows are neither settled nor
    sent again (by this run or the next) while monday may still create them."""
    bulk_config(env, max_wait_seconds=0.3)
    env.server.inject("job_stall", match="ingest_items", rows=5)
    ks = wave(env, 6)
    for _ in range(2):
        summary = run(env)
        assert summary.exit_code == EXIT_ROWS_FAILED
        assert {(e.entity, e.code) for e in summary.deferred} == {
            ("item", "JOB_PENDING"),
            ("subitem", "JOB_PENDING"),
        }
        assert Counter(e.entity for e in summary.deferred) == {"item": len(ks), "subitem": 3 * len(ks)}
        assert [j["status"] for j in summary.jobs] == ["pending"]
    assert env.session.mutations("create_item(") == [] and env.session.mutations("create_subitem") == []
    assert env.sql("select count(*) from main.MON_PushLog where entity = 'job'") == [(1,)]  # its intent only


def test_a_poll_round_monday_refuses_whole_is_asked_job_by_job() -> None:
    """One job monday no longer knows must not hide the states of the others polled with it."""
    from types import SimpleNamespace

    from pusher.monday.client import Rejected, Response

    calls: list[list[str]] = []

    def call(request: Any) -> Response:
        ids = list(request.variables.values())
        calls.append(ids)
        if "gone" in ids:
            raise Rejected("INVALID_ARGUMENT", "Job gone not found")
        data = {f"j{i}": {"status": "COMPLETED", "report_url": f"https://r/{j}"} for i, j in enumerate(ids)}
        return Response(200, data, [], None)

    api = bulk_jobs.JobApi(SimpleNamespace(sender=SimpleNamespace(call=call)), 0.0)  # type: ignore[arg-type]
    got = api.import_statuses(["a", "gone", "b"])
    assert calls == [["a", "gone", "b"], ["a"], ["gone"], ["b"]]
    assert got["gone"] is None
    assert {k: (v.state, v.report_url) for k, v in got.items() if v} == {
        "a": ("COMPLETED", "https://r/a"),
        "b": ("COMPLETED", "https://r/b"),
    }


def test_each_board_made_on_demand_has_its_job_in_flight_before_the_next_board_is_made(env: Env) -> None:
    """issue 22: boards are made one at a time, each just before its own rows, so monday processes
    one board's file while the pusher makes the next board (not every board first, then jobs)."""
    bulk_config(env)
    path = env.tmp / "monday.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["boards"]["auto_create"] = True
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    stamp_mapping(env.db_path, path)  # dbt built from this file
    lines = {"Orders (3)": keys(6, "p"), "Orders (4)": keys(6, "q")}
    outbox(
        env,
        [item_row(k, board=(None, None, name)) for name, ks in lines.items() for k in ks],
        [subitem_row(k, s, 10 + i, board=(None, None, name))
         for name, ks in lines.items() for k in ks for i, s in enumerate(SIZES)],
    )  # fmt: skip
    summary = run(env)
    assert summary.exit_code == EXIT_OK, summary.render()
    sent = [s["body"]["query"] for s in env.session.sent]
    made = [i for i, q in enumerate(sent) if "create_board(" in q]
    started = [i for i, q in enumerate(sent) if "ingest_items(" in q]
    assert len(made) == 2 and len(started) == 2
    assert made[0] < started[0] < made[1] < started[1]
    boards = {r["sync_key"]: r["board_id"] for r in env.log("entity = 'board' and phase = 'outcome'")}
    for name, ks in lines.items():
        assert set(on_board(env, boards[name])) == set(ks)
