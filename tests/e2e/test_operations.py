"""Running it in production: the commands an operator uses, against the monday sandbox and a
DuckDB file built by dbt from sample data (one dbt build per module, copied per test).

- ``python -m pusher`` with several customers / ``--all-customers``, ``--limit``, ``--po``,
  ``--log-format json`` and the documented exit codes;
- ``python -m pusher status`` (runs, backlog, errors by code, parked rows; no monday call);
- ``python -m pusher check`` (token, columns and types, labels, capacity);
- ``python -m pusher board create`` (a board + subitems board with every mapped column).

"What changed, when" (the README's history query) is tests/e2e/test_history.py, on these fixtures.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pusher.commands import check as check_mod
from pusher.commands.cli import main
from pusher.errors import EXIT_CONFIG, EXIT_LIMIT, EXIT_OK, EXIT_ROWS_FAILED
from tests.sandbox import SandboxServer
from tests.support.dbt import dbt, mapping_vars, sample_orders
from tests.support.duck import sql
from tests.support.paths import MONDAY_YML, PROFILES_EXAMPLE
from tests.support.sandbox_boards import BOARD, SUBBOARD, board_spec

TOKEN = "tok-OPS-91c2d7e4"


def _dbt(tmp: Path, *args: str) -> None:
    """dbt with nothing of this process's environment but a PATH to the venv (and HOME in tmp)."""
    path = str(Path(sys.executable).parent) + ":/usr/bin:/bin"
    dbt(*args, "--quiet", work=tmp, env={"PATH": path, "HOME": str(tmp)})


