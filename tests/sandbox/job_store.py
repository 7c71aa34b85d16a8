"""The account's import and bulk archive/delete jobs: starting them, the hourly limits, the
worker that processes them at the import rate (monday time), and their status.

Every job method runs under ``state.lock`` (the one lock of the sandbox): the worker thread
takes it for at most ``MAX_STEPS_PER_TICK`` rows at a time.
"""

from __future__ import annotations

import math
import secrets
import threading
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .bulk_jobs import PENDING, RUNNING, BulkJob
from .clock import MondayClock
from .errors import INVALID_ARGUMENT, INVALID_BOARD_ID, MondayError
from .faults import Fault
from .import_job import COMPLETED, ENDED, FAILED, PROCESSING, UPLOAD_PENDING, ImportJob
from .import_plan import MATCH_TYPES, plan, run_steps
from .limits import Limits
from .state import SandboxState

HOUR = 3600.0
QUEUE = "queue"  # Limits.import_processing: the account's import jobs one at a time, upload order
TICK_SECONDS = 0.02
MAX_STEPS_PER_TICK = 500
START_FIELDS = frozenset({"ingest_items", "backfill_items"})
JOB_NOT_FOUND = INVALID_ARGUMENT


class JobStore:
    def __init__(
        self,
        state: SandboxState,
        limits: Limits,
        clock: MondayClock,
        base_url: Callable[[], str],
        state_file: Path | None = None,
    ) -> None:
        self.state, self.limits, self.clock = state, limits, clock
        self.base_url = base_url
        self.state_file = state_file
        self.jobs: dict[str, ImportJob] = {}
        self.bulk: dict[str, BulkJob] = {}
        self.uploads: dict[str, str] = {}  # upload token -> job id
        self.reports: dict[str, str] = {}  # report token -> job id
        self._starts: deque[float] = deque()
        self._free_at = 0.0  # queue: monday time the job ahead ends (its last row at the rate)
        self._budget: list[list[float]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------- hourly limits
    def _prune(self, now: float) -> None:
        while self._starts and self._starts[0] <= now - HOUR:
            self._starts.popleft()
        self._budget = [e for e in self._budget if e[0] > now - HOUR]

    def check_starts(self, field_names: list[str]) -> int | None:
        """None if the request's job starts fit the hourly limit, else retryAfterMs (real ms)."""
        wanted = sum(1 for name in field_names if name in START_FIELDS)
        cap = self.limits.import_starts_per_hour
        if not wanted or not cap:
            return None
        with self.state.lock:
            now = self.clock.now()
            self._prune(now)
            if len(self._starts) + wanted <= cap:
                return None
            wait = self._starts[0] + HOUR - now if self._starts else HOUR
            return max(1, math.ceil(self.clock.real_seconds(wait) * 1000))

    def budget_left(self, now: float) -> int | None:
        cap = self.limits.ingest_items_per_hour
        if not cap:
            return None
        self._prune(now)
        return max(0, cap - math.ceil(sum(e[1] for e in self._budget)))

    # ----------------------------------------------------------------- starts
    def start_import(
        self,
        kind: str,
        board_id: Any,
        group_id: Any,
        on_match: dict[str, Any] | None,
        is_admin: bool,
        fault: Fault | None = None,
    ) -> ImportJob:
        board = self.state.board(board_id)
        if board.get("parent_board_id"):
            raise MondayError(
                "A subitems board can't be imported into: import into its parent board with "
                "name.subitem headers",
                INVALID_BOARD_ID,
                {"board_id": board["id"]},
            )
        group = self.state.group(board, str(group_id))
        if on_match is not None:
            cid = str(on_match["match_column_id"])
            ctype = "name" if cid == "name" else self.state.column(board, cid)["type"]
            if ctype not in MATCH_TYPES:
                raise MondayError(
                    f'Column "{cid}" ({ctype}) can\'t be a match column', INVALID_ARGUMENT, {"column_id": cid}
                )
            on_match = {"match_column_id": cid, "behaviour": str(on_match["behaviour"])}
        now = self.clock.now()
        token = secrets.token_urlsafe(18)
        job = ImportJob(
            id=str(uuid.uuid4()),
            kind=kind,
            board_id=board["id"],
            group_id=group["id"],
            on_match=on_match,
            is_admin=is_admin,
            created_at=now,
            upload_token=token,
            upload_expires=now + self.limits.job_url_ttl_seconds,
        )
        if fault is not None:
            self._apply_fault(job, fault)
        self.jobs[job.id] = job
        self.uploads[token] = job.id
        self._prune(now)
        self._starts.append(now)
        return job

    def start_bulk(
        self, kind: str, board_id: Any, item_ids: list[Any], fault: Fault | None = None
    ) -> BulkJob:
        board = self.state.board(board_id)
        ids = [str(i) for i in item_ids]
        cap = self.limits.bulk_item_ids_max
        if not ids or (cap and len(ids) > cap):
            raise MondayError(
                f"item_ids must hold 1 to {cap:,} ids (got {len(ids):,})",
                INVALID_ARGUMENT,
                {"item_ids": len(ids), "max": cap},
            )
        now = self.clock.now()
        job = BulkJob(str(uuid.uuid4()), kind, board["id"], ids, now, now)
        if fault is not None:
            self._apply_fault(job, fault)
        self.bulk[job.id] = job
        return job

    def _apply_fault(self, job: ImportJob | BulkJob, fault: Fault) -> None:
        rows = fault.params.get("rows")
        if fault.kind == "job_fail_after":
            job.fail_after = int(rows or 0)
        elif fault.kind == "job_stall":
            job.stall_after = int(rows or 0)
        elif isinstance(job, ImportJob) and fault.kind == "upload_expired":
            job.upload_expires = job.created_at - 1
        elif isinstance(job, ImportJob) and fault.kind == "report_expired":
            job.report_expired = True

    # ----------------------------------------------------------------- status
    def report_url(self, job: ImportJob) -> str | None:
        if job.report_token is None:
            return None
        return f"{self.base_url()}/_report/{job.report_token}?expires={int(job.report_expires or 0)}"

    def upload_url(self, job: ImportJob) -> str:
        return f"{self.base_url()}/_upload/{job.upload_token}?expires={int(job.upload_expires)}"

    def import_status(self, job_id: Any) -> dict[str, Any]:
        job = self.jobs.get(str(job_id))
        if job is None:
            raise MondayError(f"Job {job_id} not found", JOB_NOT_FOUND, {"job_id": str(job_id)})
        self.tick(2_000)
        return job.as_status(self.report_url(job))

    def bulk_status(self, job_id: Any) -> dict[str, Any]:
        job = self.bulk.get(str(job_id))
        if job is None:
            raise MondayError(f"Job {job_id} not found", JOB_NOT_FOUND, {"job_id": str(job_id)})
        self.tick(2_000)
        return job.as_status()

    # ------------------------------------------------------------- processing
    def _due(self, started_at: float | None, now: float, total: int) -> int:
        rate = self.limits.import_rows_per_second
        if rate <= 0 or started_at is None:
            return total
        return min(total, int((now - started_at) * rate))

    def _step_import(self, job: ImportJob, now: float, budget: int, turn: bool = True) -> int:
        """Advance one import job; ``turn``: its file may be checked now (queue: nothing runs ahead)."""
        if job.status == UPLOAD_PENDING and job.data is not None:
            job.waiting = not turn
            if not turn:
                return 0
            reserve = plan(job, self.state, self.limits, self.budget_left(now), now)
            if reserve:
                job.reserved = [now, float(reserve)]
                self._budget.append(job.reserved)
                job.release(job.counts["skipped"])
            if job.status == PROCESSING and self.limits.import_processing == QUEUE:
                job.started_at = max(job.started_at or now, self._free_at)
        ran = 0
        if job.status == PROCESSING:
            ran = run_steps(job, self.state, self._due(job.started_at, now, len(job.steps)), budget)
            if job.status in ENDED and self.limits.import_processing == QUEUE:
                self._free_at = self._end_of(job, now)
        if job.status in ENDED and job.ended_at is None:
            job.ended_at = now
        if job.status in (COMPLETED, FAILED) and job.parsed is not None and job.report_token is None:
            job.report_token = secrets.token_urlsafe(18)
            job.report_expires = now if job.report_expired else now + self.limits.job_url_ttl_seconds
            self.reports[job.report_token] = job.id
        return ran

    def _end_of(self, job: ImportJob, now: float) -> float:
        """When a job's last row was due (not the tick that saw it): the next one starts there."""
        rate = self.limits.import_rows_per_second
        if rate <= 0 or job.started_at is None or job.fail_after is not None:
            return now
        return min(now, job.started_at + len(job.steps) / rate)

    def _import_order(self) -> list[ImportJob]:
        """Side by side: every job; queue: by upload time (files not yet uploaded last)."""
        jobs = list(self.jobs.values())
        if self.limits.import_processing != QUEUE:
            return jobs
        return sorted(jobs, key=lambda j: math.inf if j.uploaded_at is None else j.uploaded_at)

    def tick(self, max_steps: int = MAX_STEPS_PER_TICK) -> bool:
        """Advance every job to the clock (at most ``max_steps`` rows); True while any is busy."""
        return self._tick(max_steps)[0]

    def _tick(self, max_steps: int) -> tuple[bool, bool]:
        """(any job busy, the row allowance used up: more rows are due already)."""
        with self.state.lock:
            now = self.clock.now()
            busy = False
            queue = self.limits.import_processing == QUEUE
            ahead = queue and any(j.status == PROCESSING for j in self.jobs.values())
            for job in self._import_order():
                if job.status not in ENDED:
                    max_steps -= self._step_import(job, now, max_steps, turn=not ahead)
                    busy = busy or job.status == PROCESSING
                    ahead = queue and (ahead or job.status == PROCESSING)
            for bulk in list(self.bulk.values()):
                if bulk.status in (PENDING, RUNNING):
                    due = self._due(bulk.started_at or now, now, len(bulk.item_ids))
                    max_steps -= bulk.run(self.state, now, due, max(0, max_steps))
                    busy = busy or bulk.status == RUNNING
            if self.state_file is not None:
                self.state.flush(self.state_file)
            return busy, max_steps <= 0

    def start_worker(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._work, name="monday-sandbox-jobs", daemon=True)
            self._thread.start()

    def stop_worker(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=5)
            self._thread = None

    def _work(self) -> None:
        backlog = False
        while not self._stop.wait(0 if backlog else TICK_SECONDS):  # the lock is let go in between
            backlog = self._tick(MAX_STEPS_PER_TICK)[1]

    # ------------------------------------------------------------------ admin
    def clear(self) -> None:
        with self.state.lock:
            self.jobs.clear()
            self.bulk.clear()
            self.uploads.clear()
            self.reports.clear()

    def reset_windows(self) -> None:
        with self.state.lock:
            self._starts.clear()
            self._budget.clear()
            self._free_at = 0.0

    def summary(self) -> dict[str, Any]:
        with self.state.lock:
            now = self.clock.now()
            self._prune(now)
            by_status: dict[str, int] = {}
            for job in [*self.jobs.values(), *self.bulk.values()]:
                by_status[job.status] = by_status.get(job.status, 0) + 1
            return {
                "import_jobs": len(self.jobs),
                "bulk_jobs": len(self.bulk),
                "by_status": by_status,
                "starts_last_hour": len(self._starts),
                "ingest_budget_left": self.budget_left(now),
                "clock_factor": self.clock.factor(),
            }
