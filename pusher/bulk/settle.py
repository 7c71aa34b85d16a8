"""A finished (or lost) import job → ``MON_PushLog`` outcomes, written exactly like mutation outcomes.

The job's row intents were logged in the CSV's row order, so the report's ``serialNo`` n is the
n-th intent. A ``success`` line is an ``ok`` outcome with monday's id (a subitem's
``monday_parent_id`` is the id of the item row above it); any other status is an ``error`` with
code ``IMPORT_<STATUS>`` and monday's message; a row the report does not mention (or every row,
when there is no report) is ``unknown``: it takes the adoption path (looked up by sync key before
anything is created again). The job itself gets one outcome: ``ok`` (report taken), ``error``
(FAILED / REJECTED, error_code = failure_reason) or ``unknown``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from pusher.bulk.files import Job, parse_report
from pusher.bulk.jobs import ImportStatus
from pusher.monday.operations import Op
from pusher.run.summary import RowError, Summary
from pusher.store.push_log import LogEvent, PushLog

# Rejected before anything was created: the rows may go again at once, by another path, unlooked-up.
NOTHING_CREATED = frozenset(
    {
        "PERMISSION_DENIED",
        "AUTHORIZATION_FAILED",
        "ACCOUNT_CAPACITY_EXCEEDED",
        "BOARD_CAPACITY_EXCEEDED",
        "INVALID_UPLOAD",
        "FILE_TOO_LARGE",
    }
)
RETRIED = frozenset(f"IMPORT_{r}" for r in NOTHING_CREATED)  # rows that go again (or wait), not errors


@dataclass
class Settled:
    """What one job's outcomes were: rows per status (their outcome events)."""

    ok: list[LogEvent] = field(default_factory=list)
    error: list[LogEvent] = field(default_factory=list)
    unknown: list[LogEvent] = field(default_factory=list)
    job_status: str = "unknown"
    reason: str | None = None  # failure_reason
    message: str | None = None

    def keys(self, *kinds: str) -> set[tuple[str, str]]:
        return {(e.entity, e.sync_key) for kind in kinds for e in getattr(self, kind)}


def job_event(
    job_id: str, mode: str, board_id: str, group_title: str | None, group_id: str | None, info: dict
) -> LogEvent:
    """The job's intent row (``entity = 'job'``, ``sync_key`` = the job id)."""
    return LogEvent(
        entity="job",
        sync_key=job_id,
        operation=mode,
        phase="intent",
        status="sent",
        batch_id=job_id,
        board_id=board_id,
        group_title=group_title,
        monday_group_id=group_id,
        column_values=json.dumps(info, sort_keys=True),
        idempotency_key=f"job:{job_id}",
    )


def row_intent(op: Op, job_id: str, board_id: str, group_id: str, attempt: int) -> LogEvent:
    """A job row's intent: the row as it goes in the file, ``batch_id`` = the job id."""
    return LogEvent(
        entity=op.entity,
        sync_key=op.sync_key,
        operation="create",
        phase="intent",
        status="sent",
        batch_id=job_id,
        board_id=board_id,
        parent_sync_key=op.parent_sync_key,
        payload_hash=op.payload_hash,
        group_title=op.group_title,
        item_name=op.item_name,
        column_values=op.column_values,
        monday_group_id=group_id if op.entity == "item" else None,
        idempotency_key=f"job:{job_id}",
        attempt=attempt,
    )


def settle_rows(
    intents: Sequence[LogEvent], status: ImportStatus | None, report: str | None, lost: str
) -> Settled:
    """The outcome of each row intent: from the report when there is one, else ``unknown``
    (``lost`` says why)."""
    out = Settled()
    if status is not None:
        out.reason, out.message = status.failure_reason, status.failure_message
    lines = parse_report(report) if report else {}
    parent: tuple[str | None, bool] = (None, False)  # the last item row's id, and whether it failed
    for serial, intent in enumerate(intents, start=1):
        line = lines.get(serial)
        if intent.entity == "item":
            parent = (None, line is not None and line.status != "success")
        if line is not None and line.status == "success" and line.item_id:
            ev = intent.as_outcome("ok")
            ev.monday_id = line.item_id
            if intent.entity == "item":
                parent = (line.item_id, False)
            else:
                ev.monday_parent_id = parent[0]
            out.ok.append(ev)
        elif line is not None:
            code = f"IMPORT_{line.status.upper()}"[:100]
            out.error.append(intent.as_outcome("error", code, line.error or line.status))
        elif intent.entity == "subitem" and parent[1]:
            message = "not created: its item's row failed in the same import job"
            out.error.append(intent.as_outcome("error", "IMPORT_PARENT_FAILED", message))
        elif status is not None and status.state == "REJECTED" and status.failure_reason in NOTHING_CREATED:
            message = f"import job rejected ({status.failure_reason}): {status.failure_message or ''}".strip()
            out.error.append(intent.as_outcome("error", f"IMPORT_{status.failure_reason}", message))
        else:
            out.unknown.append(intent.as_outcome("unknown", "IMPORT_UNKNOWN", lost))
    return out


def write(
    push_log: PushLog, summary: Summary, job: LogEvent, settled: Settled, board_id: str, final: str | None
) -> None:
    """Log the rows' outcomes and the job's (one transaction), and count them in the summary.
    ``final``: the job's state (COMPLETED, FAILED, ...), None when monday does not know it."""
    if final == "COMPLETED" and not settled.unknown:
        job_out = job.as_outcome("ok")
    elif final in ("FAILED", "REJECTED"):
        job_out = job.as_outcome("error", settled.reason or final, settled.message)
    else:
        job_out = job.as_outcome("unknown", final or "JOB_UNKNOWN", "the job's report could not be had")
    settled.job_status = job_out.status
    counts = {"ok": len(settled.ok), "error": len(settled.error), "unknown": len(settled.unknown)}
    job_out.column_values = json.dumps({**json.loads(job.column_values or "{}"), **counts}, sort_keys=True)
    push_log.write([*settled.ok, *settled.error, *settled.unknown, job_out])
    for ev in settled.ok:
        summary.ok(ev.entity, "create", board=board_id)
    for ev in settled.error:
        if ev.error_code in RETRIED:  # sent again in this run (or held back: BOARD_FULL)
            continue
        summary.errors.append(
            RowError(ev.entity, ev.sync_key, "create", ev.error_code, ev.error_message, board_id)
        )


def intents_from_log(rows: Sequence[dict]) -> list[LogEvent]:
    """Logged intent rows (dicts, in logged order) back as events."""
    fields = set(LogEvent.__dataclass_fields__)
    return [LogEvent(**{k: v for k, v in r.items() if k in fields}) for r in rows]


def back_to_mutations(settled: Settled, job: Job | None, handled: set[str], push_log: PushLog) -> list[Op]:
    """Rows the job did not create for sure, as item ops to send by mutation in this run: unknown
    ones get a lookup first (sync/adopt.py); subitems leave ``handled`` for phase 3 to send."""
    if job is None:  # recovery: the outbox, read again, brings them back
        return []
    redo = settled.keys("unknown", "error") - settled.keys("ok")
    retry_now = {(e.entity, e.sync_key) for e in settled.error if e.error_code in RETRIED}
    out: list[Op] = []
    for op in job.rows:
        key = (op.entity, op.sync_key)
        if key not in redo or (key not in retry_now and key in settled.keys("error")):
            continue
        if op.entity == "subitem":
            handled.discard(op.sync_key)  # phase 3 sends it
            continue
        op.lookup_first, op.prior = key not in retry_now, dict(push_log.unresolved("item", op.sync_key) or {})
        out.append(op)
    return out
