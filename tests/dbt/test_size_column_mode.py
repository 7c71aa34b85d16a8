"""`sizes: column` routes (docs/CONTRACT.md, "At scale"): the size curve in one item column.

A small DuckDB with sample orders is built with a monday.yml whose GREYSON CLOTHIERS route says
`sizes: column` (passed as the dbt var order_sync_mapping, as `python -m tools.codegen --config X
--print-vars` prints it); every other customer keeps subitems. Checked on the outbox a user sees:
no subitem rows for column-mode lines, the curve text in their column_values (computed here from
the raw ORDERS_UNIFIED sizes), subitems-mode lines exactly as without the mode, and a changed
size coming back as exactly one item update whose only changed key is the curve. Golden values
for one column-mode line on both engines live in tests/golden/payloads.yml (size_curve_items).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
import yaml

from tests.dbt import payloads
from tests.dbt.payloads import snake
from tests.support.dbt import dbt, mapping_vars
from tests.support.duck import sql as query
from tests.support.paths import DBT_PROJECT, GOLDEN, MONDAY_YML
from tests.support.source import positive_sizes, source_rows
from tools.compile_sqlserver import _problems
from tools.sample_orders import create

COLUMN_CUSTOMER = "GREYSON CLOTHIERS"
CURVE = {"id": "size_curve", "title": "Sizes", "type": "long_text"}
MODELS = ("int_order_size_curves", "int_order_lines_hashed", "STG_MON_CustMasterSchedule_Subitems")


# --------------------------------------------------------------------------- the mapping and dbt


def column_mode_config(path: Path) -> dict:
    """monday.yml with COLUMN_CUSTOMER on its own fixed board in column mode, written to path."""
    doc = yaml.safe_load(MONDAY_YML.read_text())
    doc["boards"]["customers"] = {COLUMN_CUSTOMER: {"board_id": "9101", "sizes": "column"}}
    doc["items"]["size_curve"] = CURVE
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return doc


def _dbt(
    *args: str, work: Path, target: str = "duckdb", db: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """dbt on work (its own target-<target>/ for each target); the DuckDB file db, else a scratch one."""
    db = db or work / "compile.duckdb"
    return dbt(*args, work=work, db=db, target=target, target_path=work / f"target-{target}", check=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    work = tmp_path_factory.mktemp("size_column_mode")
    config = work / "monday.yml"
    doc = column_mode_config(config)
    dbt_vars = mapping_vars(config)
    db = work / "orders.duckdb"
    create(db, 200, seed=7, bad_rows=0)
    proc = _dbt("build", "--vars", dbt_vars, work=work, db=db)
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-2000:]
    return SimpleNamespace(work=work, db=db, vars=dbt_vars, mapping=doc)


# --------------------------------------------------------------------------- expected values in Python


def expected_curves(db: Path) -> dict[str, str | None]:
    """record_uuid -> 'S 12 · M 24' from the raw source sizes, for the column-mode customer."""
    rows = source_rows(db, 'WHERE upper(trim("CUSTOMER NAME")) = ?', [COLUMN_CUSTOMER])
    curves = (" · ".join(f"{size} {qty}" for size, qty in positive_sizes(row).items()) for row in rows)
    return {str(row["record_uuid"]): curve or None for row, curve in zip(rows, curves, strict=True)}


def render_item(
    mapping: dict, line: dict, engine: str, curve: str | None = None, column_mode: bool = True
) -> tuple[str, str]:
    """(payload_hash, column_values) from a line's int_order_lines_valid values as monday reads
    them (text), by the rendering documented in macros/payload/payload_hash.sql; in column mode
    the curve is one more column, the last (macros/payload/size_curve.sql)."""
    items = mapping["items"]
    columns = [items["sync_key"], *items["columns"], *([CURVE] if column_mode else [])]
    season = next((s.strip() for s in (line["customer_season"], line["aag_season"]) if s and s.strip()), None)
    group = " ".join(x for x in (line["customer_name"].strip(), season) if x)
    name = " / ".join(p.strip() for p in (line[snake(s)] for s in items["name_from"]) if p and p.strip())
    values = [line["record_uuid"], *(line[snake(c["source"])] for c in items["columns"])]
    values += [curve] if column_mode else []
    terms = [payloads.signature("item", columns), group, name, *values]
    return payloads.payload_hash(terms, engine), payloads.column_values(columns, values, engine)


def valid_lines(db: Path, mapping: dict) -> list[dict]:
    """int_order_lines_valid with every mapped value as the text monday reads (dates ISO)."""
    columns = {snake(c["source"]): c["type"] for c in mapping["items"]["columns"]}
    columns |= {snake(s): "text" for s in mapping["items"]["name_from"]}
    columns |= {
        "record_uuid": "text",
        "customer_name": "text",
        "customer_season": "text",
        "aag_season": "text",
    }
    select = ", ".join(
        f"strftime({c}, '%Y-%m-%d')" if t == "date" else f"cast({c} as varchar)" for c, t in columns.items()
    )
    with duckdb.connect(str(db)) as con:
        rows = con.execute(f"SELECT {select} FROM main.int_order_lines_valid").fetchall()
    return [dict(zip(columns, r, strict=True)) for r in rows]


# --------------------------------------------------------------------------- the outbox


def test_column_mode_lines_get_no_subitems_and_others_keep_theirs(built: SimpleNamespace) -> None:
    curves = expected_curves(built.db)
    assert len(curves) > 10 and any(curves.values())
    per_mode = dict(
        query(
            built.db,
            "SELECT upper(trim(i.customer_name)) = ?, count(*) "
            "FROM main.STG_MON_CustMasterSchedule_Subitems s JOIN main.int_order_lines_hashed i "
            "ON i.record_uuid = s.parent_sync_key GROUP BY 1",
            [COLUMN_CUSTOMER],
        )
    )
    assert per_mode.get(True, 0) == 0
    assert per_mode[False] > 100
    # The unpivot keeps the column-mode lines' sizes (their curve is made from them); only the
    # subitem outbox leaves them out.
    unpivoted = query(
        built.db,
        "SELECT count(*) FROM main.int_order_sizes_unpivoted WHERE record_uuid IN "
        "(SELECT record_uuid FROM main.int_order_lines_valid WHERE upper(trim(customer_name)) = ?)",
        [COLUMN_CUSTOMER],
    )
    assert unpivoted[0][0] > 10


def test_column_values_carry_the_curve_only_for_column_mode_lines(built: SimpleNamespace) -> None:
    curves = expected_curves(built.db)
    rows = query(
        built.db, "SELECT sync_key, customer_name, column_values FROM main.STG_MON_CustMasterSchedule"
    )
    assert {r[1] for r in rows} > {COLUMN_CUSTOMER}
    checked = 0
    for sync_key, customer, column_values in rows:
        values = json.loads(column_values)
        if customer.strip().upper() == COLUMN_CUSTOMER:
            want = curves[sync_key]
            assert values["size_curve"] == (None if want is None else {"text": want}), sync_key
            assert list(values)[-1] == "size_curve"
            checked += 1
        else:
            assert "size_curve" not in values
    assert checked == sum(1 for c in query(built.db, "SELECT 1 FROM main.STG_MON_CustMasterSchedule "
                                           "WHERE customer_name = ?", [COLUMN_CUSTOMER]))  # fmt: skip


def test_hashes_follow_the_documented_rendering_in_both_modes(built: SimpleNamespace) -> None:
    """Column-mode lines hash the curve as one more column; subitems lines hash as without the mode."""
    curves = expected_curves(built.db)
    got = dict(query(built.db, "SELECT record_uuid, payload_hash FROM main.int_order_lines_hashed"))
    lines = valid_lines(built.db, built.mapping)
    modes = {True: 0, False: 0}
    for line in lines:
        column_mode = line["customer_name"].strip().upper() == COLUMN_CUSTOMER
        curve = curves.get(line["record_uuid"])
        want, _ = render_item(built.mapping, line, "duckdb", curve, column_mode=column_mode)
        assert got[line["record_uuid"]] == want, line["record_uuid"]
        modes[column_mode] += 1
    assert modes[True] > 10 and modes[False] > 100


OK_ROW = (
    "INSERT INTO main.MON_PushLog (log_id, logged_at, run_id, batch_id, customer_name, board_id, entity, "
    "sync_key, parent_sync_key, operation, phase, status, payload_hash, group_title, item_name, "
    "column_values, monday_id, monday_parent_id, monday_group_id, attempt) "
)


def confirm_everything(db: Path) -> None:
    """What the pusher logs after monday said ok to every outbox row (items, then subitems)."""
    with duckdb.connect(str(db)) as con:
        con.execute(
            OK_ROW + "SELECT uuid()::VARCHAR, now()::TIMESTAMP, 'run-1', 'batch-1', customer_name, "
            "coalesce(board_id, '9001'), 'item', sync_key, NULL, operation, 'outcome', 'ok', payload_hash, "
            "group_title, item_name, column_values, "
            "(100000 + row_number() OVER (ORDER BY sync_key))::VARCHAR, NULL, "
            "'group-' || md5(group_title), 1 FROM main.STG_MON_CustMasterSchedule"
        )
        con.execute(
            OK_ROW + "SELECT uuid()::VARCHAR, now()::TIMESTAMP, 'run-1', 'batch-2', customer_name, "
            "coalesce(board_id, '9001'), 'subitem', sync_key, parent_sync_key, operation, 'outcome', 'ok', "
            "payload_hash, NULL, item_name, column_values, "
            "(500000 + row_number() OVER (ORDER BY sync_key))::VARCHAR, monday_parent_item_id, NULL, 1 "
            "FROM main.STG_MON_CustMasterSchedule_Subitems"
        )


def test_a_changed_size_is_one_item_update_of_the_curve(built: SimpleNamespace, tmp_path: Path) -> None:
    db = tmp_path / "orders.duckdb"
    shutil.copy(built.db, db)
    confirm_everything(db)
    pending = "SELECT (SELECT count(*) FROM main.STG_MON_CustMasterSchedule), "
    pending += "(SELECT count(*) FROM main.STG_MON_CustMasterSchedule_Subitems)"
    assert query(db, pending) == [(0, 0)]

    before = expected_curves(db)
    line, curve = next((k, v) for k, v in sorted(before.items()) if v and " · " in v)
    size, qty = curve.split(" · ")[1].rsplit(" ", 1)  # the line's second size
    with duckdb.connect(str(db)) as con:
        con.execute(
            f'UPDATE dbo."ORDERS_UNIFIED" SET "{size}" = ? WHERE record_uuid = ?::UUID', [int(qty) + 5, line]
        )
    proc = _dbt("build", "--vars", built.vars, "--exclude", "resource_type:unit_test", work=tmp_path, db=db)
    assert proc.returncode == 0, proc.stdout[-8000:]

    items = query(
        db,
        "SELECT sync_key, operation, change_reason, column_values, confirmed_column_values "
        "FROM main.STG_MON_CustMasterSchedule",
    )
    assert [r[:3] for r in items] == [(line, "update", "changed")]
    new, old = json.loads(items[0][3]), json.loads(items[0][4])
    assert {k for k in new if new[k] != old.get(k)} == {"size_curve"}
    assert new["size_curve"] == {"text": curve.replace(f"{size} {qty}", f"{size} {int(qty) + 5}")}
    assert query(db, "SELECT count(*) FROM main.STG_MON_CustMasterSchedule_Subitems") == [(0,)]


# --------------------------------------------------------------------------- golden values, both engines


def _compiled(work: Path, target: str, name: str) -> str:
    return next((work / f"target-{target}" / "compiled").rglob(f"models/intermediate/{name}.sql")).read_text()


@pytest.fixture(scope="module")
def sqlserver_compiled(built: SimpleNamespace) -> Path:
    """The three models compiled for SQL Server (offline) with the column route."""
    dbt_vars = json.loads(built.vars) | {"offline_compile": True}
    proc = _dbt(
        "compile", "--target", "sqlserver", "--no-populate-cache", "--no-partial-parse",
        "--vars", json.dumps(dbt_vars), "--select", *MODELS, work=built.work, target="sqlserver",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return built.work


def test_golden_column_mode_values_follow_the_rendering() -> None:
    mapping = yaml.safe_load(MONDAY_YML.read_text())
    cases = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))["size_curve_items"]
    for case in cases:
        line = {k: None if v is None else str(v) for k, v in case["row"].items()}
        for engine in ("duckdb", "sqlserver"):
            want = case["expect"][engine]
            got = render_item(mapping, line, engine, case["size_curve"])
            assert got == (want["payload_hash"], want["column_values"]), case["name"]


def test_duckdb_model_gives_the_golden_column_mode_values(built: SimpleNamespace) -> None:
    from tests.dbt.test_tsql_golden import TABLE_COLUMNS

    sql = _compiled(built.work, "duckdb", "int_order_lines_hashed")
    cases = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))["size_curve_items"]
    with duckdb.connect(":memory:") as con:
        con.execute(f"CREATE TABLE golden_lines ({', '.join(f'{c} {t}' for c, t in TABLE_COLUMNS.items())})")
        con.execute("CREATE TABLE golden_curves (record_uuid varchar, size_curve varchar)")
        for case in cases:
            row = case["row"]
            con.execute(
                f"INSERT INTO golden_lines VALUES ({', '.join('?' for _ in TABLE_COLUMNS)})",
                [row.get(c) for c in TABLE_COLUMNS],
            )
            con.execute("INSERT INTO golden_curves VALUES (?, ?)", [row["record_uuid"], case["size_curve"]])
        for model, table in (
            ("int_order_lines_valid", "golden_lines"),
            ("int_order_size_curves", "golden_curves"),
        ):
            relation = re.search(rf'\S*"{model}"', sql)
            assert relation, model
            sql = sql.replace(relation.group(0), table)
        got = con.execute(f"SELECT payload_hash, column_values FROM ({sql}) ORDER BY record_uuid").fetchall()
    want = [(c["expect"]["duckdb"]["payload_hash"], c["expect"]["duckdb"]["column_values"]) for c in cases]
    assert got == want


def test_sqlserver_column_mode_compiles_to_tsql(sqlserver_compiled: Path) -> None:
    for name in MODELS:
        path = next((sqlserver_compiled / "target-sqlserver" / "compiled").rglob(f"{name}.sql"))
        assert _problems(str(path)) == [], name
    curves = _compiled(sqlserver_compiled, "sqlserver", "int_order_size_curves").lower()
    assert "string_agg(" in curves and "within group (order by size_order.size_ordinal)" in curves
    assert "n' · '" in curves  # the separator as a Unicode literal
    hashed = _compiled(sqlserver_compiled, "sqlserver", "int_order_lines_hashed").lower()
    # Two hash expressions, one per mode: a subitems line's hash does not get a term added.
    assert hashed.count("hashbytes('sha2_256'") == 2
    assert "n'item;sync_key:text;" in hashed and ";notes:long_text;size_curve:long_text'" in hashed


def test_without_a_column_route_the_hashed_lines_do_not_read_the_curves(
    built: SimpleNamespace, tmp_path: Path
) -> None:
    proc = _dbt("compile", "--select", "int_order_lines_hashed", work=tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "int_order_size_curves" not in _compiled(tmp_path, "duckdb", "int_order_lines_hashed")
    assert "int_order_size_curves" in _compiled(built.work, "duckdb", "int_order_lines_hashed")


def test_unit_test_pinned_hashes_follow_the_rendering() -> None:
    """The hex values pinned in the column-mode YAML unit test, recomputed from its fixtures."""
    spec = yaml.safe_load((DBT_PROJECT / "models/intermediate/_int_order_lines__models.yml").read_text())
    test = next(t for t in spec["unit_tests"] if t["name"] == "int_order_lines_hashed_size_curve_column_mode")
    lines, curves_sql = (g["rows"] for g in test["given"])
    with duckdb.connect(":memory:") as con:
        curves = dict(con.execute(curves_sql).fetchall())
    mapping = yaml.safe_load(MONDAY_YML.read_text())
    for row, want in zip(lines, test["expect"]["rows"], strict=True):
        line = {snake(c["source"]): None for c in mapping["items"]["columns"]} | row
        line = {k: None if v is None else str(v) for k, v in line.items()}
        line["customer_price"] = f"{float(row['customer_price']):.2f}"
        column_mode = line["record_uuid"] in curves
        got = render_item(mapping, line, "duckdb", curves.get(line["record_uuid"]), column_mode=column_mode)
        assert got == (want["payload_hash"], want["column_values"]), line["record_uuid"]
