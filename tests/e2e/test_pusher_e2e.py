"""End to end on the embedded target: sample ORDERS_UNIFIED → dbt build (real outbox views) →
``python -m pusher`` per customer → the monday sandbox, then a planner's edits → exactly those
changes. Slow (two dbt builds);"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pusher.commands.cli import main
from tests.sandbox import SandboxServer
from tests.support.paths import REPO
from tests.support.sandbox_boards import BOARD, SUBBOARD, board_spec

DBT = Path(sys.executable).with_name("dbt")


def dbt_build(tmp: Path) -> None:
    result = subprocess.run(
        [
            str(DBT),
            "build",
            "--project-dir",
            "dbt_project",
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--quiet",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_sample_orders_through_dbt_and_the_pusher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "orders.duckdb"
    shutil.copy(REPO / "profiles.example.yml", tmp_path / "profiles.yml")
    monkeypatch.chdir(REPO)
    for key, value in {
        "DBT_PROFILES_DIR": str(tmp_path),
        "ORDER_SYNC_DUCKDB": str(db),
        "ORDER_SYNC_TARGET": "duckdb",
        "MONDAY_API_TOKEN": "tok-e2e-4f1d",
    }.items():
        monkeypatch.setenv(key, value)
    subprocess.run(
        [sys.executable, "-m", "tools.sample_orders", "create", "--db", str(db), "--lines", "300"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    dbt_build(tmp_path)
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
    with SandboxServer(board_spec=board_spec(), complexity_budget=200_000_000) as sandbox:
        monkeypatch.setenv("MONDAY_API_URL", sandbox.url)
        assert [main(["--customer", c]) for c in customers] == [0] * len(customers)
        assert len(sandbox.items(BOARD)) == wanted and sandbox.items(SUBBOARD)

        # The outbox is a view over the log: without a rebuild, nothing is left to send.
        before = dict(sandbox.stats["mutations_by_field"])
        capsys.readouterr()
        assert [main(["--customer", c]) for c in customers] == [0] * len(customers)
        assert sandbox.stats["mutations_by_field"] == before
        assert capsys.readouterr().out.count("nothing to send") == len(customers)

        # A planner's edits: sizes changed, a size zeroed, a line cancelled, a season blanked.
        subprocess.run(
            [sys.executable, "-m", "tools.sample_orders", "edit", "--db", str(db)],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        dbt_build(tmp_path)
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
    assert "tok-e2e-4f1d" not in capsys.readouterr().out


def assert_board_matches_source(db: Path, sandbox: SandboxServer) -> None:
    """One item per active line in its group, one subitem per non-zero size: computed from the
    raw ORDERS_UNIFIED here in Python, not from the dbt models under test."""
    from tools.reference_layout import read_layout, size_columns

    sizes = size_columns(read_layout())
    with duckdb.connect(str(db), read_only=True) as con:
        quarantined = {
            r[0] for r in con.execute("select record_uuid from main.QUAR_ORDERS_UNIFIED").fetchall()
        }
        cols = ", ".join(f'"{c.name}"' for c in sizes)
        rows = con.execute(
            'select record_uuid::varchar, "CUSTOMER NAME", "CUSTOMER SEASON", "AAG SEASON", "ORDER STATUS", '
            f'"TOTAL_QTY", {cols} from dbo.ORDERS_UNIFIED'
        ).fetchall()
    want_items, want_subitems = set(), set()
    for uuid, customer, season, aag_season, status, total, *qtys in rows:
        if uuid in quarantined or status == "CANCELLED":
            continue
        season = season if season and season.strip() else aag_season
        want_items.add((uuid, f"{customer} {season}", str(total)))
        for col, raw in zip(sizes, qtys, strict=True):
            qty = int(str(raw).strip()) if raw is not None and str(raw).strip() else 0
            if qty:
                want_subitems.add((uuid, col.name, str(qty)))

    board = next(b for b in sandbox.snapshot()["boards"] if b["id"] == BOARD)
    groups = {g["id"]: g["title"] for g in board["groups"]}
    items = sandbox.items(BOARD)
    by_id = {i["id"]: i["column_values"]["sync_key"] for i in items}
    got_items = {
        (i["column_values"]["sync_key"], groups[i["group_id"]], i["column_values"]["total_qty"])
        for i in items
    }
    got_subitems = [
        (by_id.get(s["parent_item_id"]), s["name"], s["column_values"]["qty"])
        for s in sandbox.items(SUBBOARD)
        if s["parent_item_id"] in by_id
    ]
    assert got_items == want_items
    assert len(got_subitems) == len(set(got_subitems))  # no duplicates
    assert set(got_subitems) == want_subitems
