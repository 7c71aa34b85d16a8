"""Large removal waves as ``bulk_archive_items`` / ``bulk_delete_items`` jobs (issue 11).

At least ``bulk.min_rows`` archives (or deletes) on one board in a run go as jobs of at most
``CHUNK`` item ids, each logged like an import job (a ``job`` intent and one intent per row, then
outcomes), polled with ``job_status``. ``result.details`` names the ids that failed: those rows
are errors, the rest ok. A job that ends otherwise (FAILED, EXPIRED, CANCELLED, unknown) leaves its
rows ``unknown`` and they go by mutation at once: archiving or deleting twice is harmless.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from . import bulk_settle
from .bulk_jobs import RemovalStatus, StartRefused, removal_request
from .operations import Op
from .summary import RowError
from .writeback import LogEvent

if TYPE_CHECKING:
    from .bulk_wave import BulkWave, JobTally

CHUNK = 1_000  # item ids per job: monday documents no maximum (the sandbox guesses 1,000)


class Removals:
    def __init__(self, wave: BulkWave) -> None:
        self.wave = wave

    def send(self, board_id: str, kind: str, ops: Sequence[Op]) -> tuple[list[Op], set[str]]:
        """(ops still to send by mutation, sync keys monday confirmed removed)."""
        w = self.wave
        if w.mode == "off" or len(ops) < w.s.bulk.min_rows:
            return list(ops), set()
        rest: list[Op] = []
        done: set[str] = set()
        for i in range(0, len(ops), CHUNK):
            chunk = list(ops[i : i + CHUNK])
            left, ok = self._one(board_id, kind, chunk)
            rest += left
            done |= ok
        return rest, done

    def _one(self, board_id: str, kind: str, ops: list[Op]) -> tuple[list[Op], set[str]]:
        from .bulk_wave import JobTally

        w = self.wave
        ids = [str(op.monday_id) for op in ops]
        try:
            started = w.api.start(removal_request(kind, board_id, ids), board_id)
        except StartRefused as exc:
            w.summary.notes.append(f"bulk_{kind}_items not started ({exc.code}); those rows went by mutation")
            return ops, set()
        job_id = str(started["job_id"])
        info = {"rows": len(ops), "items": len(ops), "subitems": 0, "mode": f"bulk_{kind}"}
        # entity = job already says "bulk": the operation stays within the log's VARCHAR(10)
        job = bulk_settle.job_event(job_id, kind, board_id, None, None, info)
        intents = [
            w.sender._event(
                op,
                "intent",
                "sent",
                board_id,
                batch_id=job_id,
                idempotency_key=f"job:{job_id}",
                attempt=w.log.next_attempt(op.entity, op.sync_key, op.operation, op.payload_hash),
            )
            for op in ops
        ]
        w.log.write([job, *intents])
        tally = JobTally(job_id, f"bulk_{kind}", board_id, len(ops))
        w.state.jobs.append(tally)
        status = self._wait(job_id)
        if status is not None and not status.final:
            tally.status = "pending"
            return [], set()  # removals are safe to repeat, but not while the job still runs
        ok = self._settle(job, intents, status, tally)
        return [op for op in ops if op.sync_key not in ok], ok

    def _wait(self, job_id: str) -> RemovalStatus | None:
        w = self.wave
        poll = w.s.bulk.poll_seconds
        return w.api.wait(lambda: w.api.removal_status(job_id), poll, w.s.bulk.max_wait_seconds)

    def _settle(
        self, job: LogEvent, intents: list[LogEvent], status: RemovalStatus | None, tally: JobTally
    ) -> set[str]:
        """Log the outcomes; the sync keys confirmed removed."""
        w = self.wave
        done = status is not None and status.state == "COMPLETED"
        events: list[LogEvent] = []
        ok: set[str] = set()
        for intent in intents:
            ev = replace(intent, phase="outcome")
            if done and str(intent.monday_id) in (status.failed_ids if status else set()):
                ev.status, ev.error_code = "error", f"BULK_{intent.operation.upper()}_FAILED"
                ev.error_message = f"monday's {tally.mode} job {tally.job_id} could not remove it"
                w.summary.errors.append(
                    RowError(
                        "item", ev.sync_key, ev.operation, ev.error_code, ev.error_message, tally.board_id
                    )
                )
            elif done:
                ev.status = "ok"
                ok.add(intent.sync_key)
                w.summary.ok("item", intent.operation, board=tally.board_id)
            else:
                ev.status, ev.error_code = "unknown", (status.state if status else "JOB_UNKNOWN")
            events.append(ev)
        state = status.state if status else "JOB_UNKNOWN"
        job_out = replace(job, phase="outcome", status="ok" if done else "unknown")
        job_out.error_code = None if done else state
        job_out.error_message = status.error if status else None
        counts = {"ok": len(ok), "error": sum(e.status == "error" for e in events)}
        job_out.column_values = json.dumps(
            {**json.loads(job.column_values or "{}"), **counts}, sort_keys=True
        )
        w.log.write([*events, job_out])
        tally.status = job_out.status
        return ok

    def recover(self, job: LogEvent, intents: list[LogEvent], tally: JobTally) -> bool:
        """An earlier run's open removal job: settle it, or leave it while it runs."""
        status = self._wait(job.sync_key)
        if status is not None and not status.final:
            tally.status = "pending"
            return False
        self._settle(job, intents, status, tally)
        return True
