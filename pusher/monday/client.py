"""A small GraphQL-over-HTTP client for monday.com.

- endpoint ``MONDAY_API_URL`` (default https://api.monday.com/v2), TLS verification always on;
- the token comes only from ``MONDAY_API_TOKEN`` and is never printed, logged or stored: it is
  redacted from every exception and error message this module hands out;
- ``API-Version`` on every call, an ``Idempotency-Key`` (SHA-256 of the exact body) on mutations;
- a (connect, read) timeout on every call.

Failures are sorted into exceptions the sync loop acts on: ``Transient`` (5xx, timeout, dropped
connection, idempotency conflict: the outcome is unknown, retry with backoff), ``RateLimited``
(429: wait, then resend without counting a retry), ``Rejected`` (the whole document refused),
``AuthFailed``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from pusher.errors import ConfigError

log = logging.getLogger(__name__)

LIMIT_CODES = frozenset(
    {
        "COMPLEXITY_BUDGET_EXHAUSTED",
        "MINUTE_RATE_LIMIT_EXCEEDED",
        "MAX_CONCURRENCY_EXCEEDED",
        "DAILY_LIMIT_EXCEEDED",
    }
)

# A 409: the same request (Idempotency-Key) is still being applied; it is waited out, this long.
CONFLICT_CODES = frozenset({"IDEMPOTENCY_CONFLICT", "HTTP_409"})
CONFLICT_WAIT = 120.0  # seconds to wait for monday to finish the first copy of a request


class ClientError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Transient(ClientError):
    """The request may or may not have been applied (5xx, timeout, connection dropped, 409).

    ``retry_in``: the server's Retry-After, when it gave one (a 409 IDEMPOTENCY_CONFLICT does).
    """

    def __init__(self, code: str, message: str, retry_in: float | None = None) -> None:
        super().__init__(code, message)
        self.retry_in = retry_in


class RateLimited(ClientError):
    """HTTP 429 (or a limit code): nothing was applied; wait ``retry_in`` seconds and resend."""

    def __init__(self, code: str, message: str, retry_in: float | None) -> None:
        super().__init__(code, message)
        self.retry_in = retry_in


class Rejected(ClientError):
    """The whole document was refused (validation, complexity over the per-query max, 4xx)."""


class AuthFailed(ClientError):
    """401/403: the token is missing, wrong or lacks permission."""


@dataclass
class Response:
    status: int
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]
    complexity: dict[str, Any] | None
    replayed: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def say_redacted(text: str) -> None:
    """Print for a person, with the token (if it ever reaches a message) blanked out."""
    token = os.environ.get("MONDAY_API_TOKEN", "").strip()
    print(text.replace(token, "[REDACTED]") if token else text, flush=True)


def idempotency_key(body: Mapping[str, Any], scope: str = "") -> str:
    """SHA-256 hex of ``scope`` and the canonical JSON of what is sent.

    The same request within one scope (the pusher uses its run id) gets the same key, so a retry
    after a lost response is answered from monday's replay store. A later run uses a new scope:
    a change sent, reverted and sent again within monday's 30-minute window must be applied
    again, not answered with the first response.
    """
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()


def _retry_after(resp: requests.Response, err: Mapping[str, Any] | None) -> float | None:
    ext = (err or {}).get("extensions") or {}
    millis = ext.get("retryAfterMs")  # import job starts (RATE_LIMIT_EXCEEDED) say it in ms
    try:
        if millis is not None and float(millis) >= 0:
            return float(millis) / 1000.0
    except (TypeError, ValueError):
        pass
    for value in (ext.get("retry_in_seconds"), resp.headers.get("Retry-After")):
        try:
            if value is not None and float(value) >= 0:
                return float(value)
        except (TypeError, ValueError):
            continue
    return None


class MondayClient:
    def __init__(
        self,
        url: str,
        api_version: str,
        *,
        token: str | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 300.0,
        session: requests.Session | None = None,
    ) -> None:
        token = token if token is not None else os.environ.get("MONDAY_API_TOKEN", "")
        if not token or not token.strip():
            raise ConfigError("MONDAY_API_TOKEN is not set")
        self._token = token.strip()
        self.url = url
        self.api_version = api_version
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()
        self.session.verify = True
        self.http_calls = 0

    def __repr__(self) -> str:  # never show the token
        return f"MondayClient(url={self.url!r}, api_version={self.api_version!r})"

    def redact(self, text: Any) -> str:
        out = str(text)
        return out.replace(self._token, "[REDACTED]") if self._token else out

    def execute(
        self, query: str, variables: Mapping[str, Any], *, mutation: bool, idempotency_scope: str = ""
    ) -> Response:
        """POST one document. Returns the parsed response or raises one of the errors above."""
        body = {"query": query, "variables": dict(variables)}
        headers = {
            "Authorization": self._token,
            "API-Version": self.api_version,
            "Content-Type": "application/json",
        }
        if mutation:
            headers["Idempotency-Key"] = idempotency_key(body, idempotency_scope)
        self.http_calls += 1
        try:
            resp = self.session.post(self.url, json=body, headers=headers, timeout=self.timeout, verify=True)
        except requests.Timeout as exc:
            raise Transient("TIMEOUT", self.redact(exc)) from None
        except requests.ConnectionError as exc:
            raise Transient("CONNECTION_ERROR", self.redact(exc)) from None
        except requests.RequestException as exc:
            raise Transient("HTTP_ERROR", self.redact(exc)) from None
        return self._parse(resp)

    def transfer(self, method: str, url: str, body: bytes | None = None) -> requests.Response:
        """A plain PUT (the import file) or GET (the job report) of a pre-signed URL: no
        Authorization header (the token never goes to ``upload_url`` / ``report_url``), no API
        version, no checksum header (S3 refuses ``x-amz-checksum-crc32`` as not signed).
        Connection failures and timeouts raise ``Transient``; the caller judges the status."""
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise Rejected("BAD_URL", "a pre-signed URL must be https://")
        headers = {"Content-Type": "text/csv"} if body is not None else {}  # as signed: exactly this
        self.http_calls += 1
        try:
            return requests.request(method, url, data=body, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            raise Transient("TIMEOUT", self.redact(exc)) from None
        except requests.RequestException as exc:
            raise Transient("CONNECTION_ERROR", self.redact(exc)) from None

    def _parse(self, resp: requests.Response) -> Response:
        status = resp.status_code
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            payload = {}
        errors = [e for e in payload.get("errors") or [] if isinstance(e, dict)]
        first = errors[0] if errors else None
        code = str(((first or {}).get("extensions") or {}).get("code") or payload.get("error_code") or "")
        message = self.redact(
            (first or {}).get("message") or payload.get("error_message") or resp.reason or ""
        )

        if status == 429 or (code in LIMIT_CODES and not (first or {}).get("path")):
            raise RateLimited(code or "HTTP_429", message, _retry_after(resp, first))
        if status in (401, 403):
            raise AuthFailed(code or f"HTTP_{status}", message or "not authorized")
        if status == 409 or code == "IDEMPOTENCY_CONFLICT":
            raise Transient(code or "HTTP_409", message, _retry_after(resp, first))
        if status >= 500 or (status == 200 and not payload):
            raise Transient(
                f"HTTP_{status}" if status >= 500 else "INVALID_RESPONSE", message or "unreadable response"
            )
        if status >= 400:
            raise Rejected(code or f"HTTP_{status}", message)
        data = payload.get("data") if isinstance(payload.get("data"), dict) else None
        if data is None and errors:
            raise Rejected(code or "GRAPHQL_ERROR", message)
        complexity = (data or {}).get("complexity")
        return Response(
            status=status,
            data=data,
            errors=errors,
            complexity=complexity if isinstance(complexity, dict) else None,
            replayed=resp.headers.get("Idempotency-Replayed", "").lower() == "true",
            headers={k: v for k, v in resp.headers.items() if k.lower() != "authorization"},
        )
