"""Pacing: stay inside monday's complexity budget and request rate so a steady run never sees a 429.

Every document asks for ``complexity { before after query reset_in_x_seconds }``. The pacer keeps
the last reading and, before a request whose estimated cost does not fit in what is left, sleeps
until the budget resets. It also sizes batches: ``mutation_cost`` points per mutation (learned
from ``query`` readings), never over the per-query max nor the per-minute budget; when less than
a full batch is left in the window, the next batch takes exactly what is left, so a long run fills
each window, waits for its reset, and fills the next (no idle gap, no 429).

One pacer serves every thread of a process (the budget is the account's, issue 20): a request's
estimated cost is reserved from the first step until its reading comes back, so threads sending to
different boards at once never spend the same points twice; until the first reading names the
budget, one request probes it while the others wait; a 429 holds every thread until the time
monday gave.

A 429 (COMPLEXITY_BUDGET_EXHAUSTED, MINUTE_RATE_LIMIT_EXCEEDED, MAX_CONCURRENCY_EXCEEDED) is
waited out (``retry_in_seconds`` / ``Retry-After``) without counting against the retry budget;
DAILY_LIMIT_EXCEEDED, or more waiting than ``max_wait`` in total, stops the run (``LimitStop``).
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from pusher.errors import LimitStop

log = logging.getLogger(__name__)

SAFETY = 0.9  # a full batch stays 10% under monday's per-query max (a refused document is split)
MIN_FILL = 0.1  # a batch filling what is left of the window must be at least this share of a full one
RESET_MARGIN = 0.05  # seconds added to the estimated reset before sending again
JITTER = 0.02  # share of a wait for a reset added at random, so pushers side by side do not all
#                fire the moment a window opens
MIN_SHARE = 1 / 32  # the least share of a window's budget this pusher spends
SHARE_GROWTH = 1.25  # a window without a budget 429 grows the share by a quarter
READ_COST = 2_000  # what a document is assumed to cost before monday has priced one
DAILY = "DAILY_LIMIT_EXCEEDED"
BUDGET = "COMPLEXITY_BUDGET_EXHAUSTED"


class _Mine(threading.local):
    """What one thread's requests leave in the pacer: its reservation and its waits."""

    reserved = 0  # estimated cost of this thread's request in flight
    sent_at: float | None = None
    paced = 0.0
    waited = 0.0


