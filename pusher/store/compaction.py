"""Retention for ``MON_PushLog`` (issue 23): superseded rows older than ``history.keep_days`` move
to ``MON_PushLogArchive``, which the history view still reads.

A row is archived only when all of these hold:

- it was logged before the cutoff: now - ``keep_days`` (at least a day: monday's 30-minute replay
  window and the pusher's 25-minute resend window are far inside it), and not after the
  compacted state's watermark (dbt's ``int_push_log_compacted`` and
  ``int_push_log_batches_compacted`` have folded it, so no state moves when it leaves);
- an ``ok`` outcome for the same key (entity, sync_key, and board for groups) was logged after
  it, as that compacted state knows: the row is superseded. So the latest ``ok`` of a key, the
  latest ``ok`` that logged its monday ids, every row after them (an unresolved intent, an error
  run, an unknown outcome) and every row of a key that never got an ``ok`` (an open import job)
  stay in the hot log.

It runs in chunks of ``chunk_days`` of logged_at, each one transaction that copies the chunk's rows
to the archive and deletes exactly the copied rows from the log: a run killed at any point leaves
every row in exactly one of the two tables, and the next run carries on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pusher.errors import ConfigError
from pusher.store.database import Database
from pusher.store.push_log import LOG_COLUMNS, PUSH_LOG

ARCHIVE = "MON_PushLogArchive"
STATE = "int_push_log_compacted"
BATCHES = "int_push_log_batches_compacted"
MIN_KEEP_DAYS = 1


@dataclass
class Compaction:
    """What one run moved, and the bounds it used."""

    cutoff: dt.datetime | None
    archived: int = 0
    chunks: int = 0
    hot_rows: int = 0
    archive_rows: int = 0


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # noqa: UP017 (3.10)


def watermark(db: Database) -> dt.datetime | None:
    """The older of the two compacted models' watermarks; None when either was never built."""
    for name in (STATE, BATCHES):
        if not db.relation_exists(name):
            raise ConfigError(
                f"{db.schema}.{name} does not exist: run the scheduled `dbt build` once before "
                "`python -m pusher compact` (it folds the log the archive must not take from)"
            )
    rows = db.query(
        f"SELECT (SELECT MAX(folded_to) FROM {db.relation(STATE)} WHERE entity = '~watermark'), "
        f"(SELECT MAX(last_event_at) FROM {db.relation(BATCHES)} WHERE batch_id = '~watermark')"
    )
    marks = [m for m in rows[0] if m is not None] if rows else []
    return min(marks) if len(marks) == 2 else None


def _key_join(log: str) -> str:
    return (
        f"k.entity = {log}.entity AND k.sync_key = {log}.sync_key AND k.key_board = "
        f"CASE WHEN {log}.entity = 'group' THEN COALESCE({log}.board_id, '') ELSE '' END"
    )


def _superseded(log: str, state: str) -> str:
    """The rows of ``log`` in [?, ?) that an ok of their key logged later supersedes (as the
    compacted ``state`` knows it), and that are not the latest ok to log the key's monday ids."""
    return (
        f"{log}.logged_at >= ? AND {log}.logged_at < ? AND EXISTS (SELECT 1 FROM {state} k "
        f"WHERE {_key_join(log)} AND k.ok_logged_at > {log}.logged_at AND NOT ({log}.phase = 'outcome' "
        f"AND {log}.status = 'ok' AND {log}.monday_id IS NOT NULL AND {log}.logged_at >= k.id_logged_at))"
    )


def compact(db: Database, keep_days: int, chunk_days: int = 7, now: dt.datetime | None = None) -> Compaction:
    """Move the superseded rows older than ``keep_days`` to the archive, chunk by chunk."""
    if keep_days < MIN_KEEP_DAYS:
        raise ConfigError(f"history.keep_days must be at least {MIN_KEEP_DAYS}, got {keep_days}")
    if not db.relation_exists(ARCHIVE) or not db.relation_exists(PUSH_LOG):
        raise ConfigError(f"{db.schema}.{ARCHIVE} does not exist: run `dbt build` (on-run-start makes it)")
    mark = watermark(db)
    now = now or _utcnow()
    cutoff = now - dt.timedelta(days=keep_days)
    if mark is not None and mark < cutoff:
        cutoff = mark
    log, archive, state = db.relation(PUSH_LOG), db.relation(ARCHIVE), db.relation(STATE)
    result = Compaction(cutoff if mark is not None else None)
    if mark is not None:
        oldest = db.query(f"SELECT MIN(logged_at) FROM {log} WHERE logged_at < ?", (cutoff,))
        start = oldest[0][0] if oldest and oldest[0][0] is not None else cutoff
        columns = ", ".join(LOG_COLUMNS)
        picked = ", ".join(f"l.{c}" for c in LOG_COLUMNS)
        where = _superseded("l", state)
        while start < cutoff:
            end = min(start + dt.timedelta(days=chunk_days), cutoff)
            with db.transaction() as cur:
                cur.execute(
                    f"INSERT INTO {archive} ({columns}, archived_at) SELECT {picked}, ? FROM {log} l "
                    f"WHERE {where} AND NOT EXISTS (SELECT 1 FROM {archive} a WHERE a.log_id = l.log_id "
                    "AND a.logged_at >= ? AND a.logged_at < ?)",
                    (now, start, end, start, end),
                )
                cur.execute(
                    f"DELETE FROM {log} WHERE logged_at >= ? AND logged_at < ? AND EXISTS (SELECT 1 FROM "
                    f"{archive} a WHERE a.log_id = {log}.log_id AND a.logged_at >= ? AND a.logged_at < ?)",
                    (start, end, start, end),
                )
                moved = cur.rowcount
            result.archived += max(moved or 0, 0)
            result.chunks += 1
            start = end
    result.hot_rows = int(db.query(f"SELECT COUNT(*) FROM {log}")[0][0])
    result.archive_rows = int(db.query(f"SELECT COUNT(*) FROM {archive}")[0][0])
    return result
