"""monday's asynchronous jobs, one call each: start an import, upload its file, poll it, fetch its
report; start a bulk archive / delete and poll it (``docs/monday/bulk-import.md``).

The GraphQL calls go through ``Sender.call`` (paced, one mutation at a time per board). The file
upload and the report download are plain requests to pre-signed URLs (``MondayClient.transfer``):
no token, no checksum header. Every value is a GraphQL variable.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2

from pusher.monday.client import AuthFailed, RateLimited, Rejected, Transient
from pusher.monday.operations import Request
from pusher.monday.templates import SUFFIX, template_dir
from pusher.run.context import RunContext

log = logging.getLogger(__name__)

BULK_OPERATIONS = (
    "ingest_items", "backfill_items", "fetch_job_status", "bulk_archive_items", "bulk_delete_items",
    "job_status",
)  # fmt: skip
UPLOAD_EXPIRED = "UPLOAD_EXPIRED"  # ours, not monday's: UPLOAD_PENDING past the URL's 10 minutes
IMPORT_FINAL = frozenset({"COMPLETED", "FAILED", "REJECTED", UPLOAD_EXPIRED})
REMOVAL_FINAL = frozenset({"COMPLETED", "FAILED", "EXPIRED", "CANCELLED"})
START_LIMIT = "RATE_LIMIT_EXCEEDED"  # 100 job starts per account per hour
MAX_POLL = 60.0  # seconds: the back-off's ceiling
MAX_POLLED = 25  # import jobs asked about in one request (a run has at most 100 starts an hour)
MAX_POLL_FACTOR = 6.0  # ... and at most this many first intervals (10 s → 60 s; a scaled clock alike)


def poll_ceiling(first: float) -> float:
    """The longest interval between two polls when the first is ``first`` seconds."""
    return max(first, min(MAX_POLL, MAX_POLL_FACTOR * first))


def render_bulk(operation: str, rows: int = 1) -> str:
    if operation not in BULK_OPERATIONS:
        raise KeyError(f"unknown GraphQL operation {operation!r}")
    env = jinja2.Environment(  # GraphQL text: no value is ever rendered, nothing to escape
        loader=jinja2.FileSystemLoader(str(template_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
    )
    return env.get_template(operation + SUFFIX).render(rows=[{}] * rows).strip() + "\n"


def start_request(mode: str, board_id: str, group_id: str) -> Request:
    operation = f"{mode}_items"
    return Request(operation, render_bulk(operation), {"board": board_id, "group": group_id}, [("job",)])


def removal_request(kind: str, board_id: str, item_ids: Sequence[str]) -> Request:
    operation = f"bulk_{kind}_items"
    return Request(operation, render_bulk(operation), {"board": board_id, "ids": list(item_ids)}, [("job",)])


def status_request(operation: str, job_id: str) -> Request:
    return Request(operation, render_bulk(operation), {"job": job_id}, [("job",)], mutation=False)


def import_status_request(job_ids: Sequence[str]) -> Request:
    """One ``fetch_job_status`` per job, aliased ``j0``, ``j1``, ... in ``job_ids`` order."""
    variables = {f"job{i}": job_id for i, job_id in enumerate(job_ids)}
    aliases = [(f"j{i}",) for i in range(len(job_ids))]
    return Request(
        "fetch_job_status", render_bulk("fetch_job_status", len(job_ids)), variables, aliases, False
    )


class StartRefused(Exception):
    """monday would not start the job (nothing was created): ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class ImportStatus:
    state: str  # UPLOAD_PENDING | PROCESSING | COMPLETED | FAILED | REJECTED
    failure_reason: str | None = None
    failure_message: str | None = None
    report_url: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        return self.state in IMPORT_FINAL


@dataclass
class RemovalStatus:
    state: str  # PENDING | RUNNING | COMPLETED | FAILED | EXPIRED | CANCELLED
    error: str | None = None
    failed_ids: set[str] = field(default_factory=set)

    @property
    def final(self) -> bool:
        return self.state in REMOVAL_FINAL


def _import_status(job: Any) -> ImportStatus | None:
    if not isinstance(job, Mapping) or not job.get("status"):
        return None
    return ImportStatus(
        str(job["status"]),
        job.get("failure_reason"),
        job.get("failure_message"),
        job.get("report_url") if job.get("report_created") is not False else None,
        dict(job.get("counts") or {}),
    )


def _failed_ids(details: Any) -> set[str]:
    """Item ids in ``result.details`` under any key about failure (monday leaves its shape open)."""
    found: set[str] = set()
    if isinstance(details, Mapping):
        for key, value in details.items():
            if "fail" in str(key).lower():
                found |= _ids(value)
    return found


def _ids(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v["id"] if isinstance(v, Mapping) and "id" in v else v) for v in value}
    if isinstance(value, Mapping):
        return {str(k) for k in value}
    return set()


