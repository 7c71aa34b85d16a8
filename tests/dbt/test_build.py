"""The dbt half: generated macros, `dbt build` on DuckDB (data + unit tests), the outbox, the delta
against what the push log confirmed, and the SQL Server compile + T-SQL parse.

The payload hashes are recomputed here independently (hashlib, from the rendering documented in
dbt_project/macros/payload/payload_hash.sql; tests/dbt/payloads.py) from the raw source rows
(tests/support/source.py) and from the unit tests' fixtures, so the pinned golden values and the
SQL can't drift apart unnoticed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.dbt import payloads
from tests.dbt.payloads import snake
from tests.support.dbt import DbtProject, new_project
from tests.support.paths import DBT_PROJECT, MONDAY_YML, REPO
from tests.support.source import active_rows, positive_sizes
from tools import codegen
from tools.reference_layout import read_layout, size_columns
from tools.sample_orders import create, edit

MAPPING = yaml.safe_load(MONDAY_YML.read_text())


# --------------------------------------------------------------------------- reference payloads


def _blank_to_none(value: object) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    return str(value).strip()


def _value_text(column_type: str, value: object) -> str | None:
    """monday_value_text: the text inside the JSON (numbers as SQL renders them, dates ISO)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if column_type == "date" else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def item_payload(row: dict) -> tuple[str, str, str | None, str]:
    """(payload_hash, group_title, item_name, column_values) for a row keyed by staging names."""
    items = MAPPING["items"]
    columns = [items["sync_key"], *items["columns"]]
    season = _blank_to_none(row.get("customer_season")) or _blank_to_none(row.get("aag_season"))
    group = " ".join(x for x in (_blank_to_none(row.get("customer_name")), season) if x) or None
    parts = (_blank_to_none(row.get(snake(s))) for s in items["name_from"])
    name = " / ".join(p for p in parts if p) or None
    values = [str(row["record_uuid"])] + [
        _value_text(c["type"], row.get(snake(c["source"]))) for c in items["columns"]
    ]
    digest = payloads.payload_hash([payloads.signature("item", columns), group, name, *values])
    return digest, group, name, payloads.column_values(columns, values, "duckdb")


def subitem_hash(record_uuid: str, size: str, qty: int) -> str:
    subitems = MAPPING["subitems"]
    values = {"size": size, "qty": str(qty)}
    columns = [subitems["sync_key"], *subitems["columns"]]
    terms = [payloads.signature("subitem", columns), size, f"{record_uuid}|{size}"]
    return payloads.payload_hash(terms + [values[c["source"]] for c in subitems["columns"]])


# --------------------------------------------------------------------------- running dbt


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    work = tmp_path_factory.mktemp("dbt_build")
    project = new_project(work, work / "orders.duckdb")
    create(project.db, 300, seed=1, bad_rows=3)
    proc = project.build()
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-2000:]
    project.first_build = proc.stdout
    return project


def _staging_view(source_row: dict) -> dict:
    return {snake(k): v for k, v in source_row.items()} | {"record_uuid": str(source_row["record_uuid"])}


# --------------------------------------------------------------------------- (a) generated macros


def test_codegen_check_passes() -> None:
    proc = _run([sys.executable, "-m", "tools.codegen", "--check"])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_codegen_check_names_make_generate_when_stale(tmp_path: Path, monkeypatch, capsys) -> None:
    stale = tmp_path / "size_columns.sql"
    stale.write_text(codegen.SIZE_FILE.read_text().replace('"XS"', '"XS_RENAMED"'))
    monkeypatch.setattr(codegen, "SIZE_FILE", stale)
    assert codegen.main(["--check", "--from-reference"]) == 1
    err = capsys.readouterr().err
    assert "make generate" in err and "size_columns.sql" in err


def test_generated_macros_match_reference_and_mapping() -> None:
    sizes = [c.name for c in size_columns(read_layout())]
    text = codegen.SIZE_FILE.read_text()
    assert len(sizes) == 276
    assert re.findall(r'\{"name": "((?:[^"\\]|\\.)*)"', text) == sizes
    assert codegen.MAPPING_FILE.read_text() == codegen.render_mapping(codegen.mapping())


# --------------------------------------------------------------------------- (b) dbt build on DuckDB


