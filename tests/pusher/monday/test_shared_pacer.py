"""One pacer for every thread of a process (issue 20): customers pushed side by side share the
account's complexity budget without spending the same points twice.

The threads here are real; the pacer's sleeps are recorded instead of slept (a wait for a reset
is the pacer's decision, not the test's time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from pusher.monday.pacing import BUDGET, Pacer

TIMEOUT = 10.0


def reading(before: int, after: int, reset_in: float = 60) -> dict[str, int | float]:
    return {"before": before, "after": after, "query": before - after, "reset_in_x_seconds": reset_in}


def in_thread(work: Callable[[], None]) -> tuple[threading.Thread, threading.Event]:
    """Run ``work`` in a thread; the event is set when it returns."""
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def test_until_the_first_reading_one_request_probes_the_budget_and_the_others_wait() -> None:
    slept: list[float] = []
    pacer = Pacer(sleep=slept.append)
    pacer.before_request(pacer.estimate(450))  # this thread's request is in flight, budget unknown
    thread, second_sent = in_thread(lambda: pacer.before_request(pacer.estimate(450)))

    assert not second_sent.wait(0.3), "a second request went out before anyone knew the budget"
    pacer.observe(reading(10_000_000, 5_500_000), 450)  # the probe's answer names the budget
    assert second_sent.wait(TIMEOUT)
    thread.join(TIMEOUT)
    assert slept == []  # 4,500,000 reserved fits in 5,500,000 left: no wait for a reset


def test_points_reserved_by_a_request_in_flight_are_not_spent_again_by_another_thread() -> None:
    slept: list[float] = []
    pacer = Pacer(sleep=slept.append)
    pacer.observe(reading(10_000_000, 10_000_000, 60))  # a fresh window: 1,000 mutations of budget
    pacer.before_request(pacer.estimate(600))  # 6,000,000 reserved by this thread

    # Another thread sees what is left for it: 4,000,000 points, so 400 mutations, not 450.
    sizes: list[int] = []
    thread, _ = in_thread(lambda: sizes.append(pacer.batch_size()))
    thread.join(TIMEOUT)
    assert sizes == [400]

    # A request that does not fit beside the one in flight waits for it, then for the reset.
    thread, second_sent = in_thread(lambda: pacer.before_request(pacer.estimate(450)))
    assert not second_sent.wait(0.3)
    pacer.observe(reading(10_000_000, 4_000_000, 60), 600)  # 400 mutations left: 450 do not fit
    assert second_sent.wait(TIMEOUT)
    thread.join(TIMEOUT)
    assert len(slept) == 1 and 59 <= slept[0] <= 61  # it waited for the window's reset, not a 429


def test_a_429_holds_every_thread_until_the_time_monday_gave() -> None:
    slept: list[float] = []
    pacer = Pacer(sleep=slept.append)
    pacer.observe(reading(10_000_000, 9_000_000, 60))
    pacer.before_request(pacer.estimate(10))
    pacer.rate_limited(BUDGET, 30.0, "budget exhausted")  # this thread waits out the 30 s
    other_slept: list[float] = []

    def another_customer() -> None:
        pacer.before_request(pacer.estimate(10))
        other_slept.extend(slept[1:])

    thread, done = in_thread(another_customer)
    assert done.wait(TIMEOUT)
    thread.join(TIMEOUT)
    assert slept[0] == 30.0
    # The sleeps are recorded, not slept, so the hold is still on when the other thread asks.
    assert len(other_slept) == 1 and 29 <= other_slept[0] <= 30.0


def test_each_thread_counts_its_own_waits_for_its_summary() -> None:
    slept: list[float] = []
    pacer = Pacer(sleep=slept.append)
    pacer.before_request(pacer.estimate(10))
    pacer.rate_limited(BUDGET, 12.0)
    mine: list[tuple[float, float]] = []
    thread, _ = in_thread(lambda: mine.append(pacer.mine()))
    thread.join(TIMEOUT)
    assert pacer.mine() == (0.0, 12.0) and mine == [(0.0, 0.0)]
    assert pacer.waited == 12.0  # the process's total


def test_pushers_side_by_side_keep_to_a_share_of_each_window_that_429s_halve() -> None:
    # Another process spends the same account's budget: this pacer only sees monday's answers.
    slept: list[float] = []
    clock = [1000.0]
    pacer = Pacer(
        sleep=lambda s: (slept.append(s), clock.__setitem__(0, clock[0] + s)), clock=lambda: clock[0]
    )
    pacer.observe(reading(10_000_000, 10_000_000, 60))
    assert pacer.full_batch() == 450  # 90% of the per-query max of 5,000,000 at 10,000 a mutation
    for expected in (450, 225, 112):  # a share of 1/2 of the budget, 1/4, 1/8 ...
        pacer.before_request(pacer.estimate(10))
        pacer.rate_limited(BUDGET, 1.0)
        assert pacer.full_batch() == expected

    # A new window: 1/8 of it is this pusher's, 1,250,000 points; it sends them, then waits for
    # the next window rather than spend what the other pushers need.
    clock[0] += 60
    pacer.before_request(pacer.estimate(100))
    pacer.observe(reading(10_000_000, 9_000_000, 60), 100)
    assert pacer.batch_size() == 25  # 250,000 points of its share left
    slept.clear()
    pacer.before_request(pacer.estimate(25))
    assert slept == []
    pacer.observe(reading(8_000_000, 7_750_000, 60), 25)
    pacer.before_request(pacer.estimate(25))
    assert len(slept) == 1 and 59 <= slept[0] <= 62  # the share is spent: wait for the reset

    # That window passed without a 429: the next one grows the share by a quarter.
    pacer.observe(reading(10_000_000, 9_750_000, 60), 25)
    assert pacer.share == pytest.approx(0.125 * 1.25)


def test_an_answer_overtaken_by_a_later_requests_answer_never_raises_what_is_left() -> None:
    pacer = Pacer(sleep=lambda _: None)
    pacer.observe(reading(10_000_000, 10_000_000, 60))
    first_sent, first_answer = threading.Event(), threading.Event()

    def big_batch() -> None:  # sent first, answered last
        pacer.before_request(pacer.estimate(450))
        first_sent.set()
        first_answer.wait(TIMEOUT)
        pacer.observe(reading(10_000_000, 5_500_000, 60), 450)

    thread, _ = in_thread(big_batch)
    assert first_sent.wait(TIMEOUT)
    time.sleep(0.01)  # the second request goes out after the first
    pacer.before_request(pacer.estimate(450))
    pacer.observe(reading(5_500_000, 1_000_000, 60), 450)  # its answer comes first: 1,000,000 left
    first_answer.set()
    thread.join(TIMEOUT)

    assert pacer.batch_size() == 100  # 1,000,000 left, not the 5,500,000 of the older answer
