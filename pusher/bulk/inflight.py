"""The import jobs of a run that are started and uploaded but not settled (issue 22): polled
together, one round at a time with one back-off, while the run goes on with its mutations.

A round polls every job in flight; the jobs that are final (or that monday no longer knows) leave
the pipeline and are handed to ``settle`` in the order they finished. Between rounds the run does
other work (``due()`` says whether a round is due); only at the end does it wait (``drain``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pusher.bulk.jobs import ImportStatus, poll_ceiling
from pusher.bulk.wave_state import Launched

Poll = Callable[[list[Launched]], list[ImportStatus | None]]  # one request for every job in flight
Done = list[tuple[Launched, ImportStatus | None]]


class InFlight:
    def __init__(self, first: float) -> None:
        self.first = first  # seconds to the first poll (bulk.poll_seconds), then 1.5 times longer
        self.jobs: list[Launched] = []
        self._delay = first
        self._next = 0.0  # time.monotonic() of the next round

    def add(self, launched: list[Launched]) -> None:
        if launched and not self.jobs:  # the first round: one interval after the first upload
            self._delay = self.first
            self._next = time.monotonic() + self._delay
        self.jobs += launched

    def keys(self) -> set[tuple[str, str]]:
        """(entity, sync key) of every row in a job not settled yet."""
        return {(op.entity, op.sync_key) for one in self.jobs for op in one.job.rows}

    def due(self) -> float:
        """Seconds until the next round (≤ 0: due now)."""
        return self._next - time.monotonic()

    def round(self, poll: Poll) -> Done:
        """Poll every job in flight once; the finished ones, taken out of the pipeline."""
        done = [(one, status) for one, status in zip(self.jobs, poll(self.jobs), strict=True)
                if status is None or status.final]  # fmt: skip
        finished = {id(one) for one, _ in done}
        self.jobs = [one for one in self.jobs if id(one) not in finished]
        self._delay = min(self._delay * 1.5, poll_ceiling(self.first))
        self._next = time.monotonic() + self._delay
        return done

    def give_up(self, poll: Poll) -> Done:
        """Every job left, with its last status (still running: the next run settles it)."""
        left, self.jobs = self.jobs, []
        return list(zip(left, poll(left), strict=True))


def upload_checked(one: Launched, status: ImportStatus | None) -> ImportStatus | None:
    """``status``, or REJECTED when the job still waits for a file whose upload failed: nobody else
    has its URL, so it creates nothing."""
    if one.upload_error is not None and status is not None and status.state == "UPLOAD_PENDING":
        return ImportStatus("REJECTED", "UPLOAD_FAILED", one.upload_error)
    return status
