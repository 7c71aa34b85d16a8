"""Large create waves as monday import jobs (docs/CONTRACT.md, "Initial loads", issue 11).

Per board and group, new items with their new subitems go as ``ingest_items`` / ``backfill_items``
jobs when there are at least ``bulk.min_rows`` rows of them; everything else stays a mutation.
One job: build its file, start it, log the job and each row as ``intent`` (one write, before the
upload), PUT the CSV; it is then in flight (issue 22): every board's jobs are started this way
before any is waited for, the run goes on with its mutations, ``collect`` polls the jobs in flight
together (back-off) and settles each as it finishes: report taken, outcomes logged
(``bulk_settle``). What a job could not settle goes back to the mutation path flagged for a
sync-key lookup first: never created twice. A job's intents are logged before its upload, so a
run killed with jobs in flight leaves them to the next run's ``recover``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence

from pusher.boards.capacity import BOARD_FULL
from pusher.boards.views import BoardView
from pusher.bulk import settle as bulk_settle
from pusher.bulk.files import ROWS_PER_JOB, Job, Unit, build_job, split_units, units_of
from pusher.bulk.inflight import InFlight, upload_checked
from pusher.bulk.jobs import ImportStatus, JobApi, StartRefused, start_request
from pusher.bulk.labels import Labels
from pusher.bulk.removals import Removals
from pusher.bulk.wave_state import (
    HOURLY_ITEMS,
    HOURLY_STARTS,
    JOB_PENDING,
    START_WAIT,
    UPLOAD_URL_LIFE,
    InvalidUpload,
    JobTally,
    Launched,
    WaveState,
    group_subitems,
    last_hour,
    utcnow,
)
from pusher.errors import LimitStop, PusherError
from pusher.monday.operations import Op
from pusher.run.context import RunContext
from pusher.run.summary import RowError
from pusher.store.outbox import SubitemRow
from pusher.store.push_log import LogEvent

__all__ = [
    "JOB_PENDING", "UPLOAD_URL_LIFE", "BulkWave", "InvalidUpload", "JobTally", "group_subitems", "utcnow",
]  # fmt: skip

log = logging.getLogger(__name__)


class BulkWave:
    def __init__(
        self,
        ctx: RunContext,
    ) -> None:
        self.ctx = ctx
        self.api = JobApi(ctx, START_WAIT)
        self.state = WaveState(mode=ctx.settings.bulk.mode)
        self.subitems_by_parent: Mapping[str, list[SubitemRow]] = {}
        self.removals = Removals(ctx, self.api, self.state)
        self.labels = Labels(ctx)
        self.inflight = InFlight(ctx.settings.bulk.poll_seconds)  # started and uploaded, not settled

    # ----------------------------------------------------------- decide
    def take(
        self,
        board_id: str,
        ops: Sequence[Op],
        view: BoardView,
        make_sub: Callable[[SubitemRow], Op],
        send_now: Callable[[list[Op]], None],
    ) -> list[Op]:
        """Send the creates of ``ops`` that make a large enough wave per group as jobs; return the
        ops still to send by mutation (some flagged for a lookup by sync key first). ``send_now``
        creates items by mutation at once: those bringing a label the board lacks (bulk_labels)."""
        if self.state.mode == "off":
            return list(ops)
        rest: list[Op] = []
        by_group: dict[str, list[Unit]] = {}
        for op in ops:
            if op.lookup_first or not op.monday_group_id:  # an earlier attempt's fate is unknown
                rest.append(op)
                continue
            subs = []
            if view.subitem_board_id:
                for r in self.subitems_by_parent.get(op.sync_key, ()):
                    if r.operation == "create" and self.ctx.log.unresolved("subitem", r.sync_key) is None:
                        subs.append(make_sub(r))
            by_group.setdefault(op.monday_group_id, []).append(Unit(op, subs))
        launched: list[Launched] = []
        for group_id, units in by_group.items():
            if sum(u.rows for u in units) < self.ctx.settings.bulk.min_rows:
                rest += [u.item for u in units]
                continue
            self.labels.read([board_id, view.subitem_board_id])
            units, seeds, by_mutation = self._label_check(board_id, view.subitem_board_id, units)
            if seeds:
                send_now(seeds)
            rest += by_mutation
            for chunk in self._chunks(units, rest):
                got = self._launch(board_id, group_id, chunk)
                if isinstance(got, Launched):
                    launched.append(got)
                else:
                    rest += got
        self.inflight.add(launched)  # polled by ``collect``, while the run goes on
        return rest

    def in_flight(self) -> set[tuple[str, str]]:
        """(entity, sync key) of every row in a job of this run not settled yet."""
        return self.inflight.keys()

    def collect(self, wait: bool = False) -> list[Op]:
        """Poll the jobs in flight when a round is due (``wait``: until every one is final or
        ``bulk.max_wait_seconds`` of waiting are spent) and settle each that finished, in the order
        they finish; the item ops to send by mutation (each with its ``board_id``)."""
        rest: list[Op] = []
        waited, budget = 0.0, self.ctx.settings.bulk.max_wait_seconds
        while self.inflight.jobs:
            due = self.inflight.due()
            if due <= 0:
                rest += self._settle_all(self.inflight.round(self._poll))
            elif not wait:
                break
            elif waited >= budget:  # what is still running waits for the next run
                rest += self._settle_all(self.inflight.give_up(self._poll))
            else:
                step = min(due, budget - waited)
                self.ctx.sleep(step)
                waited += step
        return rest

    def _poll(self, jobs: list[Launched]) -> list[ImportStatus | None]:
        """Every job's status, in one request per 25 jobs."""
        statuses = self.api.import_statuses([one.tally.job_id for one in jobs])
        return [upload_checked(one, statuses[one.tally.job_id]) for one in jobs]

    def _settle_all(self, done: list[tuple[Launched, ImportStatus | None]]) -> list[Op]:
        """Settle each job; every job's outcomes are logged before a stop is raised."""
        rest: list[Op] = []
        stop: BaseException | None = None
        for one, status in done:
            try:
                rest += self.settle(one.job_ev, one.intents, status, one.tally, one.job)
            except (PusherError, LimitStop) as exc:
                stop = stop or exc
            finally:
                one.tally.seconds = round(time.monotonic() - one.began, 3)
        if stop is not None:
            raise stop
        return rest

    def _label_check(
        self, board_id: str, sub_board: str | None, units: list[Unit]
    ) -> tuple[list[Unit], list[Op], list[Op]]:
        """(units for jobs, items to create first by mutation, items to send by mutation later)."""
        jobs, seeds, later = self.labels.sort(board_id, sub_board, units)
        if seeds or later:
            self.ctx.summary.notes.append(
                f"{len(seeds) + len(later)} new item(s) on board {board_id} went by mutation: they bring "
                "status or dropdown labels the board did not have (monday's import creates none)"
            )
        return jobs, seeds, later

    def _job_mode(self, rows: int) -> str | None:
        """ingest / backfill for a job of ``rows`` rows, or None (mutations)."""
        if self.state.mode == "backfill":
            return "backfill"
        used_rows, starts = last_hour(self.ctx.log)
        if starts >= HOURLY_STARTS or (self.state.mode == "auto" and used_rows + rows > HOURLY_ITEMS):
            return None
        return "ingest"

    # ------------------------------------------------------------- jobs
    def _chunks(self, units: list[Unit], rest: list[Op]) -> list[list[Unit]]:
        """The group's jobs; an item with more subitems than a job holds goes to ``rest``."""
        chunks = split_units(units, ROWS_PER_JOB["backfill" if self.state.mode == "backfill" else "ingest"])
        in_jobs = {id(u) for c in chunks for u in c}
        rest += [u.item for u in units if id(u) not in in_jobs]
        return chunks

    def _launch(self, board_id: str, group_id: str, units: list[Unit]) -> Launched | list[Op]:
        """Start a job, log it and its rows, upload its file; the ops back when no job started."""
        rows = sum(u.rows for u in units)
        mode = self._job_mode(rows)
        if mode is None:
            return [u.item for u in units]
        if mode == "backfill" and not self.ctx.settings.initial_load:  # config refuses it already
            raise PusherError("backfill without --initial-load")
        job = build_job(units, self.ctx.settings.item_columns, self.ctx.settings.subitem_columns)
        began = time.monotonic()
        try:
            started = self.api.start(start_request(mode, board_id, group_id), board_id)
        except StartRefused as exc:
            return self._refused(board_id, group_id, units, mode, exc)
        job_id = str(started["job_id"])
        if any(t.job_id == job_id for t in self.state.jobs):  # its rows would be settled by another file
            raise PusherError(f"monday answered a new {mode}_items start with this run's job {job_id}")
        info = {"rows": rows, "items": job.items, "subitems": job.subitems, "mode": mode,
                "started_at": utcnow().isoformat(timespec="seconds")}  # fmt: skip
        job_ev = bulk_settle.job_event(job_id, mode, board_id, units[0].item.group_title, group_id, info)
        tries = self.ctx.log.next_attempt
        intent = bulk_settle.row_intent
        intents = [
            intent(op, job_id, board_id, group_id, tries(op.entity, op.sync_key, "create", op.payload_hash))
            for op in job.rows
        ]
        self.ctx.log.write([job_ev, *intents])  # before the upload: a rerun knows what may exist
        tally = JobTally(job_id, mode, board_id, rows)
        self.state.jobs.append(tally)
        why = self.api.upload(str(started.get("upload_url") or ""), job.text)
        if why is not None:
            log.warning("job %s: upload failed (%s)", job_id, why)
        return Launched(job_ev, intents, tally, job, why, began)

    def _finish(self, one: Launched) -> list[Op]:
        """Poll a job started again after monday refused the first (ingest for backfill) until it
        is done or the wait is spent, and settle it."""
        bulk = self.ctx.settings.bulk
        status = self.api.wait(
            lambda: upload_checked(one, self.api.import_status(one.tally.job_id)),
            bulk.poll_seconds,
            bulk.max_wait_seconds,
        )
        return self._settle_all([(one, status)])

    def _refused(
        self, board_id: str, group_id: str, units: list[Unit], mode: str, exc: StartRefused
    ) -> list[Op]:
        """monday did not start the job: nothing was created."""
        if mode == "backfill" and ("PERMISSION" in exc.code.upper() or "AUTH" in exc.code.upper()):
            self._no_backfill(exc.message)
            got = self._launch(board_id, group_id, units)
            return self._finish(got) if isinstance(got, Launched) else got
        self.ctx.summary.notes.append(f"{mode}_items not started ({exc.code}); those rows went by mutation")
        return [u.item for u in units]

    def _no_backfill(self, message: str | None) -> None:
        self.state.mode = "auto"
        self.ctx.summary.notes.append(
            "backfill_items refused (PERMISSION_DENIED: it needs an account admin's token): "
            f"{message or ''}; fell back to ingest_items / mutations".replace(": ;", ";")
        )

    # ----------------------------------------------------------- settle
    def settle(
        self,
        job_ev: LogEvent,
        intents: list[LogEvent],
        status: ImportStatus | None,
        tally: JobTally,
        job: Job | None,
    ) -> list[Op]:
        """Log the job's outcomes; return the item ops to send by mutation in this run."""
        if status is not None and not status.final:
            tally.status = "pending"
            self.state.pending |= {(i.entity, i.sync_key) for i in intents}
            why = f"import job {tally.job_id} is still {status.state}; the next run settles it"
            for i in intents if job is not None else ():  # an earlier run's: BoardStep defers them
                if i.entity == "item":  # (subitems are held back with their parents in phase 3)
                    self.ctx.summary.defer(
                        RowError("item", i.sync_key, "create", JOB_PENDING, why, tally.board_id)
                    )
            self.ctx.summary.notes.append(
                f"job {tally.job_id} ({tally.mode}, {tally.rows} rows) still {status.state} after "
                f"{self.ctx.settings.bulk.max_wait_seconds:.0f}s: its rows wait for the next run"
            )
            return []
        report = self.api.report(status.report_url) if status is not None and status.report_url else None
        if status is not None and status.report_url and report is None:  # expired: ask for a new URL
            again = self.api.import_status(tally.job_id)
            report = self.api.report(again.report_url) if again is not None and again.report_url else None
        lost = "the job's report could not be had" if status is not None else "monday does not know the job"
        settled = bulk_settle.settle_rows(intents, status, report, lost)
        bulk_settle.write(
            self.ctx.log, self.ctx.summary, job_ev, settled, tally.board_id, status and status.state
        )
        tally.status, tally.reason = settled.job_status, settled.reason
        self.state.handled |= {k for e, k in settled.keys("ok", "error") if e == "subitem"}
        reason = settled.reason or ""
        if reason == "INVALID_UPLOAD":
            first = "\n".join((report or status and status.failure_message or "").splitlines()[:5])
            raise InvalidUpload(f"monday could not read import job {tally.job_id}'s file (a bug): {first}")
        if reason == "BOARD_CAPACITY_EXCEEDED":
            why = (
                f"monday refused import job {tally.job_id} (BOARD_CAPACITY_EXCEEDED): {settled.message or ''}"
            )
            self.state.full[tally.board_id] = why
            for ev in (*settled.error, *settled.unknown):
                self.ctx.summary.defer(
                    RowError(ev.entity, ev.sync_key, "create", BOARD_FULL, why, tally.board_id)
                )
                if ev.entity == "subitem":
                    self.state.handled.add(ev.sync_key)
            return []
        if reason == "ACCOUNT_CAPACITY_EXCEEDED":
            if self.state.mode == "ingest":
                raise LimitStop(
                    "monday's hourly import budget (19,000 items) is used up; the next run resumes"
                )
            self.state.mode = "off"
        if reason in ("PERMISSION_DENIED", "AUTHORIZATION_FAILED") and tally.mode == "backfill":
            self._no_backfill(status and status.failure_message)
            if job is not None and not settled.ok and not settled.unknown:  # nothing created: ingest it
                got = self._launch(tally.board_id, job_ev.monday_group_id or "", units_of(job))
                return self._finish(got) if isinstance(got, Launched) else got
        return bulk_settle.back_to_mutations(settled, job, self.state.handled, self.ctx.log)
