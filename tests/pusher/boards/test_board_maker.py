"""Boards made on demand (pusher/board_maker.py) against the monday sandbox (real HTTP on 127.0.0.1)
and a DuckDB push log: every mapped column, the subitems board or the size-curve column, exactly one
board after a crash between monday's create and our log, a template duplicated, a clear refusal when
``boards.auto_create`` is off, and a configuration error per new monday.yml key."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pusher.boards import maker as board_maker
from pusher.boards import setup as board_setup
from pusher.boards.maker import BoardMaker, BoardNotMade, BoardTarget
from pusher.config.settings import Settings, load_settings
from pusher.errors import ConfigError, RefusedError
from pusher.monday.client import MondayClient
from pusher.run.context import RunContext
from pusher.run.summary import Summary
from pusher.store.database import Database
from pusher.store.push_log import LOG_COLUMNS, PushLog
from tests.pusher.harness import LOG_DDL
from tests.sandbox import SandboxServer
from tests.support.paths import MONDAY_YML, REPO

TOKEN = "tok-BOARDS-3e8d1f"
CUSTOMER = "GREYSON CLOTHIERS"
SPRING = "GREYSON CLOTHIERS 2026 SPRING"
MAPPING = yaml.safe_load(MONDAY_YML.read_text(encoding="utf-8"))
TEMPLATE = {
    "id": "5001",
    "name": "Order template",
    "columns": [
        {"id": "sync_key", "title": "Sync key", "type": "text"},
        {"id": "planner", "title": "Planner", "type": "text"},  # the template's own column
    ],
    "subitem_columns": [{"id": "size", "title": "Size", "type": "text"}],
}


def _ids(section: str) -> dict[str, str]:
    part = MAPPING[section]
    return {c["id"]: c["type"] for c in [part["sync_key"], *part["columns"]]}


@dataclass
class Env:
    tmp: Path
    sandbox: SandboxServer
    con: duckdb.DuckDBPyConnection
    sleeps: list[float] = field(default_factory=list)

    def config(self, **boards: Any) -> str:
        data = json.loads(json.dumps(MAPPING))
        data["boards"] = {"auto_create": True, "default": {}, **boards}
        data["items"]["size_curve"] = {"id": "size_curve", "title": "Sizes", "type": "long_text"}
        path = self.tmp / "monday.yml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True))
        return str(path)

    def settings(self, **boards: Any) -> Settings:
        env = {"MONDAY_API_URL": self.sandbox.url}
        return load_settings(CUSTOMER, config_file=self.config(**boards), env=env, retry_backoff=0.01)

    def maker(self, settings: Settings | None = None) -> BoardMaker:
        """A new run: its own run id, client and push log on the same DuckDB file."""
        settings = settings or self.settings()
        db = Database(self.con, "duckdb", "main")  # one file, one connection (like one process)
        client = MondayClient(settings.api_url, settings.api_version, token=TOKEN)
        push_log = PushLog(db, str(uuid.uuid4()), CUSTOMER)
        summary = Summary(CUSTOMER, settings.board_id)
        ctx = RunContext.start(settings, db, push_log, summary, client, sleep=self.sleeps.append)
        return BoardMaker(ctx)

    def boards(self, name: str | None = None) -> list[dict[str, Any]]:
        found = self.sandbox.snapshot()["boards"]
        boards = found.values() if isinstance(found, dict) else found
        return [b for b in boards if name is None or b["name"] == name]

    def board(self, board_id: str) -> dict[str, Any]:
        return next(b for b in self.boards() if b["id"] == board_id)

    def columns(self, board_id: str) -> dict[str, str]:
        return {c["id"]: c["type"] for c in self.board(board_id)["columns"]}

    def log(self) -> list[dict[str, Any]]:
        cols = ", ".join(LOG_COLUMNS)
        query = f"select {cols} from main.MON_PushLog where entity = 'board' order by logged_at"
        rows = self.con.execute(query).fetchall()
        return [dict(zip(LOG_COLUMNS, r, strict=True)) for r in rows]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    con = duckdb.connect(str(tmp_path / "orders.duckdb"))
    con.execute(LOG_DDL)
    try:
        with SandboxServer(token=TOKEN, board_spec=[TEMPLATE]) as sandbox:
            yield Env(tmp_path, sandbox, con)
    finally:
        con.close()


def spring(sizes: str = "subitems", overflow_no: int = 1) -> BoardTarget:
    name = SPRING if overflow_no == 1 else f"{SPRING} ({overflow_no})"
    return BoardTarget(name, SPRING, overflow_no, sizes)


def _requests(env: Env) -> int:
    return int(env.sandbox.stats["requests"])


# ------------------------------------------------------------------------------ made on demand
def test_a_board_is_made_with_every_mapped_column_and_its_subitems_board(env: Env) -> None:
    made = env.maker().ensure(spring())
    assert made.board_id and made.subitem_board_id and made.board_name == SPRING
    assert [b["id"] for b in env.boards(SPRING)] == [made.board_id]
    have = env.columns(made.board_id)
    assert all(have.get(c) == t for c, t in _ids("items").items()), have
    assert "size_curve" not in have
    sub_have = env.columns(made.subitem_board_id)
    assert all(sub_have.get(c) == t for c, t in _ids("subitems").items()), sub_have
    assert env.sandbox.items(made.board_id) == [] and env.sandbox.items(made.subitem_board_id) == []

    intent, outcome = env.log()
    assert (intent["phase"], intent["status"], outcome["phase"], outcome["status"]) == (
        "intent", "sent", "outcome", "ok",
    )  # fmt: skip
    assert outcome["operation"] == "create" and outcome["sync_key"] == SPRING
    assert outcome["parent_sync_key"] == SPRING and outcome["item_name"] == SPRING
    assert outcome["monday_id"] == outcome["board_id"] == made.board_id
    assert outcome["monday_parent_id"] == made.subitem_board_id and outcome["customer_name"] == CUSTOMER
    assert json.loads(outcome["column_values"]) == {
        "route_key": SPRING,
        "overflow_no": "1",
        "sizes": "subitems",
    }
    assert outcome["payload_hash"] == hashlib.sha256(SPRING.encode()).hexdigest()

    # the next run knows the board from the push log: no request, no second board
    before = _requests(env)
    again = env.maker().ensure(spring())
    assert (again.board_id, again.subitem_board_id) == (made.board_id, made.subitem_board_id)
    assert _requests(env) == before and len(env.log()) == 2


def test_known_ids_are_returned_without_a_request(env: Env) -> None:
    target = BoardTarget(SPRING, SPRING, 1, "subitems", "424242", "424243")
    assert env.maker(env.settings(auto_create=False)).ensure(target) == target
    assert _requests(env) == 0 and env.log() == []


def test_column_mode_gets_the_size_curve_column_and_no_subitems_board(env: Env) -> None:
    made = env.maker().ensure(spring("column", overflow_no=2))
    assert made.board_name == f"{SPRING} (2)" and made.subitem_board_id is None
    have = env.columns(made.board_id)
    assert have.get("size_curve") == "long_text" and all(have.get(c) == t for c, t in _ids("items").items())
    assert "subtasks" not in have.values()
    assert not [b for b in env.boards() if b.get("parent_board_id") == made.board_id]
    outcome = env.log()[-1]
    assert outcome["monday_parent_id"] is None
    assert json.loads(outcome["column_values"]) == {
        "route_key": SPRING,
        "overflow_no": "2",
        "sizes": "column",
    }


# ------------------------------------------------------------------- no second board, ever
def test_a_dropped_create_is_looked_up_by_name_and_adopted(env: Env) -> None:
    """monday applies create_board but the connection drops before the answer: the retry finds the
    board by name instead of creating it again, completes it and logs ``adopt``."""
    env.sandbox.inject("drop_after", match="create_board")
    made = env.maker().ensure(spring())
    assert [b["id"] for b in env.boards(SPRING)] == [made.board_id]
    assert set(_ids("items")) <= set(env.columns(made.board_id)) and made.subitem_board_id
    assert [(e["operation"], e["phase"], e["status"]) for e in env.log()] == [
        ("create", "intent", "sent"),
        ("create", "outcome", "unknown"),
        ("adopt", "intent", "sent"),
        ("adopt", "outcome", "ok"),
    ]
    assert env.log()[-1]["monday_id"] == made.board_id


def _crash_once(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """The process dies (like a kill) the first time ``module.name`` is called."""
    real: Callable[..., Any] = getattr(module, name)
    calls = {"n": 0}

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, dying)


def test_killed_after_monday_made_the_board_then_a_rerun_adopts_exactly_one(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crash_once(monkeypatch, board_maker, "complete_board")  # after create_board, before any column
    with pytest.raises(KeyboardInterrupt):
        env.maker().ensure(spring())
    (half,) = env.boards(SPRING)
    assert set(env.columns(half["id"])) == {"name"}
    assert [(e["operation"], e["phase"]) for e in env.log()] == [("create", "intent")]

    made = env.maker().ensure(spring())  # the rerun
    assert [b["id"] for b in env.boards(SPRING)] == [half["id"]] == [made.board_id]
    assert all(env.columns(made.board_id).get(c) == t for c, t in _ids("items").items())
    assert set(_ids("subitems")) <= set(env.columns(made.subitem_board_id))
    last = env.log()[-1]
    assert (last["operation"], last["status"], last["monday_parent_id"]) == (
        "adopt",
        "ok",
        made.subitem_board_id,
    )


def test_a_placeholder_left_by_a_killed_run_is_removed_on_adopt(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crash_once(monkeypatch, board_setup, "delete_item")  # subitems board made, placeholder not deleted
    with pytest.raises(KeyboardInterrupt):
        env.maker().ensure(spring())
    (half,) = env.boards(SPRING)
    assert [i["name"] for i in env.sandbox.items(half["id"])] == [board_setup.PLACEHOLDER_NAME]

    made = env.maker().ensure(spring())
    assert made.board_id == half["id"] and env.sandbox.items(made.board_id) == []
    assert set(_ids("subitems")) <= set(env.columns(made.subitem_board_id))


def test_no_answer_after_every_retry_leaves_no_board_and_says_so(env: Env) -> None:
    env.sandbox.inject("http_500", count=20, match="create_board")
    with pytest.raises(BoardNotMade, match=SPRING) as exc:
        env.maker().ensure(spring())
    assert exc.value.code == "HTTP_500" and env.boards(SPRING) == []
    outcomes = [e["status"] for e in env.log() if e["phase"] == "outcome"]
    assert outcomes == ["unknown"] * 4  # the first try and max_retries (3) more, each looked up first
    env.sandbox.clear_faults()
    assert env.maker().ensure(spring()).board_id  # the next run makes it


def test_a_board_made_by_hand_is_found_past_the_first_page_and_adopted(env: Env) -> None:
    """Lookup pages through every board (100 a page); a same-named subitems board is not a match."""
    with env.sandbox.state.lock:
        for n in range(130):
            env.sandbox.state.create_board(f"Filler {n}")
        mine = env.sandbox.state.create_board(
            SPRING, columns=[{"id": "sync_key", "title": "Key", "type": "text"}]
        )
        env.sandbox.state.create_board(SPRING, parent_board_id="5001")  # a subitems board: ignored
    made = env.maker().ensure(spring())
    assert made.board_id == mine["id"]
    assert [b["id"] for b in env.boards(SPRING) if not b.get("parent_board_id")] == [mine["id"]]
    assert all(env.columns(mine["id"]).get(c) == t for c, t in _ids("items").items())
    assert env.log()[-1]["operation"] == "adopt"


def test_workspace_and_folder_are_used_for_lookup_and_create(env: Env) -> None:
    with env.sandbox.state.lock:
        elsewhere = env.sandbox.state.create_board(SPRING, workspace_id="111")
    made = env.maker(env.settings(workspace_id="222", folder_id="333")).ensure(spring())
    assert made.board_id != elsewhere["id"]  # a board of another workspace is not ours
    board = env.board(made.board_id)
    assert (board.get("workspace_id"), board.get("folder_id")) == ("222", "333")
    assert env.log()[-1]["operation"] == "create"


# ----------------------------------------------------------------------------------- template
def test_a_template_board_is_duplicated_and_completed(env: Env) -> None:
    if "duplicate_board" not in (REPO / "tests" / "sandbox").joinpath("resolvers.py").read_text():
        pytest.skip("the sandbox does not implement duplicate_board yet (helper B)")
    made = env.maker(env.settings(template_board_id="5001")).ensure(spring())
    assert [b["id"] for b in env.boards(SPRING)] == [made.board_id] and made.board_id != "5001"
    have = env.columns(made.board_id)
    assert have.get("planner") == "text"  # copied from the template
    assert all(have.get(c) == t for c, t in _ids("items").items())
    assert set(_ids("subitems")) <= set(env.columns(made.subitem_board_id))
    assert set(env.columns("5001")) == {"name", "sync_key", "planner", "subitems"}  # template untouched
    assert env.log()[-1]["operation"] == "create"


# --------------------------------------------------------------------------------- refusals
def test_auto_create_off_refuses_naming_the_boards_and_the_fix(env: Env) -> None:
    maker = env.maker(env.settings(auto_create=False))
    with pytest.raises(RefusedError) as exc:
        maker.ensure_all([spring(), spring("column", 2)])
    text = str(exc.value)
    assert f'"{SPRING}"' in text and f'"{SPRING} (2)"' in text
    assert "boards.auto_create: true" in text and "monday.yml" in text
    assert f'python -m pusher board create --name "{SPRING} (2)" --no-subitems' in text
    assert _requests(env) == 0 and env.boards(SPRING) == [] and env.log() == []


def test_monday_refusing_the_set_up_is_a_refusal_naming_the_board(env: Env) -> None:
    env.sandbox.inject("alias_error", match="create_board", code="UserUnauthorizedException", message="no")
    with pytest.raises(
        RefusedError, match=f'refused to make board "{SPRING}".*UserUnauthorizedException'
    ) as exc:
        env.maker().ensure(spring())
    assert "boards.workspace_id" in str(exc.value)
    last = env.log()[-1]
    assert (last["operation"], last["status"], last["error_code"]) == (
        "create",
        "error",
        "UserUnauthorizedException",
    )


# ---------------------------------------------------------------------------- configuration
BAD_BOARDS = [
    ({"auto_create": "yes"}, "boards.auto_create must be true or false"),
    ({"workspace_id": "main"}, "boards.workspace_id must be a numeric monday id"),
    ({"folder_id": "f-1"}, "boards.folder_id must be a numeric monday id"),
    ({"template_board_id": "tmpl"}, "boards.template_board_id must be a numeric monday id"),
    ({"max_items_per_board": 0}, "boards.max_items_per_board must be a whole number >= 1"),
    ({"capacity_margin": -5}, "boards.capacity_margin must be a whole number >= 0"),
    ({"capacity_margin": 10_000}, r"capacity_margin \(10000\) must be below boards.max_items_per_board"),
    ({"autocreate": True}, r"`boards` has unknown key\(s\) \['autocreate'\]"),
    (
        {"default": {"board_id": "9001", "split_by": "season"}},
        "boards.default: board_id together with split_by",
    ),
    ({"default": {"split_by": "week"}}, "boards.default.split_by must be one of none | season"),
    ({"default": {"sizes": "grid"}}, "boards.default.sizes must be one of subitems | column"),
    ({"default": {"name": "{customer} {colour}"}}, r"only \{customer\} and \{season\}"),
    ({"default": {"name": "Orders {season}"}}, r"uses \{season\}: add split_by: season to boards.default"),
    ({"default": {"split_by": "season", "name": "{customer}"}}, r"lacks \{season\}, needed with split_by"),
    ({"default": {"board_id": "9001", "name": "{customer}"}}, "one board every customer's board 1"),
    ({"default": {"sizes": "Column"}}, "boards.default.sizes must be one of subitems | column"),
    (
        {"default": {"subitem_board_id": "9002"}},
        r"boards.default.subitem_board_id needs boards.default.board_id",
    ),
    (
        {"customers": {CUSTOMER: {"boardid": "7"}}},
        r"boards.customers\['GREYSON CLOTHIERS'\]` has unknown key",
    ),
    ({"customers": {CUSTOMER: {}, "greyson clothiers ": {}}}, "the same customer twice"),
]


@pytest.mark.parametrize(("boards", "message"), BAD_BOARDS)
def test_a_bad_boards_key_is_a_config_error_naming_it(env: Env, boards: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        env.settings(**boards)


BAD_SECTIONS = [
    ({"sync": {"on_out_of_scope": "drop"}}, "sync.on_out_of_scope must be one of archive | delete | keep"),
    ({"sync": {"on_move": "keep"}}, "sync.on_move must be one of archive | delete"),
    ({"scope": {"leave_statuses": "SHIPPED"}}, "scope.leave_statuses must be a list"),
    ({"scope": {"seasons": ["2025 FALL"], "season_pattern": "2026%"}}, "either seasons .* or season_pattern"),
    ({"scope": {"season_pattern": ""}}, "scope.season_pattern must be a SQL LIKE pattern"),
    (
        {"scope": {"date_window": {"days_before": 60}}},
        "scope.date_window.column must name a source date column",
    ),
    (
        {"scope": {"date_window": {"column": "EX FACTORY DATE", "days_after": -1}}},
        "days_after must be a whole",
    ),
    ({"scope": {"date_window": {"column": "X", "keep_undated": "no"}}}, "keep_undated must be true or false"),
    ({"scope": {"status": ["SHIPPED"]}}, r"`scope` has unknown key\(s\) \['status'\]"),
    (
        {"items": {**MAPPING["items"], "size_curve": {"id": "sizes", "kind": "text"}}},
        "items.size_curve` has unknown",
    ),
    ({"items": {**MAPPING["items"], "size_curve": {"id": "sizes", "type": "numbers"}}}, "type: long_text"),
    (
        {"boards": {"customers": {CUSTOMER: {"sizes": "column"}}}},
        r"boards.customers\['GREYSON CLOTHIERS'\].sizes is column: add items.size_curve",
    ),
]


@pytest.mark.parametrize(("section", "message"), BAD_SECTIONS)
def test_a_bad_sync_scope_or_size_curve_key_is_a_config_error(
    env: Env, section: dict[str, Any], message: str
) -> None:
    data = {**json.loads(json.dumps(MAPPING)), **section}
    path = env.tmp / "bad.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ConfigError, match=message):
        load_settings(CUSTOMER, config_file=str(path), env={})


def test_routes_and_defaults_reach_the_settings(env: Env) -> None:
    s = env.settings(customers={"Greyson Clothiers ": {"split_by": "season", "sizes": "column"}})
    assert s.board_id is None and s.subitem_board_id is None  # made on demand
    assert (s.route.name, s.route.split_by, s.route.sizes) == ("{customer} {season}", "season", "column")
    assert (s.boards.max_items_per_board, s.boards.capacity_margin, s.boards.auto_create) == (
        10_000,
        500,
        True,
    )
    assert (s.on_out_of_scope, s.on_move, s.size_curve_column.id) == ("archive", "archive", "size_curve")
    assert s.item_columns[0].id == "sync_key" and [c.id for c in s.subitem_columns] == [
        "sync_key",
        "size",
        "qty",
    ]
    fixed = env.settings(default={"board_id": "9001", "subitem_board_id": "9002"}, workspace_id=77)
    assert (fixed.board_id, fixed.subitem_board_id, fixed.route.name) == ("9001", "9002", "Orders")
    assert fixed.boards.workspace_id == "77"
    path = Path(env.config())
    data = yaml.safe_load(path.read_text())
    del data["boards"]["default"]  # like dbt: no default = {}: "Orders", made on demand
    path.write_text(yaml.safe_dump(data))
    other = load_settings("OTHER CO", config_file=str(path), env={})
    assert (other.board_id, other.route.name, other.route.sizes) == (None, "Orders", "subitems")


def test_the_repository_monday_yml_still_loads() -> None:
    s = load_settings(CUSTOMER, config_file=str(MONDAY_YML), env={})
    assert s.route is not None and s.boards.max_items_per_board == 10_000
