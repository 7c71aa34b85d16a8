"""The stdlib HTTP request handler: routes a request to the sandbox and writes its reply."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from .job_http import get_report, put_upload
from .replies import Reply, json_reply

if TYPE_CHECKING:
    from .server import SandboxServer


class SandboxHandler(BaseHTTPRequestHandler):
    """Routes ``/v2`` to the GraphQL endpoint, ``/_sandbox/*`` to the admin API and
    ``/_upload/*`` / ``/_report/*`` to the import jobs' pre-signed-style URLs."""

    protocol_version = "HTTP/1.1"
    server_version = "monday-sandbox/1.0"
    timeout = 60

    @property
    def sandbox(self) -> SandboxServer:
        return self.server.sandbox  # type: ignore[attr-defined, no-any-return]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.sandbox.verbose:
            super().log_message(format, *args)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        raw = self._read_body()
        try:
            if path.startswith("/_sandbox/"):
                try:
                    body = json.loads(raw) if raw.strip() else None
                    reply = self.sandbox.admin(method, path, body)
                except (ValueError, TypeError, KeyError) as exc:
                    reply = json_reply(400, {"error": str(exc)})
            elif path.startswith("/_upload/"):
                reply = put_upload(self.sandbox.jobs, method, path[len("/_upload/") :], self.headers, raw)
            elif path.startswith("/_report/"):
                reply = get_report(self.sandbox.jobs, method, path[len("/_report/") :])
            elif path == "/v2" and method == "POST":
                reply = self.sandbox.endpoint.handle(self.headers, raw)
            else:
                reply = json_reply(
                    404, {"errors": [{"message": "Not found", "extensions": {"code": "NOT_FOUND"}}]}
                )
        except Exception as exc:  # pragma: no cover - defensive
            print(f"sandbox: internal error: {exc!r}", file=sys.stderr)
            reply = json_reply(
                500,
                {
                    "errors": [
                        {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
                    ]
                },
            )
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        stats = self.sandbox._stats
        if reply.action == "drop":
            stats.bump("by_status", "dropped")
            self.close_connection = True
            return
        body = reply.body
        if reply.action == "truncate":
            body = body[: max(1, len(body) // 2)]
            self.close_connection = True
        stats.bump("by_status", str(reply.status))
        try:
            self.send_response(reply.status)
            self.send_header(
                "Content-Type",
                reply.content_type + ("; charset=utf-8" if "json" in reply.content_type else ""),
            )
            self.send_header("Content-Length", str(len(body)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")
