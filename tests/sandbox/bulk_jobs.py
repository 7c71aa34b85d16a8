"""``bulk_archive_items`` / ``bulk_delete_items`` jobs and their ``AsyncJobStatus``.

A job runs PENDING -> RUNNING -> COMPLETED, one item id at a time at the import rate. An id that
is not an item of that board (unknown, deleted, or on another board: a subitem's board is its
subitems board) fails alone and is listed in ``result.details``; archiving an archived item
succeeds. Archive and delete go through the same state methods as ``archive_item`` and
``delete_item`` (a deleted item frees its place on the board, its subitems go with it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .errors import MondayError
from .state import SandboxState

PENDING, RUNNING, COMPLETED, FAILED = "PENDING", "RUNNING", "COMPLETED", "FAILED"


def iso(monday_time: float) -> str:
    return dt.datetime.fromtimestamp(monday_time, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class BulkJob:
    id: str
    kind: str  # archive | delete
    board_id: str
    item_ids: list[str]
    created_at: float
    updated_at: float
    status: str = PENDING
    done: int = 0
    started_at: float | None = None
    failures: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    fail_after: int | None = None  # fault: FAILED after this many ids
    stall_after: int | None = None  # fault: stays RUNNING after this many ids

    def _one(self, state: SandboxState, item_id: str) -> None:
        item = state.items.get(item_id)
        if item is None or item["state"] == "deleted":
            self.failures.append({"item_id": item_id, "error": f"Item {item_id} not found"})
        elif item["board_id"] != self.board_id:
            msg = f"Item {item_id} is not on board {self.board_id}"
            self.failures.append({"item_id": item_id, "error": msg})
        else:
            try:
                if self.kind == "delete":
                    state.delete_item(item_id)
                elif item["state"] != "archived":
                    state.archive_item(item_id)
            except MondayError as exc:  # pragma: no cover - checked above
                self.failures.append({"item_id": item_id, "error": exc.message})

    def fail(self, now: float) -> None:
        for item_id in self.item_ids[self.done :]:
            self.failures.append({"item_id": item_id, "error": "Not processed: the job failed"})
        self.done = len(self.item_ids)
        self.status, self.error, self.updated_at = FAILED, "INTERNAL_ERROR", now

    def run(self, state: SandboxState, now: float, due: int, max_steps: int) -> int:
        """Process ids up to ``due`` (at most ``max_steps`` now); return how many ran."""
        if self.status == PENDING:
            self.status, self.started_at, self.updated_at = RUNNING, now, now
        if self.status != RUNNING:
            return 0
        ran = 0
        while self.done < min(due, len(self.item_ids)) and ran < max_steps:
            if self.fail_after is not None and self.done >= self.fail_after:
                self.fail(now)
                return ran
            if self.stall_after is not None and self.done >= self.stall_after:
                return ran
            self._one(state, self.item_ids[self.done])
            self.done += 1
            ran += 1
            self.updated_at = now
        if self.done >= len(self.item_ids):
            if self.fail_after is not None:
                self.fail(now)
            elif self.stall_after is None:
                self.status, self.updated_at = COMPLETED, now
        return ran

    def as_status(self) -> dict[str, Any]:
        """``AsyncJobStatus`` fields; ``result`` counts what is done so far."""
        failed = len(self.failures)
        return {
            "id": self.id,
            "status": self.status,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "error": self.error,
            "result": {
                "total": len(self.item_ids),
                "succeeded": self.done - failed,
                "failed": failed,
                "details": {
                    "operation": f"bulk_{self.kind}_items",
                    "failed_item_ids": [f["item_id"] for f in self.failures],
                    "errors": list(self.failures),
                },
            },
        }
