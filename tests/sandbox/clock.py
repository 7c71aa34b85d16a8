"""monday's clock as the sandbox runs it: scaled like the sandbox's minute.

``Limits.window_seconds`` is how many real seconds stand for monday's minute; the same factor
(60 / window_seconds) speeds up everything the bulk jobs measure in time: upload and report URL
expiry, the hourly windows and the import processing rate. With the default 60-second window
monday time runs at real speed. ``advance`` jumps monday time ahead (tests: expiry without
waiting). Monday time starts at the wall clock, so it can be printed as a Unix timestamp.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .limits import Limits

MONDAY_MINUTE = 60.0


class MondayClock:
    """Monotonic monday time in seconds; follows changes of ``window_seconds`` without jumps."""

    def __init__(self, limits: Limits, real: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._real = real
        self._lock = threading.Lock()
        self._last_real = real()
        self._monday = time.time()

    def factor(self) -> float:
        """Monday seconds per real second."""
        window = self.limits.window_seconds
        return MONDAY_MINUTE / window if window > 0 else 1.0

    def now(self) -> float:
        with self._lock:
            real = self._real()
            self._monday += (real - self._last_real) * self.factor()
            self._last_real = real
            return self._monday

    def advance(self, monday_seconds: float) -> float:
        """Jump ahead by ``monday_seconds``; return the new time."""
        self.now()
        with self._lock:
            self._monday += max(0.0, float(monday_seconds))
            return self._monday

    def real_seconds(self, monday_seconds: float) -> float:
        """How long ``monday_seconds`` take in real time."""
        return monday_seconds / self.factor()
