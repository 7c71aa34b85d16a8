"""Progress of a long push: a bar with rate and ETA on a terminal, plain lines otherwise.

Progress counts outbox rows settled so far (ok, error, unknown or left for the next run) against
the outbox rows read (the subitem outbox joins the total once the items pass is done). It is
updated after every request; it draws at most every ``redraw`` seconds on a terminal and writes
a plain line every ``interval`` seconds otherwise (a log file, a CI job, ``--log-format json``
through ``out``). A run that ends before the first line says nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from pusher.run.summary import Summary

BAR_WIDTH = 28


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    def __init__(
        self,
        summary: Summary,
        *,
        out: Callable[[str], None] = print,
        stream: TextIO | None = None,
        tty: bool | None = None,
        interval: float = 10.0,
        redraw: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
        label: str | None = None,
    ) -> None:
        self.summary = summary
        self.label = label  # named in plain lines, e.g. the customer when several are pushed at once
        self.out = out
        self.stream = stream if stream is not None else sys.stdout
        if tty is None:
            try:
                tty = bool(self.stream.isatty())
            except (AttributeError, ValueError):
                tty = False
        self.tty = tty
        self.interval = interval
        self.redraw = redraw
        self.clock = clock
        self.started = clock()
        self._last = self.started
        self._shown = False
        self._bar_len = 0

    # ------------------------------------------------------------ counting
    def done(self) -> int:
        s = self.summary
        settled = sum(n for key, n in s.counts.items() if not key.startswith("group."))
        return settled + s.failed

    def line(self) -> str:
        done, total = self.done(), max(self.summary.outbox_rows, 1)
        done = min(done, total)
        elapsed = self.clock() - self.started
        rate = done / elapsed * 60 if elapsed > 0 else 0.0
        eta = (total - done) / (rate / 60) if rate > 0 else None
        text = f"{done}/{total} rows ({done / total:.0%}), {rate:,.0f}/min"
        text += f", ETA {_duration(eta)}" if eta is not None and done < total else f", {_duration(elapsed)}"
        if self.tty:
            filled = int(BAR_WIDTH * done / total)
            return f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {text}"
        return f"push progress ({self.label}): {text}" if self.label else f"push progress: {text}"

    # ------------------------------------------------------------- drawing
    def update(self) -> None:
        now = self.clock()
        if now - self._last < (self.redraw if self.tty else self.interval):
            return
        self._last = now
        self._draw()

    def _draw(self) -> None:
        text = self.line()
        self._shown = True
        if self.tty:
            pad = " " * max(0, self._bar_len - len(text))
            self._bar_len = len(text)
            self.stream.write("\r" + text + pad)
            self.stream.flush()
        else:
            self.out(text)

    def close(self) -> None:
        """The final state, when anything was shown; a terminal bar ends its line."""
        if not self._shown:
            return
        self._draw()
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
        self._shown = False
