"""The push half of the self-test: ``python -m pusher`` with the engine's dbt target, twice, against
the local monday sandbox (tests/sandbox; monday itself is never called), then the push log contract
of docs/CONTRACT.md checked on what the pusher wrote.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.verify_sqlserver.compare import plain, read
from tools.verify_sqlserver.engine import Engine
from tools.verify_sqlserver.report import Check, compare_rows, show

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "docs" / "CONTRACT.md"
CONFIG = REPO / "monday.yml"
SANDBOX_TOKEN = "verify-sqlserver-sandbox-token"  # noqa: S105 - the sandbox takes any token
LOGGED = ["entity", "sync_key", "operation", "payload_hash", "column_values"]


def push_log_columns(contract: Path = CONTRACT) -> list[str]:
    """The MON_PushLog columns, read from the table in docs/CONTRACT.md."""
    text = contract.read_text(encoding="utf-8")
    section = text.split("## pusher → dbt: `MON_PushLog`", 1)[-1].split("\n## ", 1)[0]
    return [m[1] for m in re.finditer(r"^\| (\w+) \|", section, re.M) if m[1] != "column"]


@dataclass
class PushRuns:
    """What two pusher runs did: exit codes, their output, the sandbox's mutations and boards."""

    exit_codes: list[int] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    mutations: list[dict[str, int]] = field(default_factory=list)
    board: list[tuple[Any, ...]] = field(default_factory=list)  # what reached monday, per item
    outbox: list[tuple[Any, ...]] = field(default_factory=list)  # the outbox before the first run
    log_rows: int = 0  # MON_PushLog rows after the first run


@contextlib.contextmanager
def _sandbox_env(url: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("MONDAY_API_URL", "MONDAY_API_TOKEN")}
    os.environ.update(MONDAY_API_URL=url, MONDAY_API_TOKEN=SANDBOX_TOKEN)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def outbox_rows(engine: Engine) -> list[tuple[Any, ...]]:
    """(entity, sync_key, operation, payload_hash, column_values) of both outbox views."""
    columns = LOGGED[1:]
    items = read(engine, "STG_MON_CustMasterSchedule", columns)
    subitems = read(engine, "STG_MON_CustMasterSchedule_Subitems", columns)
    return [("item", *r) for r in items] + [("subitem", *r) for r in subitems]


def _stable(value: Any) -> Any:
    """A sandbox column value without the time it was set (``changed_at``)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k != "changed_at"}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _board(sandbox: Any) -> list[tuple[Any, ...]]:
    """Every active item and subitem on the sandbox: sync key, name, group, column values."""
    rows = []
    for board in sandbox.snapshot()["boards"]:
        groups = {g["id"]: g["title"] for g in board.get("groups", [])}
        for item in sandbox.items(str(board["id"])):
            values = item.get("column_values") or {}
            group = groups.get(item.get("group_id"))
            shown = json.dumps(_stable(values), sort_keys=True, ensure_ascii=False)
            rows.append((values.get("sync_key"), item.get("name"), group, shown))
    return rows


def push_twice(engine: Engine, profiles_dir: Path, config: Path = CONFIG) -> PushRuns:
    """Two ``python -m pusher --all-customers`` runs with the engine's target and the sandbox."""
    from pusher.commands.cli import main as pusher_main
    from tests.sandbox import SandboxServer
    from tests.sandbox.spec import boards_from_mapping

    runs = PushRuns(outbox=outbox_rows(engine))
    engine.close()  # the pusher opens its own connection (DuckDB: one writer per file)
    argv = ["--all-customers", "--target", engine.target, "--profiles-dir", str(profiles_dir)]
    argv += ["--config", str(config)]
    with (
        SandboxServer(board_spec={"boards": boards_from_mapping(config)}) as sandbox,
        _sandbox_env(sandbox.url),
    ):
        for _ in range(2):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                runs.exit_codes.append(pusher_main(argv))
            runs.output.append(out.getvalue())
            runs.mutations.append(dict(sandbox.stats["mutations_by_field"]))
            if not runs.log_rows:
                runs.log_rows = _count(engine, "MON_PushLog")
                engine.close()
        runs.board = _board(sandbox)
    return runs


def lock_check(engine: Engine, profiles_dir: Path, config: Path = CONFIG) -> Check:
    """One pusher per customer: while another session holds a customer (on SQL Server an
    ``sp_getapplock`` of that session), a pusher for it sends nothing and exits 4."""
    from pusher.commands.cli import main as pusher_main
    from pusher.errors import EXIT_BUSY
    from pusher.store.connection import connect
    from pusher.store.locks import CustomerLock

    name = "a second pusher for a customer another run holds sends nothing and exits 4"
    customers = [r[0] for r in read(engine, "MON_CustMasterSchedule", ["customer_name"])]
    engine.close()
    if not customers:
        return Check(name, False, "no customer on the board to hold")
    holder_db = connect(engine.target, str(profiles_dir))
    holder = CustomerLock(holder_db, str(customers[0]), "verify-sqlserver-holder")
    out = io.StringIO()
    try:
        holder.acquire()
        argv = [
            "--customer",
            str(customers[0]),
            "--target",
            engine.target,
            "--profiles-dir",
            str(profiles_dir),
        ]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = pusher_main([*argv, "--config", str(config)])
    finally:
        holder.release()
        holder_db.close()
    ok = code == EXIT_BUSY and "verify-sqlserver-holder" in out.getvalue()
    return Check(name, ok, f"exit code {code}: {_tail(out.getvalue(), ok)}")


