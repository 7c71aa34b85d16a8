"""End to end on the embedded target: sample ORDERS_UNIFIED → dbt build (real outbox views) →
``python -m pusher`` per customer → the monday sandbox, then a planner's edits → exactly those
changes. Slow (two dbt builds);"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pusher.commands.cli import main
from tests.support.dbt import dbt, sample_orders
from tests.support.expected_board import assert_board_matches_source
from tests.support.pushing import against_sandbox
from tests.support.sandbox_boards import BOARD, SUBBOARD, board_spec

TOKEN = "tok-e2e-4f1d"


def test_sample_orders_through_dbt_and_the_pusher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "orders.duckdb"
    sample_orders("create", "--db", db, "--lines", "300")
    dbt("build", "--quiet", work=tmp_path, db=db)
    with duckdb.connect(str(db), read_only=True) as con:
        customers = [
            r[0]
            for r in con.execute(
                "select distinct customer_name from main.STG_MON_CustMasterSchedule"
            ).fetchall()
        ]
        wanted = con.execute("select count(*) from main.STG_MON_CustMasterSchedule").fetchone()[0]

    # ~2,800 mutations at 10,000 points: with monday's 10M/minute the pacer would (rightly) spread
    # them over three minutes; a roomier sandbox budget keeps the test quick.
    budget = 200_000_000
    with against_sandbox(
        tmp_path, db, TOKEN, monkeypatch, board_spec=board_spec(), complexity_budget=budget
    ) as sandbox:
        assert [main(["--customer", c]) for c in customers] == [0] * len(customers)
        assert len(sandbox.items(BOARD)) == wanted and sandbox.items(SUBBOARD)

        # The outbox is a view over the log: without a rebuild, nothing is left to send.
        before = dict(sandbox.stats["mutations_by_field"])
        capsys.readouterr()
        assert [main(["--customer", c]) for c in customers] == [0] * len(customers)
        assert sandbox.stats["mutations_by_field"] == before
        assert capsys.readouterr().out.count("nothing to send") == len(customers)

        # A planner's edits: sizes changed, a size zeroed, a line cancelled, a season blanked.
        sample_orders("edit", "--db", db)
        dbt("build", "--quiet", work=tmp_path, db=db)
        assert [main(["--customer", c]) for c in customers] == [0] * len(customers)
        after = sandbox.stats["mutations_by_field"]
        sent = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        assert sent.get("archive_item") == 1 and sent.get("delete_item") == 1
        assert sent.get("move_item_to_group") == 1
        # two lines' TOTAL_QTY (items) and sizes M and L of one line (subitems)
        assert sent.get("change_multiple_column_values") == 4
        assert sent.get("create_item", 0) == 0 and sent.get("create_subitem", 0) == 0
        assert len(sandbox.items(BOARD, states=("archived",))) == 1

        assert sandbox.stats["rate_limited_by_code"] == {}

        assert_board_matches_source(db, sandbox)

        # ... and once more: quiet again.
        final = dict(after)
        assert [main(["--customer", c]) for c in customers] == [0] * len(customers)
        assert sandbox.stats["mutations_by_field"] == final
    assert TOKEN not in capsys.readouterr().out