def test_dbt_build_runs_data_and_unit_tests(built: DbtProject) -> None:
    summary = re.search(r"Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)", built.first_build)
    assert summary, built.first_build[-3000:]
    passed, _, errors, skipped = map(int, summary.groups())
    assert errors == 0 and skipped == 0
    results = json.loads((built.work / "target" / "run_results.json").read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 10 and all(r["status"] == "pass" for r in unit)
    assert passed > 60


def test_every_valid_active_line_has_one_create(built: DbtProject) -> None:
    expected = active_rows(built.db)
    rows = built.query(
        "SELECT sync_key, operation, change_reason, monday_item_id, payload_hash, group_title, item_name, "
        "column_values, confirmed_payload_hash FROM main.STG_MON_CustMasterSchedule"
    )
    assert len(rows) == len(expected) > 250
    assert {r[0] for r in rows} == set(expected)
    for sync_key, operation, reason, item_id, payload_hash, group, name, values, confirmed in rows:
        assert (operation, reason, item_id, confirmed) == ("create", "new", None, None)
        want_hash, want_group, want_name, want_values = item_payload(_staging_view(expected[sync_key]))
        assert (payload_hash, group, name) == (want_hash, want_group, want_name), sync_key
        assert json.loads(values) == json.loads(want_values)
        assert list(json.loads(values)) == [MAPPING["items"]["sync_key"]["id"]] + [
            c["id"] for c in MAPPING["items"]["columns"]
        ]


def test_every_positive_size_has_one_subitem_create(built: DbtProject) -> None:
    expected = {}
    for uuid, row in active_rows(built.db).items():
        for size, qty in positive_sizes(row).items():
            expected[f"{uuid}|{size}"] = (uuid, size, qty)
    rows = built.query(
        "SELECT sync_key, parent_sync_key, size, qty, operation, change_reason, monday_parent_item_id, "
        "item_name, column_values, payload_hash FROM main.STG_MON_CustMasterSchedule_Subitems"
    )
    assert len(rows) == len(expected) > 1000
    for sync_key, parent, size, qty, operation, reason, parent_id, name, values, payload_hash in rows:
        assert expected[sync_key] == (parent, size, qty)
        assert (operation, reason, parent_id, name) == ("create", "new", None, size)
        assert json.loads(values) == {"sync_key": sync_key, "size": size, "qty": str(qty)}
        assert payload_hash == subitem_hash(parent, size, qty)


def test_quarantined_rows_are_listed_with_reasons(built: DbtProject) -> None:
    rows = built.query('SELECT record_uuid, "AAG ORDER NUMBER", reason FROM main.QUAR_ORDERS_UNIFIED')
    reasons = sorted(r[2] for r in rows)
    assert reasons == [
        "AAG ORDER NUMBER is blank",
        "negative quantity -5 in size M",
        "non-numeric quantity 'N/A' in size OS",
    ]
    outbox = {r[0] for r in built.query("SELECT sync_key FROM main.STG_MON_CustMasterSchedule")}
    assert not outbox & {r[0] for r in rows}


def test_unit_test_golden_hashes_follow_the_documented_rendering() -> None:
    """The hex values pinned in the YAML unit tests, recomputed here from their fixtures."""
    spec = yaml.safe_load((DBT_PROJECT / "models/intermediate/_int_order_lines__models.yml").read_text())
    test = next(t for t in spec["unit_tests"] if t["name"].startswith("int_order_lines_hashed_golden"))
    given = test["given"][0]["rows"]
    expected = test["expect"]["rows"]
    computed = []
    for row in given:
        typed = dict(row)
        typed["customer_price"] = Decimal(str(row["customer_price"])).quantize(Decimal("0.01"))
        computed.append(item_payload(typed))
    assert [c[0] for c in computed] == [e["payload_hash"] for e in expected]
    assert [json.loads(c[3]) for c in computed] == [json.loads(e["column_values"]) for e in expected]
    assert len({e["payload_hash"] for e in expected}) == 3  # NULL, '' and 'N' differ

    spec = yaml.safe_load((DBT_PROJECT / "models/marts/outbox/_outbox__models.yml").read_text())
    test = next(t for t in spec["unit_tests"] if t["name"].endswith("Subitems_compared_by_value"))
    sent = [r for r in test["expect"]["rows"] if r["operation"] in ("create", "update")]
    assert len(sent) >= 3
    for want in sent:
        parent, size = want["sync_key"].split("|", 1)
        assert subitem_hash(parent, size, want["qty"]) == want["payload_hash"], want["sync_key"]


def test_delta_against_confirmed_state(built: DbtProject, tmp_path: Path, capsys) -> None:
    """Pusher oks empty the outbox without a rebuild; after source edits, exactly the edits come back."""
    project = new_project(tmp_path, tmp_path / "orders.duckdb")
    shutil.copy(built.db, project.db)
    con = duckdb.connect(str(project.db))
    ok = (
        "INSERT INTO main.MON_PushLog (log_id, logged_at, run_id, batch_id, customer_name, board_id, entity, "
        "sync_key, parent_sync_key, operation, phase, status, payload_hash, group_title, item_name, "
        "column_values, monday_id, monday_parent_id, monday_group_id, attempt) "
    )
    con.execute(
        ok + "SELECT uuid()::VARCHAR, now()::TIMESTAMP, 'run-1', 'batch-1', customer_name, '9001', 'item', "
        "sync_key, NULL, operation, 'outcome', 'ok', payload_hash, group_title, item_name, column_values, "
        "(100000 + row_number() OVER (ORDER BY sync_key))::VARCHAR, NULL, 'group-' || md5(group_title), 1 "
        "FROM main.STG_MON_CustMasterSchedule"
    )
    # The outbox is a view: the logged oks take the items out and give subitems their parent ids.
    assert con.execute("SELECT count(*) FROM main.STG_MON_CustMasterSchedule").fetchone()[0] == 0
    pending = con.execute(
        "SELECT count(*), count(monday_parent_item_id) FROM main.STG_MON_CustMasterSchedule_Subitems"
    ).fetchone()
    assert pending[0] == pending[1] > 1000
    con.execute(
        ok + "SELECT uuid()::VARCHAR, now()::TIMESTAMP, 'run-1', 'batch-2', customer_name, '9001', "
        "'subitem', sync_key, parent_sync_key, operation, 'outcome', 'ok', payload_hash, NULL, item_name, "
        "column_values, "
        "(500000 + row_number() OVER (ORDER BY sync_key))::VARCHAR, monday_parent_item_id, NULL, 1 "
        "FROM main.STG_MON_CustMasterSchedule_Subitems"
    )
    assert con.execute("SELECT count(*) FROM main.STG_MON_CustMasterSchedule_Subitems").fetchone()[0] == 0
    # Two more confirmed lines: one vanishes from the source, one turns bad (quarantined, kept as is).
    extra = con.execute(
        "SELECT sync_key FROM main.MON_CustMasterSchedule ORDER BY sync_key LIMIT 2"
    ).fetchall()
    con.close()

    edit(project.db)
    edits = dict(
        (m.group(2), m.group(3))
        for m in re.finditer(r"^(\S+) ([0-9a-f-]{36}): (.+)$", capsys.readouterr().out, re.M)
    )
    assert len(edits) == 4
    vanished, quarantined = (r[0] for r in extra)
    assert not {vanished, quarantined} & set(edits)
    con = duckdb.connect(str(project.db))
    con.execute("DELETE FROM dbo.ORDERS_UNIFIED WHERE record_uuid = ?::UUID", [vanished])
    con.execute("UPDATE dbo.ORDERS_UNIFIED SET \"OS\" = 'N/A' WHERE record_uuid = ?::UUID", [quarantined])
    con.close()

    proc = project.build("--exclude", "resource_type:unit_test")
    assert proc.returncode == 0, proc.stdout[-8000:]

    by_what = {what: uuid for uuid, what in edits.items()}
    items = {
        (r[0], r[1], r[2])
        for r in project.query(
            "SELECT sync_key, operation, change_reason FROM main.STG_MON_CustMasterSchedule"
        )
    }
    # Changed sizes change the line's TOTAL_QTY too, so those two lines are item updates as well.
    assert items == {
        (by_what["line cancelled"], "archive", "cancelled"),
        (by_what["customer season blanked (falls back to AAG SEASON)"], "update", "changed"),
        (by_what["sizes M and L increased"], "update", "changed"),
        (by_what["size L zeroed"], "update", "changed"),
        (vanished, "archive", "vanished"),
    }
    moved = project.query(
        "SELECT sync_key FROM main.STG_MON_CustMasterSchedule "
        "WHERE operation = 'update' AND group_title <> confirmed_group_title"
    )
    assert moved == [(by_what["customer season blanked (falls back to AAG SEASON)"],)]
    subitems = {
        (r[0], r[1], r[2])
        for r in project.query(
            "SELECT sync_key, operation, change_reason FROM main.STG_MON_CustMasterSchedule_Subitems"
        )
    }
    grown, zeroed = by_what["sizes M and L increased"], by_what["size L zeroed"]
    assert subitems == {
        (f"{grown}|M", "update", "changed"),
        (f"{grown}|L", "update", "changed"),
        (f"{zeroed}|L", "delete", "size_zeroed"),
    }
    assert project.query(
        f"SELECT reason FROM main.QUAR_ORDERS_UNIFIED WHERE record_uuid = '{quarantined}'"
    ) == [("non-numeric quantity 'N/A' in size OS",)]


def test_upgrade_from_hashed_subitems_sends_no_update_wave(built: DbtProject, tmp_path: Path) -> None:
    """A deployment whose push log was written before subitems were compared by value (the old
    outbox's column_values and payload_hash, rendered here as that code wrote them) sees an empty
    subitem outbox; a quantity changed since then still comes back as exactly one update."""
    project = new_project(tmp_path, tmp_path / "orders.duckdb")
    shutil.copy(built.db, project.db)
    columns = (
        "log_id, logged_at, run_id, batch_id, customer_name, board_id, entity, sync_key, parent_sync_key, "
        "operation, phase, status, payload_hash, group_title, item_name, column_values, monday_id, "
        "monday_parent_id, monday_group_id, attempt"
    )
    con = duckdb.connect(str(project.db))
    con.execute(
        f"INSERT INTO main.MON_PushLog ({columns}) SELECT uuid()::VARCHAR, now()::TIMESTAMP, 'old', 'b1', "
        "customer_name, '9001', 'item', sync_key, NULL, operation, 'outcome', 'ok', payload_hash, "
        "group_title, item_name, column_values, (100000 + row_number() OVER (ORDER BY sync_key))::VARCHAR, "
        "NULL, 'g1', 1 FROM main.STG_MON_CustMasterSchedule"
    )
    parent_ids = dict(
        con.execute("SELECT sync_key, monday_item_id FROM main.MON_CustMasterSchedule").fetchall()
    )
    sizes = con.execute(
        "SELECT s.record_uuid, s.size, s.qty, p.customer_name FROM main.int_order_sizes_unpivoted s "
        "JOIN main.int_order_lines_placed p USING (record_uuid)"
    ).fetchall()
    rows = []
    for n, (uuid, size, qty, customer) in enumerate(sorted(sizes)):
        old_values = json.dumps(
            {"sync_key": f"{uuid}|{size}", "size": size, "qty": str(qty)}, separators=(",", ":")
        )
        rows.append(
            (customer, f"{uuid}|{size}", uuid, subitem_hash(uuid, size, qty), size, old_values,
             str(500000 + n), parent_ids[uuid])
        )  # fmt: skip
    con.executemany(
        f"INSERT INTO main.MON_PushLog ({columns}) VALUES (uuid()::VARCHAR, now()::TIMESTAMP, 'old', 'b2', "
        "?, '9001', 'subitem', ?, ?, 'create', 'outcome', 'ok', ?, NULL, ?, ?, ?, ?, NULL, 1)",
        rows,
    )
    assert len(rows) > 1000
    assert con.execute("SELECT count(*) FROM main.STG_MON_CustMasterSchedule_Subitems").fetchone() == (0,)
    uuid, size, qty = next((r[0], r[1], r[2]) for r in sorted(sizes) if "/" in r[1] or r[2] > 1)
    con.execute(f'UPDATE dbo.ORDERS_UNIFIED SET "{size}" = ? WHERE record_uuid = ?::UUID', [qty + 1, uuid])
    con.close()
    proc = project.build("--exclude", "resource_type:unit_test")
    assert proc.returncode == 0, proc.stdout[-8000:]
    assert project.query(
        "SELECT sync_key, operation, change_reason, qty, confirmed_payload_hash, payload_hash "
        "FROM main.STG_MON_CustMasterSchedule_Subitems"
    ) == [
        (f"{uuid}|{size}", "update", "changed", qty + 1, subitem_hash(uuid, size, qty),
         subitem_hash(uuid, size, qty + 1))
    ]  # fmt: skip


# --------------------------------------------------------------------------- (c, d) SQL Server


def test_sqlserver_compile_parses_as_tsql() -> None:
    proc = _run([sys.executable, "-m", "tools.compile_sqlserver"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all clean" in proc.stdout


def test_sqlserver_check_catches_duckdbisms(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (project / "models" / "bad_limit.sql").write_text(
        "select record_uuid from {{ ref('int_order_lines_valid') }} order by record_uuid limit 1\n"
    )
    (project / "models" / "bad_concat.sql").write_text(
        "select record_uuid || '|' || size as sync_key from {{ ref('int_order_sizes_unpivoted') }}\n"
    )
    proc = _run([sys.executable, "-m", "tools.compile_sqlserver", "--project-dir", str(project)])
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "bad_limit.sql" in out and "limit 1" in out
    assert "bad_concat.sql" in out and "|| '|'" in out
    assert "2 with problems" in out
