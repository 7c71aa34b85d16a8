"""The HTTP reply a sandbox request turns into, and the JSON and 429 shapes of it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from . import errors as E
from .limits import LimitHit


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None  # None | "drop" | "truncate"
    store: bool = True  # may be kept for Idempotency-Key replay


def json_reply(status: int, payload: dict[str, Any], **kw: Any) -> Reply:
    return Reply(status, json.dumps(payload).encode(), **kw)


def limit_reply(hit: LimitHit) -> Reply:
    body = E.error_body(hit.message, hit.code, retry_in_seconds=hit.retry_in_seconds)
    return json_reply(429, body, headers={"Retry-After": str(hit.retry_in_seconds)}, store=False)


def starts_limit_reply(retry_ms: int, cap: int) -> Reply:
    """HTTP 429 for an import job start past the hourly limit: monday's documented
    ``RATE_LIMIT_EXCEEDED`` with ``extensions.retryAfterMs`` (real milliseconds)."""
    body = E.error_body(
        f"Rate limit exceeded: {cap} ingest_items/backfill_items jobs per account per hour",
        E.RATE_LIMIT_EXCEEDED,
        retryAfterMs=retry_ms,
        status_code=429,
    )
    retry_s = str(max(1, -(-retry_ms // 1000)))
    return json_reply(429, body, headers={"Retry-After": retry_s}, store=False)
