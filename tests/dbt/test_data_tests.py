"""The data tests in `dbt build` catch broken rows and say which rule broke and how often.

Every model's row rules are one row_invariants test (dbt_project/tests/generic/row_invariants.sql):
one scan for not_null / accepted_values / greater_than_zero, one GROUP BY per grain. Here a small
sample is built once, then a copy of its database is broken on purpose, one rule kind each: NULLs
and a repeated key in a table (int_order_lines_hashed), the same two seen through the outbox view
that reads it, an unaccepted entity in the push log (a row logged since the last build), a zero
limit in WARN_ORDERS_UNIFIED. `dbt test` must fail, and its output must name the model, the rule,
how many rows broke it and an example.
"""

from __future__ import annotations

import re
import shutil
from types import SimpleNamespace

import duckdb
import pytest

from tests.support.dbt import new_project
from tools.sample_orders import create


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    work = tmp_path_factory.mktemp("data_tests")
    clean = work / "clean.duckdb"
    create(clean, 300, seed=1, bad_rows=3)
    built = new_project(work, clean).build("--exclude", "resource_type:unit_test")
    assert built.returncode == 0, built.stdout[-6000:]

    db = work / "broken.duckdb"
    shutil.copy(clean, db)
    con = duckdb.connect(str(db))
    try:
        # lines the outbox creates, so the breaks show in the outbox view too
        outbox = "SELECT sync_key FROM main.STG_MON_CustMasterSchedule ORDER BY 1 LIMIT 3"
        uuids = [r[0] for r in con.execute(outbox).fetchall()]
        # two lines lose their item name; a third is there twice
        hashed = "main.int_order_lines_hashed"
        con.execute(f"UPDATE {hashed} SET item_name = NULL WHERE record_uuid IN (?, ?)", uuids[:2])
        con.execute(f"INSERT INTO {hashed} SELECT * FROM {hashed} WHERE record_uuid = ?", [uuids[2]])
        # the pusher logs an entity the models do not know
        con.execute(
            "INSERT INTO main.MON_PushLog"
            " (log_id, logged_at, run_id, entity, sync_key, operation, phase, status)"
            " VALUES ('log-x', TIMESTAMP '2026-01-01 10:00:00', 'r1', 'itm', 'k1', 'create', 'outcome', 'ok')"
        )
        # a cut value whose limit is 0
        con.execute(
            "INSERT INTO main.WARN_ORDERS_UNIFIED"
            " (record_uuid, column_name, monday_column, full_length, max_length, reason)"
            " VALUES ('w1', 'NOTES', 'notes', 10, 0, 'NOTES is too long')"
        )
    finally:
        con.close()
    # the push log's rules are tested on the rows each build folds (int_push_log_recent, issue 23)
    selected = [
        "int_order_lines_hashed",
        "STG_MON_CustMasterSchedule",
        "int_push_log_recent",
        "WARN_ORDERS_UNIFIED",
    ]
    tested = new_project(work, db).dbt("test", "--select", *selected, "--exclude", "resource_type:unit_test")
    return SimpleNamespace(work=work, clean=clean, uuids=uuids, proc=tested, out=tested.stdout)


def _reports(out: str, model: str) -> list[str]:
    return re.findall(rf"row_invariants_{model}: (.+)", out)


def test_broken_rows_fail_the_run_naming_each_test(broken: SimpleNamespace) -> None:
    assert broken.proc.returncode != 0
    failed = set(re.findall(r"Failure in test (\S+)", broken.out))
    assert failed == {
        "row_invariants_int_order_lines_hashed",
        "row_invariants_STG_MON_CustMasterSchedule",
        "row_invariants_int_push_log_recent",
        "row_invariants_WARN_ORDERS_UNIFIED",
    }, broken.out[-4000:]
    # one result per broken rule: NULL item names and a repeated key are two
    assert "Got 2 results" in broken.out


def test_null_is_reported_with_its_count_and_a_key(broken: SimpleNamespace) -> None:
    reports = _reports(broken.out, "int_order_lines_hashed")
    assert f"not_null(item_name) broken by 2 rows, e.g. key {broken.uuids[0]}" in reports, broken.out[-4000:]


def test_repeated_key_is_reported_with_its_count_and_the_key(broken: SimpleNamespace) -> None:
    # a one-column grain: counted in the row scan, its example looked up once the test fails
    reports = _reports(broken.out, "int_order_lines_hashed")
    assert f"unique(record_uuid) broken by 1 row, e.g. key {broken.uuids[2]}" in reports, broken.out[-4000:]
    assert len(reports) == 2  # the rules that hold are not reported


def test_outbox_view_reports_the_same_breaks_through_its_grain(broken: SimpleNamespace) -> None:
    # the row that repeats a (sync_key, operation) already seen is the one counted
    reports = _reports(broken.out, "STG_MON_CustMasterSchedule")
    assert sorted(reports) == sorted([
        f"not_null(item_name) broken by 2 rows, e.g. key {broken.uuids[0]} | create",
        f"unique(sync_key, operation) broken by 1 row, e.g. key {broken.uuids[2]} | create",
    ]), broken.out[-4000:]  # fmt: skip


def test_unaccepted_value_is_reported_with_the_value(broken: SimpleNamespace) -> None:
    assert _reports(broken.out, "int_push_log_recent") == [
        "accepted_values(entity: group, item, subitem, board, job) broken by 1 row, e.g. key log-x, value itm"
    ], broken.out[-4000:]


def test_zero_is_reported_by_greater_than_zero(broken: SimpleNamespace) -> None:
    assert _reports(broken.out, "WARN_ORDERS_UNIFIED") == [
        "greater_than_zero(max_length) broken by 1 row, e.g. key w1 | NOTES, value 0"
    ], broken.out[-4000:]


def test_clean_build_passes_every_row_invariants_test_silently(broken: SimpleNamespace) -> None:
    proc = new_project(broken.work, broken.clean).dbt("test", "--select", "test_name:row_invariants")
    assert proc.returncode == 0, proc.stdout[-4000:]
    passed = re.findall(r"PASS (row_invariants_\S+)", proc.stdout)
    assert len(passed) >= 15 and "broken by" not in proc.stdout
