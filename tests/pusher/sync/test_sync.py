"""The pusher against the monday sandbox (real HTTP on 127.0.0.1) and a DuckDB file.

The outbox relations are *tables* with the contract's columns (tests/pusher/harness.py), and each
test writes the outbox rows dbt would produce for its scenario.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import duckdb
import pytest

from pusher.config.settings import Filters
from pusher.errors import EXIT_CONFIG, EXIT_LIMIT, EXIT_OK, EXIT_ROWS_FAILED, RefusedError
from pusher.monday.client import MondayClient, Rejected, Transient
from pusher.store.database import Database
from pusher.sync.run import Sync
from tests.pusher.harness import (
    CUSTOMER,
    FALL,
    KEYS,
    SPRING,
    TOKEN,
    Env,
    cli,
    item_row,
    item_values,
    subitem_row,
)
from tests.support.sandbox_boards import BOARD, SUBBOARD


def create_three(env: Env) -> dict[str, str]:
    env.outbox([item_row(KEYS[0]), item_row(KEYS[1]), item_row(KEYS[2], group=SPRING)])
    summary = env.run()
    assert summary.exit_code == EXIT_OK, summary.render()
    env.outbox()
    return env.item_ids()


# ---------------------------------------------------------------- creates
def test_creates_groups_items_and_subitems(env: Env) -> None:
    env.outbox(
        [item_row(KEYS[0]), item_row(KEYS[1]), item_row(KEYS[2], group=SPRING)],
        [subitem_row(KEYS[0], "S", 10), subitem_row(KEYS[0], "L", 15), subitem_row(KEYS[2], "M", 4)],
    )
    summary = env.run()
    assert summary.exit_code == EXIT_OK, summary.render()
    assert (summary.n("group", "create"), summary.n("item", "create"), summary.n("subitem", "create")) == (
        2,
        3,
        3,
    )

    board = env.server.snapshot()["boards"]
    groups = {g["title"]: g["id"] for b in board if b["id"] == BOARD for g in b["groups"]}
    items = {i["column_values"]["sync_key"]: i for i in env.items()}
    assert set(items) == set(KEYS[:3])
    assert items[KEYS[0]]["group_id"] == groups[FALL] and items[KEYS[2]]["group_id"] == groups[SPRING]
    assert items[KEYS[0]]["column_values"]["ex_factory"]["date"] == "2026-06-15"
    subs = env.items(SUBBOARD)
    assert sorted((s["parent_item_id"], s["name"]) for s in subs) == sorted(
        [(items[KEYS[0]]["id"], "S"), (items[KEYS[0]]["id"], "L"), (items[KEYS[2]]["id"], "M")]
    )
    # one read + one create_group + one create_items + one create_subitems request
    assert summary.http_calls == 4
    assert env.server.stats["max_concurrency_seen"] == 1

    log = env.log()
    for entity, n in (("group", 2), ("item", 3), ("subitem", 3)):
        rows = [r for r in log if r["entity"] == entity]
        assert [r["phase"] for r in rows].count("intent") == n
        assert [(r["phase"], r["status"]) for r in rows].count(("outcome", "ok")) == n
    ok_items = [r for r in log if r["entity"] == "item" and r["phase"] == "outcome"]
    assert all(r["monday_id"] and r["monday_group_id"] and r["attempt"] == 1 for r in ok_items)
    assert all(r["idempotency_key"] and len(r["idempotency_key"]) == 64 for r in ok_items)
    subs_log = [r for r in log if r["entity"] == "subitem" and r["phase"] == "outcome"]
    assert {r["monday_parent_id"] for r in subs_log} == {items[KEYS[0]]["id"], items[KEYS[2]]["id"]}
    assert all(r["board_id"] == BOARD and r["parent_sync_key"] for r in subs_log)
    stamps = [r["logged_at"] for r in log]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_empty_outbox_sends_nothing(env: Env) -> None:
    summary = env.run()
    assert summary.exit_code == EXIT_OK
    assert summary.http_calls == 0 and env.session.sent == []
    assert "nothing to send" in summary.render()


def test_group_with_same_title_is_adopted(env: Env) -> None:
    with env.server.state.lock:
        existing = env.server.state.create_group(BOARD, FALL)["id"]
    env.outbox([item_row(KEYS[0])])
    summary = env.run()
    assert summary.n("group", "adopt") == 1 and summary.n("group", "create") == 0
    assert env.session.mutations("create_group") == []
    assert env.items()[0]["group_id"] == existing
    adopt = env.log("entity = 'group'")
    assert [(r["operation"], r["status"], r["monday_id"]) for r in adopt] == [("adopt", "ok", existing)]


def test_batches_respect_the_batch_size(env: Env) -> None:
    env.outbox([item_row(k) for k in KEYS])
    summary = env.run(batch_size=2)
    assert summary.n("item", "create") == 5
    assert len(env.session.mutations("create_item")) == 3
    assert len({r["batch_id"] for r in env.log("entity = 'item' and phase = 'intent'")}) == 3


# ---------------------------------------------------------------- updates
def test_update_sends_only_changed_keys_and_moves_group(env: Env) -> None:
    ids = create_three(env)
    old = item_values(KEYS[0])
    new = item_values(KEYS[0], ex_factory={"date": "2026-07-01"}, order_status={"label": "CONFIRMED"})
    env.outbox(
        [
            item_row(
                KEYS[0],
                "update",
                group=SPRING,
                values=new,
                confirmed=old,
                monday_item_id=ids[KEYS[0]],
                confirmed_group=FALL,
            )
        ]
    )
    env.session.sent.clear()
    summary = env.run()
    assert summary.exit_code == EXIT_OK and summary.n("item", "update") == 1, summary.render()

    (sent,) = env.session.mutations("change_multiple_column_values")
    assert json.loads(sent["variables"]["cv0"]) == {
        "ex_factory": {"date": "2026-07-01"},
        "order_status": {"label": "CONFIRMED"},
    }
    assert "move_item_to_group" in sent["query"]
    item = next(i for i in env.items() if i["id"] == ids[KEYS[0]])
    spring = next(
        g["id"]
        for b in env.server.snapshot()["boards"]
        if b["id"] == BOARD
        for g in b["groups"]
        if g["title"] == SPRING
    )
    assert item["group_id"] == spring
    assert item["column_values"]["ex_factory"]["date"] == "2026-07-01"
    assert item["column_values"]["po_number"] == "PO-77"  # untouched
    last = env.log("entity = 'item' and phase = 'outcome'")[-1]
    assert (last["operation"], last["status"], last["group_title"]) == ("update", "ok", SPRING)
    assert json.loads(last["column_values"]) == new  # the full JSON, not the diff


def test_update_with_nothing_different_is_confirmed_without_a_request(env: Env) -> None:
    ids = create_three(env)
    same = item_values(KEYS[1])
    env.outbox([item_row(KEYS[1], "update", values=same, confirmed=same, monday_item_id=ids[KEYS[1]])])
    env.session.sent.clear()
    summary = env.run()
    assert summary.n("item", "update") == 1 and env.session.mutations() == []


# ----------------------------------------------------------------- archive
def test_archive(env: Env) -> None:
    env.outbox([item_row(k) for k in KEYS])
    env.run()
    ids = env.item_ids()
    env.outbox([item_row(KEYS[4], "archive", confirmed=item_values(KEYS[4]), monday_item_id=ids[KEYS[4]])])
    summary = env.run()
    assert summary.n("item", "archive") == 1, summary.render()
    archived = env.items(states=("archived",))
    assert [i["id"] for i in archived] == [ids[KEYS[4]]]


def test_mass_archive_is_refused_unless_forced(env: Env) -> None:
    env.outbox([item_row(k) for k in KEYS])
    env.run()
    ids = env.item_ids()
    env.outbox([item_row(k, "archive", confirmed=item_values(k), monday_item_id=ids[k]) for k in KEYS[:3]])
    env.session.sent.clear()
    with pytest.raises(RefusedError, match="refusing to archive 3 of 5"):
        env.run()
    assert env.session.sent == [] and len(env.items()) == 5
    summary = env.run(force=True)
    assert summary.n("item", "archive") == 3 and len(env.items()) == 2


# ---------------------------------------------------------------- subitems
def test_subitem_update_and_delete(env: Env) -> None:
    env.outbox([item_row(KEYS[0])], [subitem_row(KEYS[0], "S", 10), subitem_row(KEYS[0], "M", 5)])
    env.run()
    subs = {r["sync_key"]: r["monday_id"] for r in env.log("entity = 'subitem' and status = 'ok'")}
    parent = env.item_ids()[KEYS[0]]
    env.outbox(
        [],
        [
            subitem_row(KEYS[0], "S", 0, "delete", monday_subitem_id=subs[f"{KEYS[0]}|S"], parent_id=parent),
            subitem_row(
                KEYS[0],
                "M",
                8,
                "update",
                monday_subitem_id=subs[f"{KEYS[0]}|M"],
                parent_id=parent,
                confirmed_qty=5,
            ),
        ],
    )
    env.session.sent.clear()
    summary = env.run()
    assert (summary.n("subitem", "delete"), summary.n("subitem", "update")) == (1, 1), summary.render()
    remaining = env.items(SUBBOARD)
    assert [(s["name"], s["column_values"]["qty"]) for s in remaining] == [("M", "8")]
    (update,) = env.session.mutations("change_multiple_column_values")
    assert update["variables"]["board"] == SUBBOARD and json.loads(update["variables"]["cv0"]) == {"qty": "8"}


def test_subitem_waits_for_a_parent_that_failed(env: Env) -> None:
    bad = item_values(KEYS[0], ex_factory={"date": "2026-13-45"})
    env.outbox([item_row(KEYS[0], values=bad)], [subitem_row(KEYS[0], "S", 10)])
    summary = env.run()
    assert summary.exit_code == EXIT_ROWS_FAILED
    assert [d.code for d in summary.deferred] == ["PARENT_NOT_ON_MONDAY"]
    assert env.items(SUBBOARD) == [] and env.log("entity = 'subitem'") == []


# ------------------------------------------------------------ row failures
def test_column_value_exception_is_logged_and_the_rest_lands(env: Env) -> None:
    bad = item_values(KEYS[1], ex_factory={"date": "2026-13-45"})
    env.outbox([item_row(KEYS[0]), item_row(KEYS[1], values=bad), item_row(KEYS[2])])
    summary = env.run()
    assert summary.exit_code == EXIT_ROWS_FAILED
    assert summary.n("item", "create") == 2
    assert [(e.sync_key, e.code) for e in summary.errors] == [(KEYS[1], "ColumnValueException")]
    assert {i["column_values"]["sync_key"] for i in env.items()} == {KEYS[0], KEYS[2]}
    (err,) = env.log("phase = 'outcome' and status = 'error'")
    assert err["sync_key"] == KEYS[1] and err["error_code"] == "ColumnValueException"
    assert "date" in err["error_message"] and err["monday_id"] is None
    assert len(env.session.mutations("create_item")) == 1  # one request; the bad row did not sink it


def test_http_500_then_retry(env: Env) -> None:
    env.server.inject("http_500", match="create_item")
    env.outbox([item_row(KEYS[0]), item_row(KEYS[1])])
    summary = env.run()
    assert summary.exit_code == EXIT_OK and summary.n("item", "create") == 2, summary.render()
    assert len(env.items()) == 2
    rows = env.log("entity = 'item' and sync_key = ?", [KEYS[0]])
    assert [(r["phase"], r["status"], r["attempt"], r["error_code"]) for r in rows] == [
        ("intent", "sent", 1, None),
        ("outcome", "unknown", 1, "HTTP_500"),
        ("intent", "sent", 2, None),
        ("outcome", "ok", 2, None),
    ]
    assert rows[0]["batch_id"] != rows[2]["batch_id"]
    assert env.sleeps and env.sleeps[0] == pytest.approx(0.01)


def test_unknown_outcome_then_adopt_by_sync_key(env: Env) -> None:
    """The create lands but the connection drops: the retry finds it by sync key, no duplicate."""
    env.server.inject("drop_after", match="create_item")
    env.outbox([item_row(KEYS[0]), item_row(KEYS[1])])
    summary = env.run()
    assert summary.exit_code == EXIT_OK, summary.render()
    assert summary.n("item", "adopt") == 2 and summary.n("item", "create") == 0
    assert len(env.items()) == 2
    assert len(env.session.mutations("create_item")) == 1  # never re-sent
    rows = env.log("entity = 'item' and sync_key = ?", [KEYS[0]])
    assert [(r["phase"], r["operation"], r["status"]) for r in rows] == [
        ("intent", "create", "sent"),
        ("outcome", "create", "unknown"),
        ("outcome", "adopt", "ok"),
    ]
    assert rows[-1]["monday_id"] == next(
        i["id"] for i in env.items() if i["column_values"]["sync_key"] == KEYS[0]
    )


def test_unknown_outcome_from_an_earlier_run_is_adopted(env: Env) -> None:
    env.server.inject("drop_after", match="create_item")
    env.outbox([item_row(KEYS[0]), item_row(KEYS[1])])
    first = env.run(max_retries=0)
    assert first.exit_code == EXIT_ROWS_FAILED and len(first.unknown) == 2
    env.server.idempotency.clear()  # more than monday's 30-minute replay window later
    env.session.sent.clear()
    second = env.run()  # the outbox still says create: the view saw no ok outcome
    assert second.exit_code == EXIT_OK and second.n("item", "adopt") == 2, second.render()
    assert env.session.mutations("create_item") == [] and len(env.items()) == 2


def test_adopted_item_gets_the_newer_payload(env: Env) -> None:
    env.server.inject("drop_after", match="create_item")
    env.outbox([item_row(KEYS[0])])
    env.run(max_retries=0)
    newer = item_values(KEYS[0], price="14.0")
    env.outbox([item_row(KEYS[0], values=newer)])
    summary = env.run()
    assert (summary.n("item", "adopt"), summary.n("item", "update")) == (1, 1), summary.render()
    (update,) = env.session.mutations("change_multiple_column_values")
    assert json.loads(update["variables"]["cv0"]) == {"price": "14.0"}
    assert env.items()[0]["column_values"]["price"] == "14.0" and len(env.items()) == 1


# ----------------------------------------------------------------- limits
def test_rate_limit_is_waited_out_without_using_retries(env: Env) -> None:
    env.server.inject("rate_limit", match="mutation", code="MINUTE_RATE_LIMIT_EXCEEDED", retry_in_seconds=7)
    env.outbox([item_row(KEYS[0])])
    summary = env.run(max_retries=0)
    assert summary.exit_code == EXIT_OK and summary.n("item", "create") == 1
    assert 7 in env.sleeps and summary.limit_wait_seconds == 7
    assert [r["status"] for r in env.log("phase = 'outcome' and entity = 'item'")] == ["ok"]


def test_daily_limit_stops_cleanly_and_the_next_run_resumes(env: Env) -> None:
    env.server.inject("rate_limit", match="create_item", code="DAILY_LIMIT_EXCEEDED", retry_in_seconds=3600)
    env.outbox([item_row(KEYS[0])])
    summary = env.run()
    assert summary.exit_code == EXIT_LIMIT and summary.stopped
    assert env.items() == []
    (row,) = env.log("phase = 'outcome' and entity = 'item'")
    assert (row["status"], row["error_code"]) == ("error", "DAILY_LIMIT_EXCEEDED")
    assert env.run().exit_code == EXIT_OK and len(env.items()) == 1


def test_pacing_keeps_a_steady_run_free_of_429(env: Env) -> None:
    env.server.configure(complexity_budget=45_000, window_seconds=1)
    env.outbox([item_row(k) for k in KEYS])
    settings = env.settings(batch_size=2)
    con = duckdb.connect(str(env.db_path))
    client = MondayClient(settings.api_url, settings.api_version, token=TOKEN)
    summary = Sync(settings, Database(con, "duckdb", "main"), client=client, out=env.output.append).run()
    con.close()
    assert summary.exit_code == EXIT_OK and len(env.items()) == 5, summary.render()
    assert env.server.stats["rate_limited_by_code"] == {}
    assert summary.paced_seconds > 0


# ------------------------------------------------------------------ dry run
def test_dry_run_sends_nothing_and_prints_the_plan(env: Env) -> None:
    ids = create_three(env)
    before = env.log()
    old, new = item_values(KEYS[0]), item_values(KEYS[0], price="13.0")
    env.outbox(
        [
            item_row(KEYS[0], "update", values=new, confirmed=old, monday_item_id=ids[KEYS[0]]),
            item_row(KEYS[3]),
        ],
        [subitem_row(KEYS[3], "XL", 3)],
    )
    env.session.sent.clear()
    env.output.clear()
    env.run(dry_run=True)
    assert env.session.sent == [] and env.log() == before
    plan = env.output[0]
    assert "DRY RUN" in plan and "item.create" in plan and "item.update" in plan and "subitem.create" in plan
    assert "12.5 → 13.0" in plan and FALL in plan


# ------------------------------------------------------------- CLI, secrets
def _cli(env: Env, monkeypatch: pytest.MonkeyPatch, *args: str, token: str | None = TOKEN) -> int:
    return cli(env, monkeypatch, "--customer", CUSTOMER, "-vv", *args, token=token)


def test_cli_token_never_in_output_or_log(
    env: Env,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    env.server.inject("http_500", match="mutation")
    env.outbox([item_row(KEYS[0]), item_row(KEYS[1], values=item_values(KEYS[1], price="cheap"))])
    code = _cli(env, monkeypatch, "--max-retries", "1", "--retry-backoff", "0.01")
    out = capsys.readouterr()
    assert code == EXIT_ROWS_FAILED  # the bad price
    assert "items     created 1" in out.out and "http calls" in out.out
    everything = out.out + out.err + caplog.text + json.dumps(env.log(), default=str)
    assert TOKEN not in everything


def test_cli_wrong_token_is_a_configuration_error(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.outbox([item_row(KEYS[0])])
    assert _cli(env, monkeypatch, token="tok-WRONG-8c2f11") == EXIT_CONFIG
    out = capsys.readouterr()
    assert "tok-WRONG-8c2f11" not in out.out + out.err
    assert _cli(env, monkeypatch, token=None) == EXIT_CONFIG
    assert "MONDAY_API_TOKEN" in capsys.readouterr().out


def test_cli_refusal_and_dry_run_exit_codes(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.outbox([item_row(k) for k in KEYS])
    assert _cli(env, monkeypatch) == EXIT_OK
    ids = env.item_ids()
    env.outbox([item_row(k, "archive", confirmed=item_values(k), monday_item_id=ids[k]) for k in KEYS])
    capsys.readouterr()
    assert _cli(env, monkeypatch, "--dry-run") == EXIT_CONFIG  # the real run would be refused
    assert "item.archive" in capsys.readouterr().out
    assert _cli(env, monkeypatch) == EXIT_CONFIG and len(env.items()) == 5
    assert _cli(env, monkeypatch, "--force") == EXIT_OK and env.items() == []


def test_cli_missing_outbox_is_a_configuration_error(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.sql("drop table main.STG_MON_CustMasterSchedule")
    assert _cli(env, monkeypatch) == EXIT_CONFIG
    assert "dbt build" in capsys.readouterr().out


# ------------------------------------------------------- more failure shapes
def test_timeout_after_the_server_applied_is_adopted(env: Env) -> None:
    env.server.inject("slow", match="create_item", seconds=1.0)
    env.outbox([item_row(KEYS[0])])
    summary = env.run(read_timeout=0.3)
    assert summary.exit_code == EXIT_OK and summary.n("item", "adopt") == 1, summary.render()
    outcomes = env.log("entity = 'item' and phase = 'outcome'")
    assert [(r["status"], r["error_code"]) for r in outcomes] == [("unknown", "TIMEOUT"), ("ok", None)]
    assert len(env.items()) == 1


def test_dropped_before_apply_is_resent_with_the_same_key(env: Env) -> None:
    env.server.inject("drop_before", match="create_item")
    env.outbox([item_row(KEYS[0]), item_row(KEYS[1])])
    summary = env.run()
    assert summary.exit_code == EXIT_OK and summary.n("item", "create") == 2, summary.render()
    assert len(env.items()) == 2
    first, second = env.session.mutations("create_item")
    assert first == second  # the same document and variables ...
    keys = {r["idempotency_key"] for r in env.log("entity = 'item' and phase = 'intent'")}
    assert len(keys) == 1  # ... hence the same Idempotency-Key


def test_truncated_response_is_replayed_by_idempotency_key(env: Env) -> None:
    """create_group lands but its body is cut off; the identical resend (same Idempotency-Key,
    inside monday's replay window) is answered from the store: one group, and its id is logged."""
    env.server.inject("truncated_json", match="create_group")
    env.outbox([item_row(KEYS[0])])
    summary = env.run()
    assert summary.exit_code == EXIT_OK and summary.n("group", "create") == 1, summary.render()
    assert env.server.stats["idempotent_replays"] == 1
    titles = [g["title"] for b in env.server.snapshot()["boards"] if b["id"] == BOARD for g in b["groups"]]
    assert titles.count(FALL) == 1
    group_rows = env.log("entity = 'group' and phase = 'outcome'")
    assert [(r["status"], r["error_code"]) for r in group_rows] == [
        ("unknown", "INVALID_RESPONSE"),
        ("ok", None),
    ]
    assert group_rows[-1]["monday_id"] == env.items()[0]["group_id"]


def test_subitem_truncated_response_is_adopted(env: Env) -> None:
    env.server.inject("truncated_json", match="create_subitem")
    env.outbox([item_row(KEYS[0])], [subitem_row(KEYS[0], "S", 1), subitem_row(KEYS[0], "M", 2)])
    summary = env.run()
    assert summary.exit_code == EXIT_OK and summary.n("subitem", "adopt") == 2, summary.render()
    assert sorted(s["name"] for s in env.items(SUBBOARD)) == ["M", "S"]


def test_subitem_unknown_from_an_earlier_run_is_adopted(env: Env) -> None:
    env.server.inject("drop_after", match="create_subitem")
    env.outbox([item_row(KEYS[0])], [subitem_row(KEYS[0], "S", 1)])
    assert env.run(max_retries=0).exit_code == EXIT_ROWS_FAILED
    env.server.idempotency.clear()
    env.outbox([], [subitem_row(KEYS[0], "S", 1)])
    env.session.sent.clear()
    summary = env.run()
    assert summary.n("subitem", "adopt") == 1 and env.session.mutations("create_subitem") == []
    (adopt,) = env.log("entity = 'subitem' and operation = 'adopt'")
    assert adopt["monday_parent_id"] == env.item_ids()[KEYS[0]] and adopt["board_id"] == BOARD
    assert len(env.items(SUBBOARD)) == 1


def test_idempotency_conflict_is_retried(env: Env) -> None:
    """Identical concurrent request still in flight (409): back off and resend."""
    env.outbox([item_row(KEYS[0])])
    settings = env.settings()
    con = duckdb.connect(str(env.db_path))
    client = MondayClient(settings.api_url, settings.api_version, token=TOKEN, session=env.session)
    calls = {"n": 0}
    real = client.execute

    def execute(query: str, variables: dict[str, Any], *, mutation: bool, **kw: Any) -> Any:
        calls["n"] += 1
        if mutation and "create_item" in query and calls["n"] < 5:
            raise Transient(
                "IDEMPOTENCY_CONFLICT", "A request with this Idempotency-Key is already in progress"
            )
        return real(query, variables, mutation=mutation, **kw)

    client.execute = execute  # type: ignore[method-assign]
    summary = Sync(settings, Database(con, "duckdb", "main"), client=client, sleep=env.sleeps.append).run()
    con.close()
    assert summary.exit_code == EXIT_OK and len(env.items()) == 1, summary.render()


def test_filters_narrow_items_and_their_subitems(env: Env) -> None:
    rows = [item_row(KEYS[0]), item_row(KEYS[1])]
    env.outbox(rows, [subitem_row(KEYS[0], "S", 1), subitem_row(KEYS[1], "S", 1)])
    summary = env.run(filters=Filters(order_numbers=(rows[1]["order_number"],)))
    assert summary.n("item", "create") == 1 and summary.n("subitem", "create") == 1
    assert [i["column_values"]["sync_key"] for i in env.items()] == [KEYS[1]]


def test_cli_target_selects_the_profile_output(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profiles = env.tmp / "profiles.yml"
    profiles.write_text(profiles.read_text() + "    other:\n      type: duckdb\n      path: nowhere.duckdb\n")
    env.outbox([item_row(KEYS[0])])
    assert _cli(env, monkeypatch, "--target", "other") == EXIT_CONFIG
    assert "nowhere.duckdb" in capsys.readouterr().out
    assert _cli(env, monkeypatch, "--target", "duckdb") == EXIT_OK and len(env.items()) == 1


def test_delete_of_a_subitem_already_gone_is_ok(env: Env) -> None:
    env.outbox([item_row(KEYS[0])], [subitem_row(KEYS[0], "S", 1)])
    env.run()
    (sub,) = env.items(SUBBOARD)
    with env.server.state.lock:
        env.server.state.delete_item(sub["id"])  # a lost response earlier, or a person
    env.outbox(
        [],
        [
            subitem_row(
                KEYS[0], "S", 0, "delete", monday_subitem_id=sub["id"], parent_id=sub["parent_item_id"]
            )
        ],
    )
    summary = env.run()
    assert summary.exit_code == EXIT_OK and summary.n("subitem", "delete") == 1, summary.render()
    last = env.log("entity = 'subitem'")[-1]
    assert (last["operation"], last["status"], last["error_message"]) == (
        "delete",
        "ok",
        "already deleted on monday",
    )


def test_a_reverted_change_sent_again_is_applied_not_replayed(env: Env) -> None:
    """A → B, B → A, A → B within monday's 30-minute replay window: the third request has the same
    body as the first, but a new run gets a new Idempotency-Key, so monday applies it."""
    ids = create_three(env)
    a, b = item_values(KEYS[0]), item_values(KEYS[0], price="99.0")
    for new, old in ((b, a), (a, b), (b, a)):
        env.outbox([item_row(KEYS[0], "update", values=new, confirmed=old, monday_item_id=ids[KEYS[0]])])
        assert env.run().exit_code == EXIT_OK
    assert env.server.stats["idempotent_replays"] == 0
    assert next(i for i in env.items() if i["id"] == ids[KEYS[0]])["column_values"]["price"] == "99.0"
    first, _, third = env.session.mutations("change_multiple_column_values")
    assert first == third


def test_a_document_over_the_complexity_max_is_split(env: Env) -> None:
    env.server.configure(max_query_complexity=25_000)  # two create_item per document at most
    env.outbox([item_row(k) for k in KEYS])
    summary = env.run()
    assert summary.exit_code == EXIT_OK and summary.n("item", "create") == 5, summary.render()
    assert len(env.items()) == 5
    refused = env.log("entity = 'item' and phase = 'outcome' and status = 'error'")
    assert refused and {r["error_code"] for r in refused} == {"maxComplexityExceeded"}
    assert len(env.session.mutations("create_item")) > 3


def test_a_refused_document_is_not_split_for_other_reasons(env: Env) -> None:
    env.outbox([item_row(k) for k in KEYS[:3]])
    settings = env.settings()
    con = duckdb.connect(str(env.db_path))
    client = MondayClient(settings.api_url, settings.api_version, token=TOKEN, session=env.session)
    real = client.execute

    def execute(query: str, variables: dict[str, Any], *, mutation: bool, **kw: Any) -> Any:
        if "create_item" in query:
            raise Rejected("GRAPHQL_VALIDATION_FAILED", "Unknown argument")
        return real(query, variables, mutation=mutation, **kw)

    client.execute = execute  # type: ignore[method-assign]
    summary = Sync(settings, Database(con, "duckdb", "main"), client=client, sleep=env.sleeps.append).run()
    con.close()
    assert summary.exit_code == EXIT_ROWS_FAILED and len(summary.errors) == 3
    assert {e.code for e in summary.errors} == {"GRAPHQL_VALIDATION_FAILED"}
    assert len(env.log("entity = 'item' and phase = 'intent'")) == 3  # one request, no splitting