def _count(engine: Engine, relation: str) -> int:
    return int(engine.query(f"SELECT COUNT(*) FROM {engine.relation(relation)}")[1][0][0])


def _tail(text: str, ok: bool) -> str:
    """The pusher's last line when all went well, its last lines otherwise."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-1:] if ok else lines[-8:])


def push_checks(engine: Engine, runs: PushRuns) -> list[Check]:
    """The push log contract on what the first run wrote, and a quiet second run."""
    code, sent = runs.exit_codes[0], sum(runs.mutations[0].values())
    checks = [
        Check(
            f"pusher with target {engine.target} against the local sandbox (monday not called)",
            code == 0 and sent > 0,
            f"exit code {code}, {sent} mutations: {_tail(runs.output[0], code == 0 and sent > 0)}",
        )
    ]
    columns, rows = engine.query(f"SELECT * FROM {engine.relation('MON_PushLog')}")
    want = push_log_columns()
    missing = [c for c in want if c not in columns]
    extra = [c for c in columns if c not in want]
    checks.append(
        Check(
            "MON_PushLog has the columns of docs/CONTRACT.md",
            not missing and not extra,
            f"missing {missing}, not in the contract {extra}" if missing or extra else f"{len(want)} columns",
        )
    )
    log = [
        dict(zip(columns, (plain(v, c) for v, c in zip(r, columns, strict=True)), strict=True)) for r in rows
    ]
    checks.append(_intents_have_outcomes(log))
    logged = [
        tuple(r[c] for c in LOGGED)
        for r in log
        if r["phase"] == "outcome" and r["status"] == "ok" and r["entity"] in ("item", "subitem")
    ]
    checks.append(
        compare_rows(
            "the push log holds each outbox row's sync key, operation, payload_hash and column_values",
            LOGGED, runs.outbox, logged, ("outbox", "MON_PushLog"), key_width=3,
        )
    )  # fmt: skip
    left = _count(engine, "STG_MON_CustMasterSchedule") + _count(
        engine, "STG_MON_CustMasterSchedule_Subitems"
    )
    creates = [r for r in runs.outbox if r[2] == "create"]
    live = sum(1 for _ in read(engine, "MON_CustMasterSchedule", ["sync_key"]))
    live += sum(1 for _ in read(engine, "MON_CustMasterSchedule_Subitems", ["sync_key"]))
    checks.append(
        Check(
            "after the push the outbox is empty and the state models hold every line",
            left == 0 and live == len(creates),
            f"{left} outbox rows left (want 0); {live} rows in MON_CustMasterSchedule[_Subitems] "
            f"(want {len(creates)}, one per create)",
        )
    )
    second = {
        k: v - runs.mutations[0].get(k, 0)
        for k, v in runs.mutations[1].items()
        if v != runs.mutations[0].get(k, 0)
    }
    logged_again = _count(engine, "MON_PushLog") - runs.log_rows
    checks.append(
        Check(
            "a second pusher run sends nothing",
            runs.exit_codes[1] == 0 and not second and logged_again == 0,
            f"exit code {runs.exit_codes[1]}, mutations {second or 'none'}, {logged_again} new log rows: "
            f"{_tail(runs.output[1], runs.exit_codes[1] == 0)}",
        )
    )
    return checks


def _intents_have_outcomes(log: list[dict[str, Any]]) -> Check:
    name = "push log: every intent has an ok outcome (same batch, sync key, operation)"
    outcomes: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in log:
        if r["phase"] == "outcome":
            outcomes.setdefault((r["batch_id"], r["entity"], r["sync_key"], r["operation"]), []).append(r)
    differences = []
    intents = [r for r in log if r["phase"] == "intent"]
    for r in intents:
        found = outcomes.get((r["batch_id"], r["entity"], r["sync_key"], r["operation"]), [])
        if not any(o["status"] == "ok" for o in found):
            said = [(o["status"], o["error_code"], o["error_message"]) for o in found] or "no outcome"
            differences.append(f"{r['entity']} {show(r['sync_key'])} {r['operation']}: {show(said)}")
    if differences or not intents:
        return Check(
            name, False, f"{len(differences)} of {len(intents)} intents without an ok outcome", differences
        )
    return Check(name, True, f"{len(intents)} intents, each with its ok outcome")


def compare_boards(reference: Engine, target: Engine, ref_runs: PushRuns, got_runs: PushRuns) -> Check:
    """What reached the sandbox from each engine's outbox: the same items, names, groups, values."""
    columns = ["sync_key", "name", "group", "column_values"]
    return compare_rows(
        "what reached the (sandbox) boards", columns, ref_runs.board, got_runs.board,
        (reference.label, target.label),
    )  # fmt: skip
