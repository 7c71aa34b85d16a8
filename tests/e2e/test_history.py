"""History from the push log: the README's query ("History: what changed, when") over
MON_CustMasterSchedule_History, run on a DuckDB file after two syncs with a planner's change in
between (dbt build, push, change source lines, dbt build, push), then a rebuild and push with no
change. Uses the operations fixtures (tests/e2e/test_operations.py): the 40-line sample, built once,
and the monday sandbox.
"""

from __future__ import annotations

import duckdb

from pusher.errors import EXIT_OK
from tests.e2e import test_operations
from tests.e2e.test_operations import Ops, _dbt
from tests.support.paths import REPO

HISTORY = "main.MON_CustMasterSchedule_History"
# The operations fixtures, shared rather than copied: the sample built once, the sandbox per test.
built = test_operations.built
ops = test_operations.ops


def readme_history_query() -> str:
    """The SQL block of the README section "History: what changed, when"."""
    section = (REPO / "README.md").read_text().split("### History: what changed, when")[1]
    section = section.split("\n### ")[0]
    return section.split("```sql")[1].split("```")[0]


def test_readme_history_query_shows_each_change_with_values_before_and_after(ops: Ops) -> None:
    query = readme_history_query()
    assert ops.run("--all-customers")[0] == EXIT_OK
    live = sorted(r[0] for r in ops.sql("select sync_key from main.MON_CustMasterSchedule"))
    first = ops.sql(f"select sync_key, is_current, operation from {HISTORY} order by 1")
    assert [r[0] for r in first] == live and all(r[1:] == (True, "create") for r in first)
    assert ops.sql(query) == []  # created, nothing changed yet
    assert (
        ops.sql(
            f"select * from {HISTORY} where sync_key in (select record_uuid from main.QUAR_ORDERS_UNIFIED)"
        )
        == []
    )

    edited, vanished = live[:3], live[3]
    with duckdb.connect(str(ops.db)) as con:  # a planner edits three lines; one leaves the ERP
        con.execute(
            "update dbo.ORDERS_UNIFIED set \"NOTES\" = 'moved to next week' "
            "where record_uuid::varchar in (?, ?, ?)",
            edited,
        )
        con.execute("delete from dbo.ORDERS_UNIFIED where record_uuid::varchar = ?", [vanished])
    _dbt(ops.tmp, "build")
    assert ops.run("--all-customers")[0] == EXIT_OK

    changed = ops.sql(query)
    assert sorted(r[0] for r in changed) == edited
    for _key, _customer, _name, _at, hash_before, hash_after, before, after in changed:
        assert hash_before != hash_after
        assert "moved to next week" in after and "moved to next week" not in before
    assert [r[3] for r in changed] == sorted((r[3] for r in changed), reverse=True)  # newest first
    closed = dict(ops.sql(f"select sync_key, closed_by from {HISTORY} where not is_current"))
    assert closed == {**dict.fromkeys(edited, "update"), vanished: "archive"}
    current = sorted(r[0] for r in ops.sql(f"select sync_key from {HISTORY} where is_current"))
    assert current == [k for k in live if k != vanished]

    # A rebuild and a push with nothing changed add no history row.
    rows = ops.sql(f"select * from {HISTORY} order by sync_key, valid_from")
    _dbt(ops.tmp, "build")
    assert ops.run("--all-customers")[0] == EXIT_OK
    assert ops.sql(f"select * from {HISTORY} order by sync_key, valid_from") == rows
    assert ops.sql(query) == changed
