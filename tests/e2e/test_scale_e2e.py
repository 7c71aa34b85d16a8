"""The scale scenario, small: docs/examples/monday.by-season.yml (a board per customer and
season, made on demand, overflow) with boards of 60 items, through sample ORDERS_UNIFIED → dbt
build (mapping passed as --vars) → ``python -m pusher --all-customers`` → an EMPTY sandbox
account. What lands is checked against the raw source, computed in Python
(tests/support/expected_board.py). Slow (three dbt builds, data tests included)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
import yaml

from pusher.commands.cli import main
from tests.support.dbt import dbt, mapping_vars, sample_orders
from tests.support.expected_board import assert_board_matches_source, expected_lines, on_route
from tests.support.paths import REPO
from tests.support.pushing import against_sandbox

EXAMPLE = REPO / "docs" / "examples" / "monday.by-season.yml"
TOKEN = "tok-scale-e2e-7a2c"  # noqa: S105 (the sandbox accepts only this)
MAX_ITEMS, MARGIN = 60, 5  # a board (and its subitems board) holds 60; the planner fills 55
OLD_SEASON, NEW_SEASON = "2025 FALL", "2026 SPRING"  # the two of `sample_orders --seasons 2`


def dbt_build(tmp: Path, config: Path) -> None:
    # tests/dbt/test_build.py runs the unit tests, once
    dbt("build", "--vars", mapping_vars(config), "--quiet", "--exclude", "resource_type:unit_test",
        work=tmp, db=tmp / "orders.duckdb")  # fmt: skip


@pytest.fixture
def scale_env(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "orders.duckdb"
    config = yaml.safe_load(EXAMPLE.read_text())
    config["boards"].update(max_items_per_board=MAX_ITEMS, capacity_margin=MARGIN)
    config_file = tmp_path / "monday.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    sample_orders("create", "--db", db, "--lines", "240", "--customers", "3", "--seasons", "2",
                  "--lines-per-order", "1-4")  # fmt: skip
    return db, config_file


def test_by_season_boards_made_on_demand_with_overflow(
    scale_env: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, config = scale_env
    dbt_build(tmp_path, config)
    # The sample must need overflow, and every order must fit on one board.
    want = expected_lines(db, config)
    per_route: dict[str, int] = defaultdict(int)
    per_order: dict[tuple[str, str, str], int] = defaultdict(int)
    for line in want.values():
        per_route[line.route] += len(line.sizes)
        per_order[(line.customer, line.order, line.route)] += len(line.sizes)
    assert max(per_route.values()) > 2 * (MAX_ITEMS - MARGIN)
    assert max(per_order.values()) <= MAX_ITEMS - MARGIN

    with against_sandbox(
        tmp_path,
        db,
        TOKEN,
        monkeypatch,
        env={"ORDER_SYNC_CONFIG": str(config)},
        token=TOKEN,
        complexity_budget=500_000_000,
        max_items_per_board=MAX_ITEMS,
    ) as sandbox:
        assert not sandbox.snapshot()["boards"]  # an empty account
        assert main(["--all-customers"]) == 0
        placed = assert_board_matches_source(db, sandbox, config)
        names = {p["board"] for p in placed.values()}
        assert any(name.endswith(" (2)") for name in names), "no route overflowed onto a second board"

        # Nothing changed: a rerun sends nothing.
        before = dict(sandbox.stats["mutations_by_field"])
        assert main(["--all-customers"]) == 0
        assert sandbox.stats["mutations_by_field"] == before

        # A line moves to the other season: a new route, so archived on the old board and
        # created on a board of the new route; never live twice.
        key = min(k for k, w in want.items() if w.route.endswith(f" {OLD_SEASON}"))
        where = placed[key]
        with duckdb.connect(str(db)) as con:
            con.execute(
                'update dbo.ORDERS_UNIFIED set "CUSTOMER SEASON" = ? where record_uuid = ?::uuid',
                [NEW_SEASON, key],
            )
        dbt_build(tmp_path, config)
        assert main(["--all-customers"]) == 0
        moved = assert_board_matches_source(db, sandbox, config)
        customer = want[key].customer
        assert on_route(moved[key]["board"], f"{customer} {NEW_SEASON}")
        old = next(i for i in sandbox.snapshot()["items"] if i["id"] == where["item_id"])
        assert old["state"] == "archived" and old["board_id"] == where["board_id"]
        assert {k: v for k, v in moved.items() if k != key} == {k: v for k, v in placed.items() if k != key}

        # ... and quiet again.
        after = dict(sandbox.stats["mutations_by_field"])
        assert main(["--all-customers"]) == 0
        assert sandbox.stats["mutations_by_field"] == after
        assert sandbox.stats["rate_limited_by_code"] == {}