class Pacer:
    def __init__(
        self,
        *,
        mutation_cost: int = 10_000,
        max_query_complexity: int = 5_000_000,
        requests_per_minute: int = 1000,
        max_wait: float = 900.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        request_window: float = 60.0,
        anchor_on_send: bool = False,
        jitter: float = 0.0,
    ) -> None:
        self.mutation_cost = max(1, int(mutation_cost))
        self.max_query = max_query_complexity
        self.rpm = requests_per_minute
        self.request_window = request_window
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter
        self.remaining: int | None = None  # budget left after the last reading (None: reset since)
        self.reset_at: float | None = None  # clock() by which the budget has surely reset
        self.budget: int | None = None  # largest `before` seen: the per-window budget
        self.waited = 0.0  # seconds slept for 429s (every thread)
        self.paced = 0.0  # seconds slept to avoid them (every thread)
        self.limit_hits = 0
        self.split_cap: int | None = None  # set when monday refused a document as too complex
        # `reset_in_x_seconds` is rounded up to whole seconds and counts from when monday charged
        # the query: somewhere between sending it and the answer. Counting from the answer is
        # always safe; each reading of the same window bounds the reset from above and the
        # tightest wins. Counting from the send (anchor_on_send) waits less, but is only right
        # when monday charges at once; a COMPLEXITY_BUDGET_EXHAUSTED turns it off.
        self.anchor_on_send = anchor_on_send
        self._last_after: int | None = None
        self._window = 0.0  # the longest reset_in_x_seconds seen: about one window
        self._read_sent_at: float | None = None  # when the request of the latest reading in use went out
        # Pushers side by side on one account cannot see each other's reservations, only monday's
        # answers: a budget 429 halves the share of each window this pusher spends (and sizes its
        # requests to), each window without one grows it by a quarter, so n pushers settle near a
        # 1/n share each and stop colliding when a window opens.
        self.share = 1.0
        self._spent = 0  # points this pusher's readings show spent in the current window
        self._limited_in_window = False
        self._sent: deque[float] = deque()
        self._held_until = 0.0  # after a 429: no thread sends before this
        self._document_costs: dict[str, int] = {}  # a document → its cost at the last reading
        self._in_flight: dict[int, int] = {}  # thread → estimated cost of its request in flight
        self._mine = _Mine()
        self._lock = threading.Condition(threading.RLock())

    # --------------------------------------------------------------- sizing
    def full_batch(self, cap: int | None = None) -> int:
        """The most mutations one request may carry: under the per-query max and the budget."""
        if self.split_cap:
            cap = min(cap or self.split_cap, self.split_cap)
        ceiling = self.max_query
        if self.budget:
            ceiling = min(ceiling, self.budget * self.share)
        size = max(1, math.floor(ceiling * SAFETY / self.mutation_cost))
        return max(1, min(size, cap or size))

    def batch_size(self, cap: int | None = None) -> int:
        """How many mutations the next request should carry.

        A full batch, or, when less than that is left of the window's budget, exactly what is
        left (so each window is filled before waiting for its reset); a leftover too small to be
        worth a request (under ``MIN_FILL`` of a full batch) waits for the reset instead, and the
        new window starts with its odd part.
        """
        with self._lock:
            full = self.full_batch(cap)
            least = max(1, math.ceil(full * MIN_FILL))
            left = self._left()
            if left is not None:
                fit = left // self.mutation_cost
                if fit >= full:
                    return full
                if fit >= least:
                    return int(fit)
            if self.budget and (left is not None or self.remaining is None or self._reset_passed()):
                # A new window is next (this request waits for the reset, or it has passed): lead
                # with the window's odd part (1,000 a window = 100 + 450 + 450), so the reading that
                # bounds the following reset comes from a short request, taken just after the
                # window opened.
                odd = (self.budget // self.mutation_cost) % full
                if odd >= least:
                    return int(odd)
            return full

    def _reset_passed(self) -> bool:
        return self.reset_at is not None and self.clock() >= self.reset_at

    def _others(self) -> int:
        """Points reserved by other threads' requests still in flight."""
        me = threading.get_ident()
        return sum(cost for thread, cost in self._in_flight.items() if thread != me)

    def _left(self) -> int | None:
        """Budget left for this thread: the last reading (or, after a reset, the whole budget, when
        other threads are sending) less what other threads' requests in flight may spend."""
        others = self._others()
        if self.remaining is None or self.reset_at is None or self.clock() >= self.reset_at:
            if others and self.budget:
                return self.budget - others
            return None
        left = self.remaining - others
        if self.share < 1.0 and self.budget:
            left = min(left, int(self.share * self.budget) - self._spent - others)
        return left

    def estimate(self, mutations: int) -> int:
        return mutations * self.mutation_cost

    def document_estimate(self, document: str) -> int:
        """What a document (a read, or a one-off mutation such as a board's set-up) will cost: what
        it cost last time, else the dearest such document yet (a lookup of 50 sync keys costs ~25x
        a board read; reserving too little overspends)."""
        with self._lock:
            return self._document_costs.get(document) or max(self._document_costs.values(), default=READ_COST)

    # -------------------------------------------------------------- pacing
    def before_request(self, estimated_cost: int) -> None:
        """Sleep as needed so the next request fits the budget and the request rate, then reserve
        its cost until its reading (``observe``), its 429 or ``release``."""
        with self._lock:
            self._release()
            waited: set[str] = set()  # a hold or the request rate is waited for once, as asked
            while True:
                wait, why = self._wait_needed(estimated_cost, waited)
                if wait is None:
                    break
                waited.add(why)
                if wait > 0:
                    self._lock.release()  # other threads may finish (and read) while this one sleeps
                    try:
                        self._pace(wait, why)
                    finally:
                        self._lock.acquire()
                    if (
                        why == "complexity budget"
                        and self.reset_at is not None
                        and self.clock() < self.reset_at
                    ):
                        self.remaining = None  # slept until the reset by another clock: a new window
                else:
                    self._lock.wait(timeout=1.0)  # a request in flight comes back (observe/release)
            self._sent.append(self.clock())
            self._in_flight[threading.get_ident()] = estimated_cost
            self._mine.reserved = estimated_cost
            self._mine.sent_at = self.clock()

    def _wait_needed(self, cost: int, waited: set[str]) -> tuple[float | None, str]:
        """(seconds to sleep, why); 0: wait for a request in flight; None: send now."""
        now = self.clock()
        if self._held_until > now and "limit monday set" not in waited:
            return self._held_until - now, "limit monday set"
        others = self._others()
        if self.budget is None and others:
            return 0.0, "first reading"  # one request learns the budget; the others wait for it
        if self.remaining is not None and self.reset_at is not None:
            if now >= self.reset_at:
                self.remaining = None
            elif cost > self.remaining - others or self._over_share(cost, others):
                if others and cost <= self.remaining:
                    return 0.0, "requests in flight"
                # The reading stays as it is while this thread sleeps: the others must not send
                # into the spent window either.
                wait = self.reset_at - now + RESET_MARGIN
                return wait * (1 + random.uniform(0, self.jitter)), "complexity budget"  # noqa: S311
        elif others and self.budget and cost > self.budget - others:
            return 0.0, "requests in flight"  # a fresh window, taken by the requests in flight
        if self.rpm and "request rate" not in waited:
            window = self.request_window
            while self._sent and now - self._sent[0] >= window:
                self._sent.popleft()
            if len(self._sent) >= max(1, int(self.rpm * SAFETY)):
                return max(0.001, self._sent[0] + window - now), "request rate"
        return None, ""

    def _over_share(self, cost: int, others: int) -> bool:
        """Whether this request would take this pusher past its share of the window (only once a
        429 has shown that others spend the budget too)."""
        if self.share >= 1.0 or not self.budget:
            return False
        return self._spent + others + cost > max(self.share * self.budget, cost)

    def mark_sent(self) -> None:
        """Called right before the request goes out (after any lock wait)."""
        self._mine.sent_at = self.clock()

    def release(self) -> None:
        """This thread's request ended without a reading (a failure): its reservation goes."""
        with self._lock:
            self._release()

    def _release(self) -> None:
        if self._in_flight.pop(threading.get_ident(), None) is not None:
            self._lock.notify_all()
        self._mine.reserved = 0

    def mine(self) -> tuple[float, float]:
        """(paced, waited) seconds of this thread's requests: one customer's figures."""
        return self._mine.paced, self._mine.waited

    def _pace(self, seconds: float, why: str) -> None:
        if seconds <= 0:
            return
        log.info("pacing: waiting %.1fs for the %s", seconds, why)
        with self._lock:
            self.paced += seconds
        self._mine.paced += seconds
        self.sleep(seconds)

    def observe(
        self, complexity: dict[str, Any] | None, mutations: int = 0, document: str | None = None
    ) -> None:
        """Take in a ``complexity`` reading from a response (and end this thread's reservation);
        ``document``: the request's, when priced by ``document_estimate``: its cost is remembered."""
        with self._lock:
            sent_at = self._mine.sent_at
            self._mine.sent_at = None
            self._release()
            if not complexity:
                return
            try:
                before = int(complexity["before"])
                after = int(complexity["after"])
                query = int(complexity.get("query") or 0)
                reset_in = float(complexity.get("reset_in_x_seconds") or 60)
            except (KeyError, TypeError, ValueError):
                return
            now = self.clock()
            anchor = sent_at if self.anchor_on_send and sent_at is not None else now
            reset_at = anchor + reset_in
            self._window = max(self._window, reset_in)
            self.budget = max(self.budget or 0, before)
            which = self._window_of(reset_at, before, now, sent_at)
            if which != "earlier" and sent_at is not None:
                self._read_sent_at = max(self._read_sent_at or sent_at, sent_at)
            if which == "same":
                # Each reading of a window bounds its reset from above: the tightest bound wins;
                # answers of requests side by side arrive in any order: the least left wins.
                self.reset_at = min(reset_at, self.reset_at or reset_at)
                self.remaining = after if self.remaining is None else min(self.remaining, after)
            elif which == "new":
                self.reset_at, self.remaining = reset_at, after
                if not self._limited_in_window:
                    self.share = min(1.0, self.share * SHARE_GROWTH)
                self._spent, self._limited_in_window = 0, False
            if which != "earlier":
                self._spent += query
            self._last_after = after if which != "earlier" else self._last_after
            if document is not None and query > 0:
                self._document_costs[document] = query
            if mutations and query > 0:
                # Learn the real per-mutation cost, never below a tenth of the estimate.
                self.mutation_cost = max(self.mutation_cost // 10, math.ceil(query / mutations), 1)

    def _window_of(self, reset_at: float, before: int, now: float, sent_at: float | None) -> str:
        """Which window a reading is of, against the last one's reset ``self.reset_at``: "new",
        "same", or "earlier" (an answer that took longer than later ones; it is not used).

        Estimates of one window's reset differ by less than monday's rounding plus a request's
        time; the next window's lies a window later. Within half a window the budget decides (it
        never grows back within a window, whoever spends it), when this request went out after the
        one whose reading is kept: an answer overtaken by later ones only ever lowers what is left."""
        if self.reset_at is None or now >= self.reset_at:
            return "new"
        half = max(1.0, self._window / 2)
        if reset_at > self.reset_at + half:
            return "new"
        if reset_at < self.reset_at - half:
            return "earlier"
        in_order = sent_at is None or self._read_sent_at is None or sent_at >= self._read_sent_at
        if self._last_after is not None and before > self._last_after and in_order:
            return "new"
        return "same"

    # ------------------------------------------------------------------ 429
    def rate_limited(self, code: str, retry_in: float | None, message: str = "") -> None:
        """Wait out a 429, or stop the run (daily limit / too much waiting)."""
        with self._lock:
            self._release()
            self.limit_hits += 1
            if code == DAILY:
                raise LimitStop(f"monday daily call limit reached ({message}); the next run resumes", DAILY)
            if code == BUDGET:
                self.anchor_on_send = False
                self.share = max(MIN_SHARE, self.share / 2)
                self._limited_in_window = True
            seconds = retry_in if retry_in is not None else min(60.0, 2.0 ** min(self.limit_hits, 6))
            if self._mine.waited + seconds > self.max_wait:
                raise LimitStop(
                    f"{code}: would wait more than {self.max_wait:.0f}s in total for monday's limits; "
                    "stopping, the next run resumes",
                    code,
                )
            log.warning("monday %s: waiting %.1fs before resending", code, seconds)
            self.remaining = None
            self._mine.sent_at = None
            self._held_until = max(self._held_until, self.clock() + seconds)
            self.waited += seconds
            self._mine.waited += seconds
        self.sleep(seconds)
