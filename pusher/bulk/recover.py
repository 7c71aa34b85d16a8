"""Jobs an earlier run left open (a job ``intent`` with no ``outcome``), settled before anything
else is sent (docs/CONTRACT.md, "Initial loads"):

- COMPLETED (or FAILED / REJECTED) with a report: its outcomes are taken from it;
- still UPLOAD_PENDING or PROCESSING: waited for (``bulk.max_wait_seconds``), else left for the
  next run, and its rows are not sent in this one (the job may still create them);
- report gone, job unknown, or UPLOAD_PENDING past the upload URL's 10 minutes: its rows are
  logged ``unknown``, so this run looks each one up by sync key before creating anything.

A bulk archive / delete job left open is polled the same way (``job_status``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from pusher.bulk import settle as bulk_settle
from pusher.bulk.jobs import UPLOAD_EXPIRED, ImportStatus
from pusher.bulk.wave import UPLOAD_URL_LIFE, BulkWave, JobTally, utcnow
from pusher.store.push_log import LogEvent

log = logging.getLogger(__name__)

REMOVALS = ("archive", "delete")  # a job row's operation: archive / delete, or ingest / backfill
_FIELDS = ", ".join(f for f in LogEvent.__dataclass_fields__)


def open_jobs(wave: BulkWave) -> list[dict[str, Any]]:
    """This customer's jobs with an intent and no outcome, oldest first."""
    table = wave.ctx.log.table
    return wave.ctx.log.db.query_dicts(
        f"SELECT {_FIELDS}, logged_at FROM {table} j WHERE customer_name = ? AND entity = 'job' AND "
        f"phase = 'intent' AND NOT EXISTS (SELECT 1 FROM {table} o WHERE o.entity = 'job' AND "
        "o.sync_key = j.sync_key AND o.phase = 'outcome') ORDER BY logged_at",
        (wave.ctx.log.customer_name,),
    )


def row_intents(wave: BulkWave, job_id: str) -> list[LogEvent]:
    """The job's row intents in the order they were logged (= the CSV's rows)."""
    rows = wave.ctx.log.db.query_dicts(
        f"SELECT {_FIELDS} FROM {wave.ctx.log.table} WHERE customer_name = ? AND batch_id = ? AND "
        "phase = 'intent' AND entity IN ('item', 'subitem') ORDER BY logged_at",
        (wave.ctx.log.customer_name, job_id),
    )
    return bulk_settle.intents_from_log(rows)


def recover(wave: BulkWave) -> bool:
    """Settle or wait for every open job; True when outcomes were logged (read the outbox again)."""
    logged = False
    for rec in open_jobs(wave):
        rec = {k.lower(): v for k, v in rec.items()}
        job = bulk_settle.intents_from_log([rec])[0]
        info = json.loads(job.column_values or "{}")
        mode = f"bulk_{job.operation}" if job.operation in REMOVALS else job.operation
        tally = JobTally(job.sync_key, mode, job.board_id or "", int(info.get("rows") or 0))
        wave.state.jobs.append(tally)
        intents = row_intents(wave, job.sync_key)
        if job.operation in REMOVALS:
            logged |= wave.removals.recover(job, intents, tally)
            continue
        status = _status(wave, job.sync_key, rec.get("logged_at"))
        wave.settle(job, intents, status, tally, None)
        logged |= tally.status != "pending"
        log.info("open job %s of an earlier run: %s", job.sync_key, tally.status)
    return logged


def _status(wave: BulkWave, job_id: str, started: Any) -> ImportStatus | None:
    expired = isinstance(started, dt.datetime) and utcnow() - started > UPLOAD_URL_LIFE
    status = wave.api.import_status(job_id)
    if status is not None and status.state == "UPLOAD_PENDING" and expired:
        return ImportStatus(UPLOAD_EXPIRED)  # nothing can reach it any more
    if status is None or status.final:
        return status
    left = wave.ctx.settings.bulk.max_wait_seconds
    if status.state == "UPLOAD_PENDING" and isinstance(started, dt.datetime):
        left = min(left, max(0.0, (started + UPLOAD_URL_LIFE - utcnow()).total_seconds()) + 1)
    status = wave.api.wait(lambda: wave.api.import_status(job_id), wave.ctx.settings.bulk.poll_seconds, left)
    if (
        status is not None
        and status.state == "UPLOAD_PENDING"
        and left < wave.ctx.settings.bulk.max_wait_seconds
    ):
        return ImportStatus(UPLOAD_EXPIRED)
    return status
