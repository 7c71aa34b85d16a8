"""An ``ingest_items`` / ``backfill_items`` job: its state, ``ItemsJobStatus`` and the report CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from .import_csv import ParsedFile

UPLOAD_PENDING, PROCESSING = "UPLOAD_PENDING", "PROCESSING"
COMPLETED, FAILED, REJECTED = "COMPLETED", "FAILED", "REJECTED"
ENDED = frozenset({COMPLETED, FAILED, REJECTED})
REPORT_HEADER = ["serialNo", "status", "itemId", "error"]


@dataclass
class RowResult:
    """One line of the report. status: success | validation_error | skipped | failed."""

    status: str
    item_id: str | None = None
    message: str | None = None  # a row-level error
    column_errors: dict[str, str] = field(default_factory=dict)  # header text -> message

    @property
    def error(self) -> str:
        parts = [f"[{col}]: {msg}" for col, msg in self.column_errors.items()]
        if self.message:
            parts.append(self.message)
        return "; ".join(parts)


@dataclass
class Step:
    """A row the job still has to run: create, update (UPSERT match) or create a subitem."""

    serial: int
    action: str  # create | update | subitem
    name: str
    values: dict[str, Any]
    target: str | None = None  # update: the matched item id
    parent: int | None = None  # subitem: serial of its item row


@dataclass
class ImportJob:
    id: str
    kind: str  # ingest | backfill
    board_id: str
    group_id: str
    on_match: dict[str, str] | None
    is_admin: bool
    created_at: float
    upload_token: str
    upload_expires: float
    status: str = UPLOAD_PENDING
    data: bytes | None = None
    etag: str | None = None
    uploaded_at: float | None = None  # monday time of the PUT: processing runs from here
    failure_reason: str | None = None
    failure_message: str | None = None
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("submitted", "invalid", "skipped", "created", "updated", "failed"), 0
        )
    )
    parsed: ParsedFile | None = None
    results: dict[int, RowResult] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    done: int = 0  # steps run
    started_at: float | None = None  # monday time processing began
    ended_at: float | None = None  # monday time the sandbox saw it end (benchmarks' timeline)
    reserved: list[float] | None = None  # [time, rows] entry in the account's hourly budget
    report_token: str | None = None
    report_expires: float | None = None
    fail_after: int | None = None  # fault: FAILED / INTERNAL_ERROR after this many steps
    stall_after: int | None = None  # fault: stays PROCESSING after this many steps
    report_expired: bool = False  # fault: the report URL is expired when the job ends
    waiting: bool = False  # queue: uploaded, behind another job (reads PROCESSING at 0 %)

    def reject(self, reason: str, message: str | None) -> None:
        self.status, self.failure_reason, self.failure_message = REJECTED, reason, message

    def release(self, rows: int) -> None:
        """Give ``rows`` back to the hourly budget (rows that end failed, skipped or invalid)."""
        if self.reserved is not None:
            self.reserved[1] = max(0.0, self.reserved[1] - rows)

    def progress(self) -> int:
        if self.status in ENDED:
            return 100
        if self.status == UPLOAD_PENDING:
            return 0
        total = len(self.parsed.rows) if self.parsed else 0
        pending = len(self.steps) - self.done
        return int(100 * (total - pending) / total) if total else 100

    def as_status(self, report_url: str | None) -> dict[str, Any]:
        """``ItemsJobStatus`` fields."""
        return {
            "__typename": "ItemsJobStatus",
            "status": PROCESSING if self.waiting else self.status,
            "counts": dict(self.counts),
            "progress_percentage": self.progress(),
            "failure_reason": self.failure_reason,
            "failure_message": self.failure_message,
            "fully_imported": self.status == COMPLETED and self.counts["failed"] == 0,
            "report_created": report_url is not None,
            "report_url": report_url,
        }

    def report_csv(self) -> str:
        """``serialNo,status,itemId,error`` + one column per column that failed in some row."""
        failed_cols: list[str] = []
        for result in self.results.values():
            failed_cols.extend(c for c in result.column_errors if c not in failed_cols)
        if self.parsed is not None:
            order = [h.text for h in self.parsed.headers]
            failed_cols.sort(key=lambda c: order.index(c) if c in order else len(order))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REPORT_HEADER + failed_cols)
        for serial in sorted(self.results):
            r = self.results[serial]
            cells = [r.column_errors.get(c, "") for c in failed_cols]
            writer.writerow([serial, r.status, r.item_id or "", r.error, *cells])
        return out.getvalue()
