"""The scale scenario, small: docs/examples/monday.by-season.yml (a board per customer and
season, made on demand, overflow) with boards of 60 items, through sample ORDERS_UNIFIED → dbt
build (mapping passed as --vars) → ``python -m pusher --all-customers`` → an EMPTY sandbox
account. What lands is checked against the raw source, computed here in Python. Slow (three dbt
builds, data tests included)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pusher.commands.cli import main
from tests.sandbox import SandboxServer
from tests.support.paths import REPO

DBT = Path(sys.executable).with_name("dbt")
EXAMPLE = REPO / "docs" / "examples" / "monday.by-season.yml"
TOKEN = "tok-scale-e2e-7a2c"  # noqa: S105 (the sandbox accepts only this)
MAX_ITEMS, MARGIN = 60, 5  # a board (and its subitems board) holds 60; the planner fills 55
OLD_SEASON, NEW_SEASON = "2025 FALL", "2026 SPRING"  # the two of `sample_orders --seasons 2`


def run(cmd: list[str], cwd: Path = REPO) -> str:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def dbt_build(tmp: Path, config: Path) -> None:
    dbt_vars = run([sys.executable, "-m", "tools.codegen", "--config", str(config), "--print-vars"]).strip()
    run(
        [str(DBT), "build", "--project-dir", "dbt_project", "--vars", dbt_vars, "--quiet"]
        + ["--exclude", "resource_type:unit_test"]  # tests/dbt/test_build.py runs them, once
        + ["--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")]
    )


def on_route(board_name: str, route_key: str) -> bool:
    """Board 1 of a route is named by its route key, board n >= 2 "<route key> (n)"."""
    return re.fullmatch(re.escape(route_key) + r"( \((?:[2-9]|[1-9]\d+)\))?", board_name) is not None


def expected(db: Path) -> dict[str, dict[str, Any]]:
    """Per active line (not quarantined, not cancelled): route, group, order, non-zero sizes,
    from the raw ORDERS_UNIFIED, not from the dbt models under test."""
    from tools.reference_layout import read_layout, size_columns

    sizes = size_columns(read_layout())
    with duckdb.connect(str(db), read_only=True) as con:
        quarantined = {
            r[0] for r in con.execute("select record_uuid from main.QUAR_ORDERS_UNIFIED").fetchall()
        }
        cols = ", ".join(f'"{c.name}"' for c in sizes)
        rows = con.execute(
            'select record_uuid::varchar, "AAG ORDER NUMBER", "CUSTOMER NAME", "CUSTOMER SEASON", '
            f'"AAG SEASON", "ORDER STATUS", {cols} from dbo.ORDERS_UNIFIED'
        ).fetchall()
    lines = {}
    for uuid, order, customer, season, aag_season, status, *qtys in rows:
        if uuid in quarantined or status == "CANCELLED":
            continue
        season = season.strip() if season and season.strip() else aag_season
        quantities = {}
        for col, raw in zip(sizes, qtys, strict=True):
            qty = int(str(raw).strip()) if raw is not None and str(raw).strip() else 0
            if qty:
                quantities[col.name] = str(qty)
        route = f"{customer} {season}"
        lines[uuid] = {"route": route, "group": route, "order": (customer, order), "sizes": quantities}
    return lines


def assert_boards_match(db: Path, sandbox: SandboxServer) -> dict[str, dict[str, Any]]:
    """Every active line once, live, on a board of its route, in its group, with one subitem per
    non-zero size; orders whole on one board; no board over the limit. Returns where each line is."""
    want = expected(db)
    state = sandbox.snapshot()
    boards = {b["id"]: b for b in state["boards"]}
    groups = {(b["id"], g["id"]): g["title"] for b in boards.values() for g in b["groups"]}
    counts: dict[str, int] = defaultdict(int)
    live: dict[str, list[dict[str, Any]]] = defaultdict(list)
    subitems: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item in state["items"]:
        if item["state"] == "deleted":
            continue
        counts[item["board_id"]] += 1  # archived items count toward the limit too
        if item["state"] != "active":
            continue
        if item.get("parent_item_id"):
            subitems[item["parent_item_id"]].append((item["name"], item["column_values"]["qty"]))
        else:
            live[item["column_values"]["sync_key"]].append(item)

    over = {boards[b]["name"]: n for b, n in counts.items() if n > MAX_ITEMS}
    assert not over, f"boards over {MAX_ITEMS} items: {over}"
    assert set(live) == set(want), "live items differ from the active lines"
    duplicates = {k: len(v) for k, v in live.items() if len(v) > 1}
    assert not duplicates, f"sync keys live more than once: {duplicates}"

    placed, board_of_order = {}, {}
    for key, line in want.items():
        item = live[key][0]
        board = boards[item["board_id"]]["name"]
        assert on_route(board, line["route"]), (key, line["route"], board)
        assert groups[(item["board_id"], item["group_id"])] == line["group"]
        assert sorted(subitems[item["id"]]) == sorted(line["sizes"].items()), key
        order = (*line["order"], line["route"])
        assert board_of_order.setdefault(order, board) == board, f"order {order} split over boards"
        placed[key] = {"board": board, "board_id": item["board_id"], "item_id": item["id"]}
    return placed


@pytest.fixture
def scale_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    db = tmp_path / "orders.duckdb"
    shutil.copy(REPO / "profiles.example.yml", tmp_path / "profiles.yml")
    config = yaml.safe_load(EXAMPLE.read_text())
    config["boards"].update(max_items_per_board=MAX_ITEMS, capacity_margin=MARGIN)
    config_file = tmp_path / "monday.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    monkeypatch.chdir(REPO)
    for key, value in {
        "DBT_PROFILES_DIR": str(tmp_path),
        "ORDER_SYNC_DUCKDB": str(db),
        "ORDER_SYNC_TARGET": "duckdb",
        "ORDER_SYNC_CONFIG": str(config_file),
        "MONDAY_API_TOKEN": TOKEN,
    }.items():
        monkeypatch.setenv(key, value)
    run(
        [sys.executable, "-m", "tools.sample_orders", "create", "--db", str(db), "--lines", "240"]
        + ["--customers", "3", "--seasons", "2", "--lines-per-order", "1-4"]
    )
    return db, config_file


def test_by_season_boards_made_on_demand_with_overflow(
    scale_env: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, config = scale_env
    dbt_build(tmp_path, config)
    # The sample must need overflow, and every order must fit on one board.
    want = expected(db)
    per_route: dict[str, int] = defaultdict(int)
    per_order: dict[tuple[str, str, str], int] = defaultdict(int)
    for line in want.values():
        per_route[line["route"]] += len(line["sizes"])
        per_order[(*line["order"], line["route"])] += len(line["sizes"])
    assert max(per_route.values()) > 2 * (MAX_ITEMS - MARGIN)
    assert max(per_order.values()) <= MAX_ITEMS - MARGIN

    with SandboxServer(token=TOKEN, complexity_budget=500_000_000, max_items_per_board=MAX_ITEMS) as sandbox:
        monkeypatch.setenv("MONDAY_API_URL", sandbox.url)
        assert not sandbox.snapshot()["boards"]  # an empty account
        assert main(["--all-customers"]) == 0
        placed = assert_boards_match(db, sandbox)
        names = {p["board"] for p in placed.values()}
        assert any(name.endswith(" (2)") for name in names), "no route overflowed onto a second board"

        # Nothing changed: a rerun sends nothing.
        before = dict(sandbox.stats["mutations_by_field"])
        assert main(["--all-customers"]) == 0
        assert sandbox.stats["mutations_by_field"] == before

        # A line moves to the other season: a new route, so archived on the old board and
        # created on a board of the new route; never live twice.
        key = min(k for k, w in want.items() if w["route"].endswith(f" {OLD_SEASON}"))
        where = placed[key]
        with duckdb.connect(str(db)) as con:
            con.execute(
                'update dbo.ORDERS_UNIFIED set "CUSTOMER SEASON" = ? where record_uuid = ?::uuid',
                [NEW_SEASON, key],
            )
        dbt_build(tmp_path, config)
        assert main(["--all-customers"]) == 0
        moved = assert_boards_match(db, sandbox)
        customer = want[key]["order"][0]
        assert on_route(moved[key]["board"], f"{customer} {NEW_SEASON}")
        old = next(i for i in sandbox.snapshot()["items"] if i["id"] == where["item_id"])
        assert old["state"] == "archived" and old["board_id"] == where["board_id"]
        assert {k: v for k, v in moved.items() if k != key} == {k: v for k, v in placed.items() if k != key}

        # ... and quiet again.
        after = dict(sandbox.stats["mutations_by_field"])
        assert main(["--all-customers"]) == 0
        assert sandbox.stats["mutations_by_field"] == after
        assert sandbox.stats["rate_limited_by_code"] == {}
