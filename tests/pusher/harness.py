"""The pusher's tests' world: a DuckDB file whose outbox relations are *tables* with the
contract's columns (each test writes the rows dbt would produce for its scenario), the push log,
monday.yml, and a run of ``Sync`` against the monday sandbox over real HTTP (``Env``). The ``env``
fixture (tests/pusher/conftest.py) gives a test one, on the boards its module asks for.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from pusher.config.settings import Settings, load_settings
from pusher.monday.client import MondayClient
from pusher.run.summary import Summary
from pusher.store.database import Database
from pusher.store.outbox import ITEM_COLUMNS, SUBITEM_COLUMNS
from pusher.store.push_log import LOG_COLUMNS
from pusher.sync.run import Sync
from tests.sandbox import SandboxServer
from tests.support.duck import sql, stamp_mapping
from tests.support.paths import MONDAY_YML
from tests.support.sandbox_boards import BOARD, SUBBOARD

TOKEN = "tok-SECRET-5b7d0c1e9a"
CUSTOMER = "GREYSON CLOTHIERS"
FALL = "GREYSON CLOTHIERS 2025 FALL"
SPRING = "GREYSON CLOTHIERS 2026 SPRING"

LOG_DDL = """create table main.MON_PushLog (
    log_id varchar(36) not null, logged_at timestamp not null, run_id varchar(36), batch_id varchar(36),
    customer_name varchar(255), board_id varchar(32), entity varchar(10) not null,
    sync_key varchar(400) not null, parent_sync_key varchar(400), operation varchar(10) not null,
    phase varchar(10) not null, status varchar(10) not null, payload_hash varchar(64),
    group_title varchar(255), item_name varchar(255), column_values varchar, monday_id varchar(32),
    monday_parent_id varchar(32), monday_group_id varchar(64), idempotency_key varchar(64),
    attempt integer, error_code varchar(100), error_message varchar(2000))"""


def item_values(key: str, **over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "sync_key": key,
        "order_number": "AAG-" + key[-4:],
        "po_number": "PO-77",
        "style": "ST-" + key[-2:],
        "colour": "NAVY",
        "order_status": {"label": "OPEN"},
        "ex_factory": {"date": "2026-06-15"},
        "price": "12.5",
        "total_qty": "45",
        "notes": {"text": "first shipment"},
    }
    values.update(over)
    return values


def digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def item_row(
    key: str,
    operation: str = "create",
    group: str = FALL,
    values: dict[str, Any] | None = None,
    confirmed: dict[str, Any] | None = None,
    monday_item_id: str | None = None,
    confirmed_group: str | None = None,
    name: str | None = None,
    board: tuple[str | None, str | None, str] = (BOARD, SUBBOARD, "Orders"),
    reason: str | None = None,
) -> dict[str, Any]:
    """An item outbox row; ``board`` = (board_id, subitem_board_id, board_name) it is placed on."""
    values = values if values is not None else item_values(key)
    name = name or f"AAG-{key[-4:]} / ST-{key[-2:]} / NAVY"
    board_id, subitem_board_id, board_name = board
    reasons = {"create": "new", "update": "changed", "archive": "cancelled", "delete": "out_of_scope"}
    return {
        "customer_name": CUSTOMER,
        "sync_key": key,
        "operation": operation,
        "change_reason": reason or reasons[operation],
        "monday_item_id": monday_item_id,
        "group_title": group,
        "confirmed_group_title": confirmed_group
        if confirmed_group is not None
        else (group if confirmed else None),
        "item_name": name,
        "column_values": json.dumps(values),
        "confirmed_column_values": json.dumps(confirmed) if confirmed is not None else None,
        "payload_hash": digest(group, name, values),
        "confirmed_payload_hash": digest("confirmed", confirmed) if confirmed is not None else None,
        "order_number": values.get("order_number"),
        "po_number": values.get("po_number"),
        "season": group.rsplit(" ", 2)[-2] + " " + group.rsplit(" ", 1)[-1],
        "route_key": board_name.split(" (")[0],
        "overflow_no": board_name.split(" (")[1].rstrip(")") if " (" in board_name else "1",
        "board_name": board_name,
        "board_id": board_id,
        "subitem_board_id": subitem_board_id,
        "sizes_mode": "subitems",
    }


def subitem_row(
    parent: str,
    size: str,
    qty: int,
    operation: str = "create",
    monday_subitem_id: str | None = None,
    parent_id: str | None = None,
    confirmed_qty: int | None = None,
    board: tuple[str | None, str | None, str] = (BOARD, SUBBOARD, "Orders"),
) -> dict[str, Any]:
    values = {"sync_key": f"{parent}|{size}", "size": size, "qty": str(qty)}
    confirmed = None if confirmed_qty is None else {**values, "qty": str(confirmed_qty)}
    return {
        "customer_name": CUSTOMER,
        "sync_key": f"{parent}|{size}",
        "parent_sync_key": parent,
        "operation": operation,
        "change_reason": {"create": "new", "update": "changed", "delete": "size_zeroed"}[operation],
        "monday_subitem_id": monday_subitem_id,
        "monday_parent_item_id": parent_id,
        "size": size,
        "qty": qty,
        "item_name": size,
        "column_values": json.dumps(values),
        "confirmed_column_values": json.dumps(confirmed) if confirmed else None,
        "payload_hash": digest(size, values),
        "confirmed_payload_hash": digest("c", confirmed) if confirmed else None,
        "board_id": board[0],
        "board_name": board[2],
        "subitem_board_id": board[1],
    }


class Recorder(requests.Session):
    """A requests session that remembers every body and header it sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, Any]] = []

    def post(self, url: Any, **kw: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append({"body": kw.get("json"), "headers": dict(kw.get("headers") or {})})
        return super().post(url, **kw)

    def mutations(self, field_name: str = "") -> list[dict[str, Any]]:
        return [
            s["body"]
            for s in self.sent
            if s["body"]["query"].startswith("mutation") and field_name in s["body"]["query"]
        ]


@dataclass
class Env:
    tmp: Path
    server: SandboxServer
    db_path: Path
    sleeps: list[float] = field(default_factory=list)
    session: Recorder = field(default_factory=Recorder)
    output: list[str] = field(default_factory=list)

    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return sql(self.db_path, query, params)

    def outbox(self, items: Sequence[dict[str, Any]] = (), subitems: Sequence[dict[str, Any]] = ()) -> None:
        con = duckdb.connect(str(self.db_path))
        try:
            for table, columns, rows in (
                ("STG_MON_CustMasterSchedule", ITEM_COLUMNS, items),
                ("STG_MON_CustMasterSchedule_Subitems", SUBITEM_COLUMNS, subitems),
            ):
                con.execute(f"delete from main.{table}")
                for row in rows:
                    marks = ", ".join("?" for _ in columns)
                    con.execute(
                        f"insert into main.{table} ({', '.join(columns)}) values ({marks})",
                        [row.get(c) for c in columns],
                    )
        finally:
            con.close()
        stamp_mapping(self.db_path, self.tmp / "monday.yml")  # a new outbox, as if dbt built it

    def settings(self, **over: Any) -> Settings:
        over.setdefault("retry_backoff", 0.01)
        return load_settings(CUSTOMER, config_file=str(self.tmp / "monday.yml"), env=self.environ(), **over)

    def environ(self) -> dict[str, str]:
        return {"MONDAY_API_URL": self.server.url, "MONDAY_API_TOKEN": TOKEN}

    def run(self, **over: Any) -> Summary:
        settings = self.settings(**over)
        con = duckdb.connect(str(self.db_path))
        db = Database(con, "duckdb", "main")
        client = MondayClient(
            settings.api_url,
            settings.api_version,
            token=TOKEN,
            session=self.session,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )
        try:
            summary = Sync(
                settings, db, client=client, sleep=self.sleeps.append, out=self.output.append
            ).run()
        finally:
            db.close()
        self.output.append(summary.render())
        return summary

    def log(self, where: str = "true", params: list[Any] | None = None) -> list[dict[str, Any]]:
        cols = ", ".join(LOG_COLUMNS)
        rows = self.sql(f"select {cols} from main.MON_PushLog where {where} order by logged_at", params)
        return [dict(zip(LOG_COLUMNS, r, strict=True)) for r in rows]

    def item_ids(self) -> dict[str, str]:
        """sync key → monday id, from the latest ok item outcomes."""
        return {
            r["sync_key"]: r["monday_id"]
            for r in self.log("entity = 'item' and status = 'ok' and monday_id is not null")
        }

    def items(self, board: str = BOARD, states: tuple[str, ...] = ("active",)) -> list[dict[str, Any]]:
        return self.server.items(board, states=states)


def outbox_workspace(tmp_path: Path) -> Path:
    """monday.yml, a DuckDB file with the push log and the two outbox relations as tables, and a
    profile pointing at it (``TEST_ORDER_DB``): what a pusher test needs besides the sandbox."""
    shutil.copy(MONDAY_YML, tmp_path / "monday.yml")
    db_path = tmp_path / "orders.duckdb"
    con = duckdb.connect(str(db_path))
    con.execute(LOG_DDL)
    con.execute(
        f"create table main.STG_MON_CustMasterSchedule ({', '.join(c + ' varchar' for c in ITEM_COLUMNS)})"
    )
    sub_cols = ", ".join(c + (" integer" if c == "qty" else " varchar") for c in SUBITEM_COLUMNS)
    con.execute(f"create table main.STG_MON_CustMasterSchedule_Subitems ({sub_cols})")
    con.close()
    stamp_mapping(db_path, tmp_path / "monday.yml")
    (tmp_path / "profiles.yml").write_text(
        "order_sync:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n"
        "      path: \"{{ env_var('TEST_ORDER_DB') }}\"\n      schema: main\n"
    )
    return db_path


KEYS = [f"0000000{i}-aaaa-bbbb-cccc-00000000000{i}" for i in range(1, 6)]


def cli(env: Env, monkeypatch: pytest.MonkeyPatch, *argv: str, token: str | None = TOKEN) -> int:
    """``python -m pusher ARGV`` in this process, on env's outbox, profile and sandbox (the token
    unset when ``token`` is None)."""
    from pusher.commands.cli import main

    monkeypatch.chdir(env.tmp)
    monkeypatch.setenv("DBT_PROFILES_DIR", str(env.tmp))
    monkeypatch.setenv("TEST_ORDER_DB", str(env.db_path))
    monkeypatch.setenv("MONDAY_API_URL", env.server.url)
    if token is None:
        monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    else:
        monkeypatch.setenv("MONDAY_API_TOKEN", token)
    return main(list(argv))
