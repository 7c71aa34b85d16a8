"""Pacing at monday's ceiling, against the sandbox with its window scaled down to 1 s.

tests/pusher/sync/test_sync.py already checks one injected MINUTE_RATE_LIMIT_EXCEEDED, a daily
limit on a one-item run and a short paced run; the Pacer alone is
tests/pusher/monday/test_units.py. Here: a multi-window run of items and subitems with real sleeps
and no 429; every 429 code honoured, repeatedly, without touching the retry budget; the daily
limit hit for real in the middle of a run, and the next run resuming with exactly one item per
sync key; batch sizing that fills each window; the progress display.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from typing import Any

import duckdb
import pytest

from pusher.errors import EXIT_LIMIT, EXIT_OK
from pusher.monday.client import MondayClient
from pusher.monday.operations import Op
from pusher.monday.pacing import Pacer
from pusher.run.progress import Progress
from pusher.run.sender import Sender
from pusher.run.summary import Summary
from pusher.store.database import Database
from pusher.sync.run import Sync
from tests.pusher.harness import FALL, SPRING, TOKEN, Env, item_row, subitem_row
from tests.support.sandbox_boards import BOARD, SUBBOARD

KEYS = [f"{i:08d}-abcd-4ef0-8123-{i:012d}" for i in range(1, 25)]


def run_real_time(env: Env, **over: Any) -> tuple[Summary, float]:
    """A run whose pacer really sleeps (``Env.run`` records sleeps instead)."""
    settings = env.settings(**over)
    con = duckdb.connect(str(env.db_path))
    client = MondayClient(settings.api_url, settings.api_version, token=TOKEN, session=env.session)
    started = time.monotonic()
    try:
        summary = Sync(settings, Database(con, "duckdb", "main"), client=client, out=env.output.append).run()
    finally:
        con.close()
    return summary, time.monotonic() - started


def one_per_key(env: Env, board: str) -> Counter[str]:
    return Counter(i["column_values"]["sync_key"] for i in env.items(board))


def mutation_sizes(env: Env, field: str) -> list[int]:
    return [body["query"].count(field + "(") for body in env.session.mutations(field)]


# ------------------------------------------------------------------ pacing
def test_a_multi_window_run_fills_each_window_and_draws_no_429(env: Env) -> None:
    # 10 mutations per 1-second window: 8 items + 16 subitems + 1 group need three windows.
    env.server.configure(window_seconds=1, complexity_budget=100_000)
    keys = KEYS[:8]
    env.outbox([item_row(k) for k in keys], [subitem_row(k, s, 5) for k in keys for s in ("S", "M")])
    summary, seconds = run_real_time(env)

    assert summary.exit_code == EXIT_OK, summary.render()
    assert env.server.stats["rate_limited_by_code"] == {}
    assert one_per_key(env, BOARD) == {k: 1 for k in keys}
    assert one_per_key(env, SUBBOARD) == {f"{k}|{s}": 1 for k in keys for s in ("S", "M")}
    assert summary.paced_seconds > 0 and seconds >= 2  # waited for two resets, never for a 429
    # Batches are sized from the budget (10 per window, 9 with headroom), and what is left of a
    # window is filled rather than left idle: no request carries more than the window allows.
    sizes = mutation_sizes(env, "create_item") + mutation_sizes(env, "create_subitem")
    assert max(sizes) == 9 and sum(sizes) == 24
    assert summary.http_calls <= 8


# --------------------------------------------------------------------- 429
@pytest.mark.parametrize(
    "code", ["COMPLEXITY_BUDGET_EXHAUSTED", "MINUTE_RATE_LIMIT_EXCEEDED", "MAX_CONCURRENCY_EXCEEDED"]
)
def test_each_429_is_waited_out_without_using_the_retry_budget(env: Env, code: str) -> None:
    keys = KEYS[:3]
    env.outbox([item_row(k) for k in keys], [subitem_row(k, "S", 5) for k in keys])
    # twice on the item creates, once on the subitem creates; max_retries=0 leaves no retry at all
    env.server.inject("rate_limit", count=2, match="create_item", code=code, retry_in_seconds=4)
    env.server.inject("rate_limit", count=1, match="create_subitem", code=code, retry_in_seconds=3)
    summary = env.run(max_retries=0)

    assert summary.exit_code == EXIT_OK, summary.render()
    assert env.server.stats["rate_limited_by_code"] == {code: 3}
    assert [s for s in env.sleeps if s in (3, 4)] == [4, 4, 3]  # retry_in_seconds, as given
    assert summary.limit_wait_seconds == 11
    assert one_per_key(env, BOARD) == {k: 1 for k in keys}
    assert one_per_key(env, SUBBOARD) == {f"{k}|S": 1 for k in keys}
    outcomes = env.log("phase = 'outcome' and entity in ('item', 'subitem')")
    assert [(r["status"], r["attempt"]) for r in outcomes] == [("ok", 1)] * 6


def test_a_429_is_waited_out_in_real_time(env: Env) -> None:
    env.outbox([item_row(KEYS[0])])
    env.server.inject(
        "rate_limit", match="create_item", code="COMPLEXITY_BUDGET_EXHAUSTED", retry_in_seconds=1
    )
    summary, seconds = run_real_time(env, max_retries=0)
    assert summary.exit_code == EXIT_OK and one_per_key(env, BOARD) == {KEYS[0]: 1}
    assert summary.limit_wait_seconds == 1 and seconds >= 1


def test_a_budget_429_resends_the_batch_in_this_pushers_smaller_share(env: Env) -> None:
    # Another pusher on the account spent the window: monday answers 429 to a full batch of 18
    # (20 mutations a window, 90% of it). The share halves, so the same rows go again as 9 + 9.
    keys = [f"{i:08d}-abcd-4ef0-8123-{i:012d}" for i in range(1, 19)]
    env.server.configure(complexity_budget=200_000, max_query_complexity=200_000)
    env.outbox([item_row(k) for k in keys])
    env.server.inject(
        "rate_limit", match="create_item", code="COMPLEXITY_BUDGET_EXHAUSTED", retry_in_seconds=2
    )
    summary = env.run(max_retries=0)

    assert summary.exit_code == EXIT_OK, summary.render()
    assert one_per_key(env, BOARD) == {k: 1 for k in keys}
    assert mutation_sizes(env, "create_item") == [18, 9, 9]  # the refused batch, then its halves
    assert summary.limit_wait_seconds == 2
    # nothing of the refused batch was applied; each row's last word is its ok
    last = {r["sync_key"]: r["status"] for r in env.log("phase = 'outcome' and entity = 'item'")}
    assert last == {k: "ok" for k in keys}


# ------------------------------------------------------------------- daily
def test_daily_limit_mid_run_stops_with_exit_3_and_the_next_run_resumes(env: Env) -> None:
    keys = KEYS[:12]
    items = [item_row(k, group=SPRING if i % 2 else FALL) for i, k in enumerate(keys)]
    subitems = [subitem_row(k, s, 5) for k in keys for s in ("S", "L")]
    env.outbox(items, subitems)
    # board read, create_group, two item batches of 5, then monday's daily call limit
    env.server.configure(daily_calls=4)
    first = env.run(batch_size=5)

    assert first.exit_code == EXIT_LIMIT and "daily" in (first.stopped or "")
    landed = env.item_ids()
    assert len(landed) == 10 and one_per_key(env, BOARD) == {k: 1 for k in landed}
    assert env.items(SUBBOARD) == []
    not_applied = env.log("phase = 'outcome' and status = 'error'")
    assert {r["error_code"] for r in not_applied} == {"DAILY_LIMIT_EXCEEDED"}

    # The next day: the outbox (a view over the log) no longer holds what landed.
    env.server.configure(daily_calls=0)
    env.outbox([r for r in items if r["sync_key"] not in landed], subitems)
    second = env.run(batch_size=5)

    assert second.exit_code == EXIT_OK, second.render()
    assert second.n("item", "create") == 2 and second.n("subitem", "create") == 24
    assert one_per_key(env, BOARD) == {k: 1 for k in keys}
    assert one_per_key(env, SUBBOARD) == {f"{k}|{s}": 1 for k in keys for s in ("S", "L")}
    ok = Counter(r["sync_key"] for r in env.log("phase = 'outcome' and status = 'ok' and entity = 'item'"))
    assert ok == {k: 1 for k in keys}


# ------------------------------------------------------------------ sizing
def fake_clock() -> tuple[list[float], Pacer]:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    return slept, Pacer(sleep=sleep, clock=lambda: now[0])


def reading(before: int, after: int, reset: int) -> dict[str, int]:
    return {"before": before, "after": after, "query": before - after, "reset_in_x_seconds": reset}


def test_batches_fill_what_is_left_of_the_window_then_wait_for_the_reset() -> None:
    slept, pacer = fake_clock()
    assert pacer.batch_size() == 450  # 5M per query * 0.9 / 10,000
    pacer.observe(reading(10_000_000, 5_500_000, 60), 450)
    assert pacer.batch_size() == 450
    pacer.observe(reading(5_500_000, 1_000_000, 58), 450)
    assert pacer.batch_size() == 100 and pacer.batch_size(40) == 40  # the rest of the window
    pacer.before_request(pacer.estimate(100))
    assert slept == []
    pacer.observe(reading(1_000_000, 0, 57), 100)
    # Nothing left: after the reset, the new window leads with its odd part (100 + 450 + 450).
    assert pacer.batch_size() == 100
    pacer.before_request(pacer.estimate(100))
    assert len(slept) == 1 and 57 <= slept[0] <= 57.1  # the tightest of the three readings
    assert pacer.batch_size() == 100
    pacer.observe(reading(10_000_000, 9_000_000, 60), 100)
    assert pacer.batch_size() == 450


def test_a_leftover_too_small_for_a_request_waits_for_the_reset() -> None:
    slept, pacer = fake_clock()
    pacer.observe(reading(10_000_000, 300_000, 30), 970)
    assert pacer.batch_size() == 100  # 30 would fit: under a tenth of a full batch, not worth a call
    pacer.before_request(pacer.estimate(100))
    assert slept and 30 <= slept[0] <= 30.1


def test_an_update_that_moves_counts_as_two_mutations(env: Env) -> None:
    sent: list[int] = []
    sender = Sender.__new__(Sender)
    sender.settings = env.settings(batch_size=4)
    sender.pacer = Pacer()
    sender.progress = None
    sender._send_chunk = lambda op, chunk, *a: sent.append(len(chunk)) or []  # type: ignore[method-assign]
    ops = [Op("item", "update", k, send_values="{}", move=True) for k in KEYS[:6]]
    sender.send("update_items", ops, BOARD, BOARD)
    assert sent == [2, 2, 2]  # 4 mutations a request


# ---------------------------------------------------------------- progress
def test_progress_prints_plain_lines_every_interval_when_not_a_terminal() -> None:
    now = [0.0]
    lines: list[str] = []
    summary = Summary("C", BOARD, outbox_rows=1000)
    progress = Progress(summary, out=lines.append, tty=False, interval=10, clock=lambda: now[0])
    for _ in range(4):
        now[0] += 4
        summary.ok("item", "create", 100)
        summary.ok("group", "create")  # groups are not outbox rows
        progress.update()
    assert lines == ["push progress: 300/1000 rows (30%), 1,500/min, ETA 28s"]  # at 12 s
    progress.close()
    assert lines[1:] == ["push progress: 400/1000 rows (40%), 1,500/min, ETA 24s"]


def test_progress_draws_a_bar_on_a_terminal_and_stays_quiet_on_short_runs() -> None:
    now = [0.0]
    stream = io.StringIO()
    summary = Summary("C", BOARD, outbox_rows=10)
    bar = Progress(summary, stream=stream, tty=True, clock=lambda: now[0])
    now[0] = 1.0
    summary.ok("subitem", "create", 5)
    bar.update()
    bar.close()
    assert stream.getvalue().startswith("\r[" + "#" * 14 + "-" * 14 + "] 5/10 rows (50%), 300/min, ETA 1s")
    assert stream.getvalue().endswith("\n")

    lines: list[str] = []
    quiet = Progress(Summary("C", BOARD, outbox_rows=3), out=lines.append, tty=False)
    quiet.update()
    quiet.close()
    assert lines == []
