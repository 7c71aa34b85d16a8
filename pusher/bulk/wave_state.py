"""What the bulk path keeps during a run (docs/CONTRACT.md, "Initial loads"): monday's limits,
the jobs of the run, the rows they hold back, and the account's use of the hourly limits as our
own push log records it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pusher.bulk.files import Job
from pusher.errors import PusherError
from pusher.store.outbox import SubitemRow
from pusher.store.push_log import LogEvent, PushLog

HOURLY_ITEMS = 19_000  # ingest_items: items per account per hour
HOURLY_STARTS = 100  # job starts per account per hour (ingest and backfill together)
START_WAIT = 120.0  # seconds a run waits for a job start slot before using mutations
UPLOAD_URL_LIFE = dt.timedelta(minutes=10)
JOB_PENDING = "JOB_PENDING"  # a job of an earlier run may still create the row: not sent this run


class InvalidUpload(PusherError):
    """monday could not read a file we made: a bug in the CSV builder (exit 1)."""


@dataclass
class JobTally:
    job_id: str
    mode: str
    board_id: str
    rows: int
    status: str = "sent"  # ok | error | unknown | pending
    reason: str | None = None
    seconds: float = 0.0  # from the start request to the outcomes logged (this run's jobs)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # noqa: UP017 (3.10)


@dataclass
class Launched:
    """A job started, logged and uploaded, not yet settled."""

    job_ev: LogEvent
    intents: list[LogEvent]
    tally: JobTally
    job: Job
    upload_error: str | None
    began: float


@dataclass
class WaveState:
    """What the bulk path decided this run, for the board step and the summary."""

    mode: str = "auto"  # bulk.mode, lowered during the run (backfill refused → auto; limit → off)
    pending: set[tuple[str, str]] = field(default_factory=set)  # (entity, key) a live job may create
    handled: set[str] = field(default_factory=set)  # subitem keys a job of this run settled
    full: dict[str, str] = field(default_factory=dict)  # board id → why (BOARD_CAPACITY_EXCEEDED)
    jobs: list[JobTally] = field(default_factory=list)


def last_hour(push_log: PushLog) -> tuple[int, int]:
    """(rows of ingest jobs, job starts) this account's pushers logged in the last hour."""
    since = utcnow() - dt.timedelta(hours=1)
    rows = push_log.db.query(
        f"SELECT operation, column_values FROM {push_log.table} WHERE entity = 'job' AND "
        "phase = 'intent' AND logged_at >= ? AND operation IN ('ingest', 'backfill')",
        (since,),
    )
    used = sum(int(json.loads(cv or "{}").get("rows") or 0) for op, cv in rows if op == "ingest")
    return used, len(rows)


def group_subitems(rows: Sequence[SubitemRow]) -> Mapping[str, list[SubitemRow]]:
    out: dict[str, list[SubitemRow]] = {}
    for r in rows:
        out.setdefault(r.parent_sync_key, []).append(r)
    return out
