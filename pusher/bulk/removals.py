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

from pusher.bulk import settle as bulk_settle
from pusher.bulk.jobs import JobApi, RemovalStatus, StartRefused, removal_request
from pusher.bulk.wave_state import JobTally, WaveState
from pusher.monday.operations import Op
from pusher.run.context import RunContext
from pusher.run.summary import RowError
from pusher.store.push_log import LogEvent

CHUNK = 1_000  # item ids per job: monday documents no maximum (the sandbox guesses 1,000)


class Removals:
    def __init__(self, ctx: RunContext, api: JobApi, state: WaveState) -> None:
        self.ctx = ctx
        self.api = api
        self.state = state

    def send(self, board_id: str, kind: str, ops: Sequence[Op]) -> tuple[list[Op], set[str]]:
        """(ops still to send by mutation, sync keys monday confirmed removed)."""
        if self.state.mode == "off" or len(ops) < self.ctx.settings.bulk.min_rows:
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
        ids = [str(op.monday_id) for op in ops]
        try:
            started = self.api.start(removal_request(kind, board_id, ids), board_id)
        except StartRefused as exc:
            self.ctx.summary.notes.append(
                f"bulk_{kind}_items not started ({exc.code}); those rows went by mutation"
            )
            return ops, set()
        job_id = str(started["job_id"])
        info = {"rows": len(ops), "items": len(ops), "subitems": 0, "mode": f"bulk_{kind}"}
        # entity = job already says "bulk": the operation stays within the log's VARCHAR(10)
        job = bulk_settle.job_event(job_id, kind, board_id, None, None, info)
        intents = [
            self.ctx.sender._event(
                op,
                "intent",
                "sent",
                board_id,
                batch_id=job_id,
                idempotency_key=f"job:{job_id}",
                attempt=self.ctx.log.next_attempt(op.entity, op.sync_key, op.operation, op.payload_hash),
            )
            for op in ops
        ]
        self.ctx.log.write([job, *intents])
        tally = JobTally(job_id, f"bulk_{kind}", board_id, len(ops))
        self.state.jobs.append(tally)
        status = self._wait(job_id)
        if status is not None and not status.final:
            tally.status = "pending"
            return [], set()  # removals are safe to repeat, but not while the job still runs
        ok = self._settle(job, intents, status, tally)
        return [op for op in ops if op.sync_key not in ok], ok

    def _wait(self, job_id: str) -> RemovalStatus | None:
        poll = self.ctx.settings.bulk.poll_seconds
        return self.api.wait(
            lambda: self.api.removal_status(job_id), poll, self.ctx.settings.bulk.max_wait_seconds
        )

    def _settle(
        self, job: LogEvent, intents: list[LogEvent], status: RemovalStatus | None, tally: JobTally
    ) -> set[str]:
        """Log the outcomes; the sync keys confirmed removed."""
        done = status is not None and status.state == "COMPLETED"
        events: list[LogEvent] = []
        ok: set[str] = set()
        for intent in intents:
            ev = replace(intent, phase="outcome")
            if done and str(intent.monday_id) in (status.failed_ids if status else set()):
                ev.status, ev.error_code = "error", f"BULK_{intent.operation.upper()}_FAILED"
                ev.error_message = f"monday's {tally.mode} job {tally.job_id} could not remove it"
                self.ctx.summary.errors.append(
                    RowError(
                        "item", ev.sync_key, ev.operation, ev.error_code, ev.error_message, tally.board_id
                    )
                )
            elif done:
                ev.status = "ok"
                ok.add(intent.sync_key)
                self.ctx.summary.ok("item", intent.operation, board=tally.board_id)
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
        self.ctx.log.write([*events, job_out])
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
