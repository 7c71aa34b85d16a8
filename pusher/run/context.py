"""``RunContext``: what every step of one run shares, made once and passed down.

Settings, the database, the push log, the monday client and its pacer, the summary, the progress
bar, the clock, the database's locks, and the sender built from them. The steps (``Boards``,
``BoardStep``, ``Adopter``, ``Replayer``, ``BulkWave``, ``JobApi``, ``Labels``, ``BoardMaker``) take
the context, not its parts, so a new collaborator of a run is added here once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from pusher.config.settings import Settings
from pusher.monday.client import MondayClient
from pusher.monday.pacing import JITTER, Pacer
from pusher.run.progress import Progress
from pusher.run.sender import Sender
from pusher.run.summary import Summary
from pusher.store.database import Database
from pusher.store.locks import DatabaseLocks
from pusher.store.push_log import PushLog


def pacer_for(settings: Settings, sleep: Callable[[float], None] = time.sleep) -> Pacer:
    """The pacer of monday's limits as monday.yml states them."""
    return Pacer(
        mutation_cost=settings.mutation_cost,
        max_query_complexity=settings.max_query_complexity,
        requests_per_minute=settings.requests_per_minute,
        max_wait=settings.max_limit_wait,
        sleep=sleep,
        jitter=JITTER,
    )


@dataclass
class RunContext:
    settings: Settings
    db: Database
    log: PushLog
    summary: Summary
    client: MondayClient
    pacer: Pacer
    sender: Sender
    locks: DatabaseLocks  # held by the database: board ordering, board making (pusher.store.locks)
    progress: Progress | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @property
    def run_id(self) -> str:
        return self.log.run_id

    @classmethod
    def start(
        cls,
        settings: Settings,
        db: Database,
        log: PushLog,
        summary: Summary,
        client: MondayClient,
        *,
        pacer: Pacer | None = None,
        progress: Progress | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> RunContext:
        """A run's context, its sender built from the same parts."""
        pacer = pacer or pacer_for(settings, sleep)
        locks = DatabaseLocks(db)
        sender = Sender(settings, client, pacer, log, summary, sleep, progress, locks)
        return cls(settings, db, log, summary, client, pacer, sender, locks, progress, sleep, clock)
