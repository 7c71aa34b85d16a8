"""Append-only writes to ``MON_PushLog`` and the few reads of it the pusher needs.

Per batch: the ``intent`` rows (one per row, status ``sent``) are committed in one transaction
*before* the request goes out, the ``outcome`` rows in one transaction after it. A crash in
between leaves intents without outcome, which the next run treats like an ``unknown`` outcome.
All values are ``?`` parameters.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from pusher.errors import ConfigError
from pusher.store.database import Database

PUSH_LOG = "MON_PushLog"
LOG_COLUMNS = (
    "log_id",
    "logged_at",
    "run_id",
    "batch_id",
    "customer_name",
    "board_id",
    "entity",
    "sync_key",
    "parent_sync_key",
    "operation",
    "phase",
    "status",
    "payload_hash",
    "group_title",
    "item_name",
    "column_values",
    "monday_id",
    "monday_parent_id",
    "monday_group_id",
    "idempotency_key",
    "attempt",
    "error_code",
    "error_message",
)
_MAX = {"error_message": 2000, "error_code": 100, "item_name": 255, "group_title": 255, "sync_key": 400}
_RUN_COLUMNS = ("log_id", "logged_at", "run_id", "customer_name")  # from the log, the rest from the event
_EVENT_COLUMNS = tuple(c for c in LOG_COLUMNS if c not in _RUN_COLUMNS)
_event_values = attrgetter(*_EVENT_COLUMNS)
_LIMITS = [(len(_RUN_COLUMNS) + i, _MAX[c]) for i, c in enumerate(_EVENT_COLUMNS) if c in _MAX]
_ONE_MICROSECOND = dt.timedelta(microseconds=1)


def log_ids(n: int) -> list[str]:
    """``n`` distinct version-4 UUID texts: one random UUID, its last 48 bits counted up. 74 random
    bits tell one call's ids from another's; ``uuid4()`` per row cost ~20x as much (issue 22)."""
    head = uuid.UUID(bytes=os.urandom(16), version=4).hex
    prefix = f"{head[:8]}-{head[8:12]}-{head[12:16]}-{head[16:20]}-"
    tail = int(head[20:], 16)
    return [f"{prefix}{(tail + i) & 0xFFFFFFFFFFFF:012x}" for i in range(n)]


@dataclass
class LogEvent:
    entity: str
    sync_key: str
    operation: str
    phase: str
    status: str
    batch_id: str | None = None
    board_id: str | None = None
    parent_sync_key: str | None = None
    payload_hash: str | None = None
    group_title: str | None = None
    item_name: str | None = None
    column_values: str | None = None
    monday_id: str | None = None
    monday_parent_id: str | None = None
    monday_group_id: str | None = None
    idempotency_key: str | None = None
    attempt: int = 1
    error_code: str | None = None
    error_message: str | None = None

    def as_outcome(self, status: str, code: str | None = None, message: str | None = None) -> LogEvent:
        """This intent's outcome row: a copy with phase ``outcome``, ``status`` and the error.
        (``dataclasses.replace`` runs ``__init__`` again: ~5x the CPU at 100,000 rows a job.)"""
        ev = object.__new__(LogEvent)
        ev.__dict__.update(self.__dict__)
        ev.phase, ev.status, ev.error_code, ev.error_message = "outcome", status, code, message
        return ev


@dataclass
class Confirmed:
    """The latest ``ok`` outcome of an item (what monday is known to hold)."""

    monday_id: str | None
    operation: str
    group_title: str | None
    item_name: str | None
    board_id: str | None = None

    @property
    def live(self) -> bool:
        return self.operation not in ("archive", "delete")


class PushLog:
    def __init__(self, db: Database, run_id: str, customer_name: str) -> None:
        if not db.relation_exists(PUSH_LOG):
            raise ConfigError(
                f"{db.schema}.{PUSH_LOG} does not exist: dbt creates it (on-run-start); run dbt first"
            )
        self.db = db
        self.run_id = run_id
        self.customer_name = customer_name
        self.table = db.relation(PUSH_LOG)
        self._last_ts: dt.datetime | None = None
        self._attempts: dict[tuple[str, str, str, str | None], int] = {}
        self._pending: dict[tuple[str, str], dict[str, Any]] = {}
        self.rows_written = 0

    # ---------------------------------------------------------------- clock
    def _now(self, rows: int = 1) -> dt.datetime:
        """UTC, strictly increasing within this process; ``rows`` microseconds are kept for the
        rows of one write (the first is returned)."""
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # noqa: UP017 (3.10)
        if self._last_ts is not None and now <= self._last_ts:
            now = self._last_ts + _ONE_MICROSECOND
        self._last_ts = now + (rows - 1) * _ONE_MICROSECOND
        return now

    # --------------------------------------------------------------- writes
    def write(self, events: Iterable[LogEvent]) -> None:
        """Append ``events`` in one transaction, in their order (``logged_at`` one microsecond
        apart)."""
        events = list(events)
        if not events:
            return
        at = self._now(len(events))
        run = (self.run_id, self.customer_name)
        rows = []
        for ev, log_id in zip(events, log_ids(len(events)), strict=True):
            row = (log_id, at, *run, *_event_values(ev))
            at += _ONE_MICROSECOND
            for i, limit in _LIMITS:
                v = row[i]
                if isinstance(v, str) and len(v) > limit:
                    row = (*row[:i], v[: limit - 1] + "…", *row[i + 1 :])
            rows.append(row)
            self._track(ev)
        with self.db.transaction() as cur:
            self.db.insert_many(cur, self.table, _RUN_COLUMNS + _EVENT_COLUMNS, rows)
        self.rows_written += len(rows)

    def _track(self, ev: LogEvent) -> None:
        key = (ev.entity, ev.sync_key)
        if ev.phase == "intent":
            akey = (ev.entity, ev.sync_key, ev.operation, ev.payload_hash)
            self._attempts[akey] = max(self._attempts.get(akey, 0), ev.attempt)
            self._pending[key] = dict(vars(ev))
        elif ev.status in ("ok", "error"):
            self._pending.pop(key, None)
        else:
            self._pending[key] = {**self._pending.get(key, {}), **{"status": "unknown"}}

    # ---------------------------------------------------------------- reads
    def load_history(self, entity: str) -> None:
        """Attempt counters, and the keys whose latest event is unknown / an intent with no outcome."""
        for sync_key, operation, payload_hash, n in self.db.query(
            f"SELECT sync_key, operation, payload_hash, COUNT(*) FROM {self.table} "
            "WHERE customer_name = ? AND entity = ? AND phase = 'intent' "
            "GROUP BY sync_key, operation, payload_hash",
            (self.customer_name, entity),
        ):
            self._attempts[(entity, sync_key, operation, payload_hash)] = int(n)
        rows = self.db.query_dicts(
            "SELECT sync_key, operation, phase, status, payload_hash, group_title, item_name, column_values, "
            "monday_parent_id, monday_group_id, batch_id, idempotency_key, run_id, logged_at FROM ("
            "SELECT l.*, ROW_NUMBER() OVER (PARTITION BY sync_key ORDER BY logged_at DESC) AS rn "
            f"FROM {self.table} l WHERE customer_name = ? AND entity = ?) t "
            "WHERE rn = 1 AND NOT (phase = 'outcome' AND status IN ('ok', 'error'))",
            (self.customer_name, entity),
        )
        for rec in rows:
            self._pending[(entity, rec["sync_key"])] = rec

    def batch_intents(self, entity: str, batch_id: str) -> list[dict[str, Any]]:
        """The intents one request logged, in the order they were sent (logged_at increases
        strictly within a process, and a request's intents are written in its order)."""
        return self.db.query_dicts(
            "SELECT entity, sync_key, operation, payload_hash, parent_sync_key, group_title, item_name, "
            "column_values, monday_parent_id, monday_group_id, board_id, batch_id, idempotency_key, run_id, "
            f"logged_at FROM {self.table} WHERE customer_name = ? AND entity = ? AND batch_id = ? "
            "AND phase = 'intent' ORDER BY logged_at",
            (self.customer_name, entity, batch_id),
        )

    def key_scopes(self, key: str, since: dt.datetime) -> list[str]:
        """The runs that logged requests under Idempotency-Key ``key`` since ``since`` (UTC), first
        one first. ``since`` keeps the read to the newest part of the log (clustered on logged_at)."""
        rows = self.db.query(
            f"SELECT run_id, MIN(logged_at) AS first_at FROM {self.table} "
            "WHERE logged_at >= ? AND idempotency_key = ? GROUP BY run_id ORDER BY first_at",
            (since, key),
        )
        return [str(r[0]) for r in rows if r[0] is not None]

    def next_attempt(self, entity: str, sync_key: str, operation: str, payload_hash: str | None) -> int:
        """1 for the first try of this operation with this payload, then 2, ..."""
        return self._attempts.get((entity, sync_key, operation, payload_hash), 0) + 1

    def unresolved(self, entity: str, sync_key: str) -> dict[str, Any] | None:
        """The last attempt for ``sync_key`` when its outcome is unknown (or never logged)."""
        return self._pending.get((entity, sync_key))

    def confirmed_items(self, board_id: str | None = None) -> dict[str, Confirmed]:
        """Latest ok outcome per item sync key of this customer, on ``board_id`` (None: on any
        board, i.e. where each item is now: a moved line's latest event is on its new board)."""
        where, params = ("AND board_id = ? ", [board_id]) if board_id is not None else ("", [])
        rows = self.db.query(
            "SELECT sync_key, monday_id, operation, group_title, item_name, board_id FROM ("
            "SELECT sync_key, monday_id, operation, group_title, item_name, board_id, "
            "ROW_NUMBER() OVER (PARTITION BY sync_key ORDER BY logged_at DESC) AS rn "
            f"FROM {self.table} WHERE customer_name = ? {where}AND entity = 'item' "
            "AND phase = 'outcome' AND status = 'ok') t WHERE rn = 1",
            [self.customer_name, *params],
        )
        return {
            r[0]: Confirmed(
                None if r[1] is None else str(r[1]), r[2], r[3], r[4], None if r[5] is None else str(r[5])
            )
            for r in rows
        }

    def known_groups(self, board_id: str) -> dict[str, str]:
        """group title → monday group id, from the latest ok group events on ``board_id``."""
        rows = self.db.query(
            "SELECT sync_key, monday_id FROM ("
            "SELECT sync_key, monday_id, "
            "ROW_NUMBER() OVER (PARTITION BY sync_key ORDER BY logged_at DESC) AS rn "
            f"FROM {self.table} WHERE board_id = ? AND entity = 'group' AND phase = 'outcome' "
            "AND status = 'ok') t WHERE rn = 1",
            (board_id,),
        )
        return {r[0]: str(r[1]) for r in rows if r[1] is not None}


def outcome_events(intents: Sequence[LogEvent], results: Sequence[Any]) -> list[LogEvent]:
    """The outcome rows for a batch, one per intent, from ``operations.Outcome`` results."""
    events = []
    for intent, res in zip(intents, results, strict=True):
        ev = intent.as_outcome(res.status, res.error_code, res.error_message)
        if res.status == "ok" and res.monday_id and intent.operation in ("create", "adopt"):
            ev.monday_id = res.monday_id
        events.append(ev)
    return events