def _env(tmp: Path) -> dict[str, str]:
    return {
        "DBT_PROFILES_DIR": str(tmp),
        "ORDER_SYNC_DUCKDB": str(tmp / "orders.duckdb"),
        "ORDER_SYNC_TARGET": "duckdb",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "HOME": str(tmp),
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample ORDERS_UNIFIED (40 lines, five customers) + dbt build."""
    tmp = tmp_path_factory.mktemp("ops-build")
    sample_orders("create", "--db", tmp / "orders.duckdb", "--lines", "40")
    _dbt(tmp, "build")
    return tmp


@dataclass
class Ops:
    tmp: Path
    db: Path
    sandbox: SandboxServer
    capsys: pytest.CaptureFixture[str]

    def run(self, *args: str) -> tuple[int, str]:
        self.capsys.readouterr()
        code = main(list(args))
        return code, self.capsys.readouterr().out

    def json_lines(self, *args: str) -> tuple[int, list[dict[str, Any]]]:
        code, out = self.run(*args)
        return code, [json.loads(line) for line in out.splitlines() if line.strip()]

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        return sql(self.db, query, read_only=True)


@pytest.fixture
def ops(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Ops]:
    db = tmp_path / "orders.duckdb"
    shutil.copy(built / "orders.duckdb", db)
    shutil.copy(PROFILES_EXAMPLE, tmp_path / "profiles.yml")
    shutil.copy(MONDAY_YML, tmp_path / "monday.yml")
    monkeypatch.chdir(tmp_path)
    for key, value in {**_env(tmp_path), "MONDAY_API_TOKEN": TOKEN}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ORDER_SYNC_CONFIG", raising=False)
    with SandboxServer(token=TOKEN, board_spec=board_spec(), complexity_budget=200_000_000) as sandbox:
        monkeypatch.setenv("MONDAY_API_URL", sandbox.url)
        yield Ops(tmp_path, db, sandbox, capsys)


def outbox_counts(ops: Ops) -> dict[str, int]:
    return dict(ops.sql("select customer_name, count(*) from main.STG_MON_CustMasterSchedule group by 1"))


# ------------------------------------------------------------ push: filters, limits, logs
def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for line in ("0  all synced", "1  some rows failed", "2  configuration error", "3  stopped by monday"):
        assert line in text
    for flag in ("--all-customers", "--limit", "--po ", "--season", "--log-format", "status", "check"):
        assert flag in text


def test_all_customers_with_a_limit_then_the_rest_as_json_lines(ops: Ops) -> None:
    wanted = outbox_counts(ops)
    assert len(wanted) == 5 and min(wanted.values()) >= 2
    c0, c1, *rest = sorted(wanted)

    # --limit is one budget for the whole run: all of the first customer, two of the second
    limit = wanted[c0] + 2
    code, events = ops.json_lines("--all-customers", "--limit", str(limit), "--log-format", "json")
    assert code == EXIT_OK, events
    summaries = {e["customer"]: e for e in events if e["event"] == "summary"}
    assert set(summaries) == {c0, c1}
    assert (
        summaries[c0]["counts"]["item.create"] == wanted[c0] and summaries[c1]["counts"]["item.create"] == 2
    )
    assert all(s["exit_code"] == 0 and s["counts"]["subitem.create"] > 0 for s in summaries.values())
    skipped = next(e for e in events if e["event"] == "skipped")
    assert skipped["customers"] == rest and skipped["reason"] == "limit"
    assert events[-1]["event"] == "run_end" and events[-1]["exit_code"] == 0
    assert len(ops.sandbox.items(BOARD)) == limit
    left = outbox_counts(ops)
    assert c0 not in left and left[c1] == wanted[c1] - 2 and all(left[c] == wanted[c] for c in rest)
    subs_left = dict(
        ops.sql("select customer_name, count(*) from main.STG_MON_CustMasterSchedule_Subitems group by 1")
    )
    assert c0 not in subs_left  # its subitems went with its items

    # two customers by name, text output
    code, out = ops.run("--customer", c1, "--customer", rest[0])
    assert code == EXIT_OK and out.count("order-sync push") == 2 and "2 customers, exit code 0" in out
    assert c1 not in outbox_counts(ops) and rest[0] not in outbox_counts(ops)
    code, out = ops.run("--all-customers")
    assert code == EXIT_OK and outbox_counts(ops) == {}
    assert len(ops.sandbox.items(BOARD)) == sum(wanted.values())
    assert TOKEN not in out


def test_po_and_season_filters(ops: Ops) -> None:
    customer, po, season, n = ops.sql(
        "select customer_name, po_number, season, count(*) over (partition by po_number) "
        "from main.STG_MON_CustMasterSchedule order by 4 desc, 2 limit 1"
    )[0]
    code, out = ops.run("--customer", customer, "--po", po, "--season", season)
    assert code == EXIT_OK and f"items     created {n}," in out
    on_board = {i["column_values"].get("po_number") for i in ops.sandbox.items(BOARD)}
    assert on_board == {po}


@pytest.mark.parametrize("at_once", [1, 2])
def test_a_daily_limit_stops_and_skips_the_other_customers(ops: Ops, at_once: int) -> None:
    customers = sorted(outbox_counts(ops))
    assert len(customers) > at_once
    ops.sandbox.inject("rate_limit", count=50, match="mutation", code="DAILY_LIMIT_EXCEEDED",
                       retry_in_seconds=3600)  # fmt: skip
    code, events = ops.json_lines("--all-customers", "--parallel", str(at_once), "--log-format", "json")
    assert code == EXIT_LIMIT
    # The customers under way when monday's daily limit came stop there; the rest are not started.
    skipped = next(e for e in events if e["event"] == "skipped")
    assert skipped["customers"] == customers[at_once:]
    assert events[-1] == {**events[-1], "event": "run_end", "exit_code": EXIT_LIMIT}
    # One answer of the daily limit stops every customer's thread: at most the requests already on
    # their way meet it too (50 were injected).
    assert 1 <= ops.sandbox.stats["rate_limited_by_code"]["DAILY_LIMIT_EXCEEDED"] <= at_once


def test_configuration_errors_exit_2_in_json_too(ops: Ops, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONDAY_API_TOKEN")
    code, events = ops.json_lines("--customer", "GREYSON CLOTHIERS", "--log-format", "json")
    assert code == EXIT_CONFIG
    assert any(e["event"] == "error" and "MONDAY_API_TOKEN" in e["message"] for e in events)
    assert ops.run("--customer", "X", "--limit", "0")[0] == EXIT_CONFIG


# ------------------------------------------------------------------------------- status
def test_status_shows_runs_backlog_errors_and_parked_rows(ops: Ops) -> None:
    customer = "KESTREL ATHLETIC"
    code, out = ops.run("status")
    assert code == EXIT_OK
    assert "last runs: none logged yet" in out and "errors: none" in out
    assert f"{customer:<30} item.create" in out

    # The same line fails three runs in a row: it is parked (default: 3 failures).
    for _ in range(3):
        ops.sandbox.inject("alias_error", match="create_item", index=0, code="ColumnValueException",
                           message="invalid value for column price")  # fmt: skip
        assert ops.run("--customer", customer, "--limit", "1")[0] == EXIT_ROWS_FAILED
    code, report = ops.json_lines("status", "--log-format", "json")
    (report,) = report
    assert code == EXIT_OK and report["event"] == "status"
    assert len(report["runs"]) == 3 and all(r["error"] >= 1 for r in report["runs"])
    by_code = {(e["entity"], e["error_code"]): e for e in report["errors"]}
    assert by_code[("item", "ColumnValueException")]["sample_message"] == "invalid value for column price"
    assert [(p["entity"], p["attempts"], p["customer_name"]) for p in report["parked"]] == [
        ("item", 3, customer)
    ]
    backlog = {(b["customer_name"], b["entity"], b["operation"]): b["n"] for b in report["backlog"]}
    assert backlog[(customer, "item", "create")] == outbox_counts(ops)[customer]

    code, out = ops.run("status", "--customer", customer, "--parked-after", "4")
    assert "parked (failed 4+ times in a row): 0" in out and "ColumnValueException" in out
    code, out = ops.run("status", "--customer", customer)
    assert "parked (failed 3+ times in a row): 1" in out and "x3  ColumnValueException" in out
    assert "GREYSON" not in out  # only the customer asked for

    # no monday call at all
    requests_before = ops.sandbox.stats["requests"]
    ops.run("status")
    assert ops.sandbox.stats["requests"] == requests_before


def test_status_shows_the_capacity_plan_per_board(ops: Ops) -> None:
    creates = sum(outbox_counts(ops).values())
    code, out = ops.run("status")
    assert code == EXIT_OK
    assert "board capacity (MON_BoardCapacity): 1 board(s)" in out
    assert f"'Orders' ({BOARD}): items 0 +{creates} create -0 archive -0 delete → {creates} of 10000" in out
    customer = "KESTREL ATHLETIC"
    mine = outbox_counts(ops)[customer]
    assert ops.run("--customer", customer)[0] == EXIT_OK
    code, report = ops.json_lines("status", "--customer", "GREYSON CLOTHIERS", "--log-format", "json")
    ((board,),) = [r["capacity"] for r in report]
    assert (board["board_name"], board["board_id"], board["board_exists"]) == ("Orders", BOARD, True)
    assert (board["items_on_board"], board["planned_item_creates"]) == (mine, creates - mine)


def test_status_without_a_build_is_a_configuration_error(
    ops: Ops, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with duckdb.connect(str(tmp_path / "empty.duckdb")):
        pass
    monkeypatch.setenv("ORDER_SYNC_DUCKDB", str(tmp_path / "empty.duckdb"))
    code, out = ops.run("status")
    assert code == EXIT_CONFIG and "dbt build" in out


# -------------------------------------------------------------------------------- check
def test_check_passes_on_the_mapped_board(ops: Ops) -> None:
    code, out = ops.run("check")
    assert code == EXIT_OK, out
    assert "order-sync check: OK" in out and "token works" in out
    assert f"board {BOARD}" in out and "room for 10,000 more" in out
    assert ops.sandbox.stats.get("mutations", 0) == 0


def test_check_shows_the_plan_and_fails_on_boards_over_the_limit_or_not_made(ops: Ops) -> None:
    code, out = ops.run("check")
    assert code == EXIT_OK, out
    assert "capacity plan (MON_BoardCapacity): 1 board(s)" in out and f"'Orders' ({BOARD}): items 0" in out

    made = {"route_key": "R", "max_items": 100, "board_exists": True, "is_over": False, "board_id": BOARD}
    plan = [
        {**made, "board_name": "R"},
        {**made, "board_name": "R (2)", "board_id": "9101", "items_after": 120, "is_over": True},
        {**made, "board_name": "R (3)", "board_id": None, "board_exists": False, "planned_item_creates": 4},
    ]
    problems, info = check_mod.check_plan.judge(plan, auto_create=False)
    assert len(problems) == 2
    assert "'R (2)' (9101)" in problems[0] and "[OVER THE LIMIT]" in problems[0]
    assert "boards.capacity_margin" in problems[0]
    assert "'R (3)' (no id yet)" in problems[1] and "boards.auto_create is off" in problems[1]
    assert "board create --name 'R (3)'" in problems[1]
    problems, info = check_mod.check_plan.judge(plan, auto_create=True)
    assert len(problems) == 1 and any("'R (3)'" in line and "made on the next run" in line for line in info)
    assert check_mod.check_plan.made_boards(plan, {BOARD}) == [
        ("board 'R (2)' (made on demand)", "9101", None)
    ]


def test_check_names_the_fix_for_each_problem(ops: Ops, monkeypatch: pytest.MonkeyPatch) -> None:
    with ops.sandbox.state.lock:
        board = ops.sandbox.state.boards[BOARD]
        board["columns"] = [c for c in board["columns"] if c["id"] != "notes"]
        next(c for c in board["columns"] if c["id"] == "price")["type"] = "text"
        status = next(c for c in board["columns"] if c["id"] == "order_status")
        status["settings"]["labels"] = {"0": "OPEN"}
    code, out = ops.run("check")
    assert code == EXIT_CONFIG
    assert "no column 'notes'; add a long_text column 'Notes' with id 'notes'" in out
    assert "column 'price' is 'text' on monday but 'numbers' in monday.yml" in out
    assert "WARN" in out and "lacks label(s) CONFIRMED" in out

    cfg = yaml.safe_load((ops.tmp / "monday.yml").read_text())
    cfg["boards"]["customers"] = {"ACME": {"board_id": "424242", "subitem_board_id": SUBBOARD}}
    (ops.tmp / "monday.yml").write_text(yaml.safe_dump(cfg))
    code, out = ops.run("check", "--customer", "ACME")
    assert code == EXIT_CONFIG and "board 424242 not found" in out and "board create" in out

    monkeypatch.setenv("MONDAY_API_TOKEN", "tok-WRONG-0000")
    code, out = ops.run("check")
    assert code == EXIT_CONFIG and "refused the token" in out and "MONDAY_API_TOKEN" in out
    assert "tok-WRONG-0000" not in out


def test_check_warns_and_fails_on_board_capacity(ops: Ops, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ops.run("--customer", "KESTREL ATHLETIC")[0] == EXIT_OK  # two items on the board
    waiting = sum(outbox_counts(ops).values())  # the other customers' new items, same board
    monkeypatch.setattr(check_mod, "BOARD_ITEM_LIMIT", 100)
    code, out = ops.run("check")
    assert code == EXIT_OK and "2 items, room for 98 more" in out, out
    monkeypatch.setattr(check_mod, "LOW_CAPACITY_SHARE", 0.99)
    code, out = ops.run("check")
    assert code == EXIT_OK and "WARN" in out and "only 98 of 100 items left: plan a new board" in out
    monkeypatch.setattr(check_mod, "BOARD_ITEM_LIMIT", waiting)
    code, out = ops.run("check")
    assert code == EXIT_CONFIG
    assert f"the outbox holds {waiting} new items for it but only {waiting - 2} fit" in out
    monkeypatch.setattr(check_mod, "BOARD_ITEM_LIMIT", 2)
    code, out = ops.run("check")
    assert code == EXIT_CONFIG and "is full (2 of 2 items)" in out and "boards.customers" in out


# ------------------------------------------------------------------------- board create
def test_board_create_then_check_and_push_to_it(ops: Ops) -> None:
    code, out = ops.run("board", "create", "--name", "Kestrel orders", "--customer", "KESTREL ATHLETIC")
    assert code == EXIT_OK, out
    snippet = yaml.safe_load(out[out.index("boards:") :])
    entry = snippet["boards"]["customers"]["KESTREL ATHLETIC"]
    board, sub = entry["board_id"], entry["subitem_board_id"]
    assert board not in (BOARD, SUBBOARD) and sub and sub != board

    state = {b["id"]: b for b in ops.sandbox.snapshot()["boards"]}
    cfg = yaml.safe_load(MONDAY_YML.read_text())
    have = {c["id"]: c["type"] for c in state[board]["columns"]}
    for c in [cfg["items"]["sync_key"], *cfg["items"]["columns"]]:
        assert have.get(c["id"]) == c["type"], c
    sub_have = {c["id"]: c["type"] for c in state[sub]["columns"]}
    for c in [cfg["subitems"]["sync_key"], *cfg["subitems"]["columns"]]:
        assert sub_have.get(c["id"]) == c["type"], c
    assert ops.sandbox.items(board) == [] and ops.sandbox.items(sub) == []  # placeholder gone

    cfg["boards"]["customers"] = snippet["boards"]["customers"]
    (ops.tmp / "monday.yml").write_text(yaml.safe_dump(cfg))
    code, out = ops.run("check", "--customer", "KESTREL ATHLETIC")
    assert code == EXIT_OK and "WARN" not in out, out
    # dbt places the lines (the outbox names each row's board): rebuild with the new monday.yml
    _dbt(ops.tmp, "run", "--vars", mapping_vars(ops.tmp / "monday.yml"))
    assert ops.run("--customer", "KESTREL ATHLETIC")[0] == EXIT_OK
    assert len(ops.sandbox.items(board)) == 2 and ops.sandbox.items(BOARD) == []
    assert ops.sandbox.items(sub)


def test_board_create_needs_a_token(ops: Ops, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONDAY_API_TOKEN")
    code, out = ops.run("board", "create", "--name", "X")
    assert code == EXIT_CONFIG and "MONDAY_API_TOKEN" in out
    assert ops.run("board")[0] == EXIT_CONFIG