class JobApi:
    def __init__(self, ctx: RunContext, start_wait: float) -> None:
        self.ctx = ctx
        self.start_wait = start_wait  # longest wait for a start slot (RATE_LIMIT_EXCEEDED)
        self.start_waited = 0.0

    # ------------------------------------------------------------ start
    def start(self, request: Request, board_id: str) -> dict[str, Any]:
        """Start a job (``ingest_items`` / ``backfill_items`` / ``bulk_*_items``): its ``job`` object.
        A full start quota is waited out up to ``start_wait`` seconds in all, else ``StartRefused``.

        Each call is a job of its own: its Idempotency-Key is scoped to this call, kept across its
        retries (a start whose answer was lost is replayed, not started twice). The request alone
        does not tell two jobs apart: one board and group's wave split into several files sends
        the same ``{board, group}``, and a key of the request alone would have monday replay the
        first job (its id, its upload URL) for the others."""
        pacer = self.ctx.sender.pacer
        failures = 0
        scope = f"{self.ctx.sender.log.run_id}:start:{uuid.uuid4()}"
        while True:
            pacer.before_request(pacer.estimate(1))
            try:
                with self.ctx.sender.lock(board_id).held():
                    pacer.mark_sent()
                    resp = self.ctx.client.execute(
                        request.document,
                        request.variables,
                        mutation=True,
                        idempotency_scope=scope,
                    )
            except RateLimited as exc:
                pacer.release()
                if exc.code != START_LIMIT:
                    pacer.rate_limited(exc.code, exc.retry_in, exc.message)
                    continue
                wait = exc.retry_in if exc.retry_in is not None else 60.0
                if self.start_waited + wait > self.start_wait:
                    raise StartRefused(exc.code, f"{exc.message} (monday asks to wait {wait:.0f}s)") from None
                log.warning("monday: job start quota used up; waiting %.1fs", wait)
                self.start_waited += wait
                self.ctx.sleep(wait)
                continue
            except (Rejected, AuthFailed) as exc:
                pacer.release()
                raise StartRefused(exc.code, exc.message) from None
            except BaseException as exc:
                pacer.release()  # no reading came back: its reserved points are free again
                if not isinstance(exc, Transient):
                    raise
                # no job id came back: a job started blind gets no file, creates nothing
                if failures >= self.ctx.sender.settings.max_retries:
                    raise
                failures += 1
                self.ctx.sleep(self.ctx.sender.settings.retry_backoff * 2 ** (failures - 1))
                continue
            pacer.observe(resp.complexity, 1)
            job = (resp.data or {}).get("job")
            if not isinstance(job, Mapping) or not job.get("job_id"):
                err = resp.errors[0] if resp.errors else {}
                code = str((err.get("extensions") or {}).get("code") or "NO_JOB")
                raise StartRefused(
                    code, self.ctx.client.redact(err.get("message") or "monday started no job")
                )
            return dict(job)

    # ----------------------------------------------------------- upload
    def upload(self, url: str, text: str) -> str | None:
        """PUT the file; None when monday's store took it (200 + ETag), else why not."""
        try:
            resp = self.ctx.client.transfer("PUT", url, text.encode("utf-8"))
        except Transient as exc:
            return f"{exc.code}: {exc.message}"
        if resp.status_code == 200 and resp.headers.get("ETag"):
            return None
        return f"HTTP_{resp.status_code}: {self.ctx.client.redact(resp.text[:300])}"

    def report(self, url: str) -> str | None:
        """The job report's text, or None when it cannot be had (expired, gone)."""
        try:
            resp = self.ctx.client.transfer("GET", url)
        except Transient as exc:
            log.warning("job report download failed: %s", exc)
            return None
        if resp.status_code != 200:
            log.warning("job report download: HTTP %s", resp.status_code)
            return None
        resp.encoding = "utf-8"
        return resp.text

    # ------------------------------------------------------------- poll
    def import_status(self, job_id: str) -> ImportStatus | None:
        """The import job's status; None when monday does not know the job."""
        return self.import_statuses([job_id])[job_id]

    def import_statuses(self, job_ids: Sequence[str]) -> dict[str, ImportStatus | None]:
        """Several import jobs' statuses in one request (``MAX_POLLED`` a request); a job monday
        does not know is None. A request monday refuses as a whole is asked again one job at a time,
        so one unknown job never hides the others' states."""
        out: dict[str, ImportStatus | None] = {}
        ids = list(dict.fromkeys(job_ids))
        for at in range(0, len(ids), MAX_POLLED):
            chunk = ids[at : at + MAX_POLLED]
            try:
                resp = self.ctx.sender.call(import_status_request(chunk))
            except Rejected as exc:
                if len(chunk) > 1:
                    for job_id in chunk:
                        out[job_id] = self.import_status(job_id)
                    continue
                log.warning("fetch_job_status %s: %s", chunk[0], exc)
                out[chunk[0]] = None
                continue
            for i, job_id in enumerate(chunk):
                out[job_id] = _import_status((resp.data or {}).get(f"j{i}"))
        return out

    def removal_status(self, job_id: str) -> RemovalStatus | None:
        try:
            resp = self.ctx.sender.call(status_request("job_status", job_id))
        except Rejected as exc:
            log.warning("job_status %s: %s", job_id, exc)
            return None
        job = (resp.data or {}).get("job")
        if not isinstance(job, Mapping) or not job.get("status"):
            return None
        result = job.get("result") or {}
        return RemovalStatus(str(job["status"]), job.get("error"), _failed_ids(result.get("details")))

    def wait(self, poll: Callable[[], Any], first: float, budget: float) -> Any:
        """Poll until the status is final, monday forgets the job (None), or ``budget`` seconds of
        waiting are spent; waits ``first`` seconds, then 1.5 times longer each time (≤ ``poll_ceiling``)."""
        delay, waited = first, 0.0
        status = poll()
        while status is not None and not status.final and waited < budget:
            step = min(delay, budget - waited)
            self.ctx.sleep(step)
            waited += step
            delay = min(delay * 1.5, poll_ceiling(first))
            status = poll()
        return status
