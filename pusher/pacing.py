"""Pacing: stay inside monday's complexity budget and request rate so a steady run never sees a 429.

Every document asks for ``complexity { before after query reset_in_x_seconds }``. The pacer keeps
the last reading and, before a request whose estimated cost does not fit in what is left, sleeps
until the budget resets. It also sizes batches: ``mutation_cost`` points per mutation (learned
from ``query`` readings), never over the per-query max nor the per-minute budget.

A 429 (COMPLEXITY_BUDGET_EXHAUSTED, MINUTE_RATE_LIMIT_EXCEEDED, MAX_CONCURRENCY_EXCEEDED) is
waited out (``retry_in_seconds`` / ``Retry-After``) without counting against the retry budget;
DAILY_LIMIT_EXCEEDED, or more waiting than ``max_wait`` in total, stops the run (``LimitStop``).

``BoardLock`` keeps one mutation request in flight per board across pusher processes on a host.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import LimitStop

log = logging.getLogger(__name__)

SAFETY = 0.9  # keep 10% headroom under every limit
DAILY = "DAILY_LIMIT_EXCEEDED"


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
    ) -> None:
        self.mutation_cost = max(1, int(mutation_cost))
        self.max_query = max_query_complexity
        self.rpm = requests_per_minute
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self.remaining: int | None = None  # budget left after the last reading
        self.reset_at: float | None = None  # clock() when the budget resets
        self.budget: int | None = None  # largest `before` seen: the per-minute budget
        self.waited = 0.0  # seconds slept for 429s
        self.paced = 0.0  # seconds slept to avoid them
        self.limit_hits = 0
        self.split_cap: int | None = None  # set when monday refused a document as too complex
        self._sent: deque[float] = deque()

    # --------------------------------------------------------------- sizing
    def batch_size(self, cap: int | None = None) -> int:
        """How many mutations fit in one request."""
        if self.split_cap:
            cap = min(cap or self.split_cap, self.split_cap)
        ceiling = self.max_query
        if self.budget:
            ceiling = min(ceiling, self.budget)
        size = max(1, math.floor(ceiling * SAFETY / self.mutation_cost))
        return max(1, min(size, cap or size))

    def estimate(self, mutations: int) -> int:
        return mutations * self.mutation_cost

    # -------------------------------------------------------------- pacing
    def before_request(self, estimated_cost: int) -> None:
        """Sleep as needed so the next request fits the budget and the request rate."""
        now = self.clock()
        if self.remaining is not None and self.reset_at is not None:
            if now >= self.reset_at:
                self.remaining = None
            elif estimated_cost > self.remaining:
                self._pace(self.reset_at - now + 0.05, "complexity budget")
                self.remaining = None
        if self.rpm:
            window = 60.0
            now = self.clock()
            while self._sent and now - self._sent[0] >= window:
                self._sent.popleft()
            if len(self._sent) >= int(self.rpm * SAFETY):
                self._pace(self._sent[0] + window - now, "request rate")
        self._sent.append(self.clock())

    def _pace(self, seconds: float, why: str) -> None:
        if seconds <= 0:
            return
        log.info("pacing: waiting %.1fs for the %s", seconds, why)
        self.paced += seconds
        self.sleep(seconds)

    def observe(self, complexity: dict[str, Any] | None, mutations: int = 0) -> None:
        """Take in a ``complexity`` reading from a response."""
        if not complexity:
            return
        try:
            before = int(complexity["before"])
            after = int(complexity["after"])
            query = int(complexity.get("query") or 0)
            reset_in = float(complexity.get("reset_in_x_seconds") or 60)
        except (KeyError, TypeError, ValueError):
            return
        self.remaining = after
        self.reset_at = self.clock() + reset_in
        self.budget = max(self.budget or 0, before)
        if mutations and query > 0:
            # Learn the real per-mutation cost, never below a tenth of the estimate.
            self.mutation_cost = max(self.mutation_cost // 10, math.ceil(query / mutations), 1)

    # ------------------------------------------------------------------ 429
    def rate_limited(self, code: str, retry_in: float | None, message: str = "") -> None:
        """Wait out a 429, or stop the run (daily limit / too much waiting)."""
        self.limit_hits += 1
        if code == DAILY:
            raise LimitStop(f"monday daily call limit reached ({message}); the next run resumes", DAILY)
        seconds = retry_in if retry_in is not None else min(60.0, 2.0 ** min(self.limit_hits, 6))
        if self.waited + seconds > self.max_wait:
            raise LimitStop(
                f"{code}: would wait more than {self.max_wait:.0f}s in total for monday's limits; "
                "stopping, the next run resumes",
                code,
            )
        log.warning("monday %s: waiting %.1fs before resending", code, seconds)
        self.remaining = None
        self.waited += seconds
        self.sleep(seconds)


class BoardLock:
    """An advisory file lock: one mutation request in flight per board on this host."""

    def __init__(self, board_id: str, directory: str | None = None) -> None:
        base = Path(directory or os.environ.get("ORDER_SYNC_LOCK_DIR") or tempfile.gettempdir())
        self.path = base / f"order-sync-board-{board_id}.lock"

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # not POSIX: the single-threaded loop is the only guarantee
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
