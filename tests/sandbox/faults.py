"""Fault injection queue and the Idempotency-Key response store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import LIMIT_CODES, MINUTE_RATE_LIMIT_EXCEEDED

FAULT_KINDS = frozenset(
    {
        "http_500",  # 500 JSON error, nothing applied
        "http_502_html",  # 502 with an HTML body, nothing applied
        "truncated_json",  # applied, body cut off mid-JSON
        "drop_before",  # connection closed, nothing applied
        "drop_after",  # applied, connection closed without a response
        "slow",  # applied, answered after `seconds`
        "apply_late",  # held in flight for `seconds` (its Idempotency-Key taken), then applied and answered
        "rate_limit",  # 429 with `code` and `retry_in_seconds`, nothing applied
        "alias_error",  # root field `index` (or `alias`) fails with `code`
        # Job faults: applied to the first job the matching request starts (see the README).
        "job_fail_after",  # the job ends FAILED / INTERNAL_ERROR after `rows` rows (created ones stay)
        "job_stall",  # the job stops after `rows` rows and never finishes
        "upload_expired",  # the upload URL has expired before the PUT
        "report_expired",  # the report URL has expired when the job ends
    }
)
JOB_FAULT_KINDS = frozenset({"job_fail_after", "job_stall", "upload_expired", "report_expired"})
APPLYING_KINDS = frozenset({"truncated_json", "drop_after", "slow", "apply_late", "alias_error"})


@dataclass
class Fault:
    kind: str
    match: str = "any"
    remaining: int = 1
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, is_mutation: bool, field_names: Iterable[str]) -> bool:
        if self.match == "any":
            return True
        if self.match == "mutation":
            return is_mutation
        if self.match == "query":
            return not is_mutation
        return self.match in set(field_names)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "match": self.match, "remaining": self.remaining, **self.params}


class FaultQueue:
    """Faults each apply to the next ``count`` matching /v2 requests, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, kind: str, count: int = 1, match: str = "any", **params: Any) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be >= 1")
        if kind == "rate_limit":
            params.setdefault("code", MINUTE_RATE_LIMIT_EXCEEDED)
            params.setdefault("retry_in_seconds", 1)
            if params["code"] not in LIMIT_CODES:
                raise ValueError(f"rate_limit code must be one of {LIMIT_CODES}")
        elif kind in ("job_fail_after", "job_stall"):
            params["rows"] = int(params.get("rows", 0))
        elif kind in ("slow", "apply_late"):
            params.setdefault("seconds", 1.0)
        elif kind == "alias_error":
            if "alias" not in params:
                params.setdefault("index", 0)
            params.setdefault("code", "InternalServerException")
            params.setdefault("message", "Injected failure")
        fault = Fault(kind, match, int(count), dict(params))
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, is_mutation: bool, field_names: list[str]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(is_mutation, field_names):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.as_dict() for f in self._faults]


@dataclass
class StoredResponse:
    status: int
    body: bytes
    content_type: str
    stored_at: float


class IdempotencyStore:
    """Remembers mutation responses per Idempotency-Key for ``window`` seconds."""

    IN_FLIGHT = "in_flight"

    def __init__(self, window_seconds: float = 1800.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_seconds = window_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, StoredResponse | str] = {}

    def begin(self, key: str) -> StoredResponse | str | None:
        """Return a stored response, ``IN_FLIGHT``, or None (key now reserved)."""
        with self._lock:
            now = self.clock()
            entry = self._entries.get(key)
            if isinstance(entry, StoredResponse) and now - entry.stored_at > self.window_seconds:
                entry = None
            if entry is not None:
                return entry
            self._entries[key] = self.IN_FLIGHT
            return None

    def finish(self, key: str, status: int, body: bytes, content_type: str) -> None:
        with self._lock:
            self._entries[key] = StoredResponse(status, body, content_type, self.clock())

    def abandon(self, key: str) -> None:
        with self._lock:
            if self._entries.get(key) == self.IN_FLIGHT:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
