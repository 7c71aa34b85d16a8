"""The ``/_sandbox/*`` admin API of a running sandbox (no auth)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .replies import Reply, json_reply
from .state import load_board_spec

if TYPE_CHECKING:
    from .server import SandboxServer


def handle_admin(sandbox: SandboxServer, method: str, path: str, body: Any) -> Reply:
    """Handle ``/_sandbox/*`` requests."""
    if method == "GET" and path == "/_sandbox/state":
        return json_reply(200, sandbox.snapshot())
    if method == "GET" and path == "/_sandbox/stats":
        return json_reply(200, sandbox.stats)
    if method == "GET" and path == "/_sandbox/health":
        return json_reply(200, {"ok": True, "url": sandbox.url})
    if method == "POST" and path == "/_sandbox/reset":
        opts = body if isinstance(body, dict) else {}
        sandbox.reset(**{k: bool(v) for k, v in opts.items()})
        return json_reply(200, {"ok": True})
    if path == "/_sandbox/faults":
        if method == "GET":
            return json_reply(200, {"faults": sandbox.faults.pending()})
        if method == "DELETE" or (isinstance(body, dict) and body.get("clear")):
            sandbox.faults.clear()
            return json_reply(200, {"ok": True, "faults": []})
        if method == "POST":
            for spec in body if isinstance(body, list) else [body]:
                spec = dict(spec)
                sandbox.inject(
                    spec.pop("kind"), int(spec.pop("count", 1)), str(spec.pop("match", "any")), **spec
                )
            return json_reply(200, {"ok": True, "faults": sandbox.faults.pending()})
    if path == "/_sandbox/limits":
        if method == "POST":
            sandbox.configure(**(body or {}))
        return json_reply(
            200,
            {
                **sandbox.limits.as_dict(),
                "latency_ms": sandbox.endpoint.latency_ms,
                "latency_per_mutation_ms": sandbox.endpoint.latency_per_mutation_ms,
                "max_items_per_board": sandbox.state.max_items_per_board,
            },
        )
    if method == "POST" and path == "/_sandbox/boards":
        ids = []
        for spec in load_board_spec(body):
            with sandbox.state.lock:
                ids.append(sandbox.state.ensure_board(spec)["id"])
        sandbox.save()
        return json_reply(200, {"ok": True, "board_ids": ids})
    if method == "POST" and path == "/_sandbox/clock":
        opts = body if isinstance(body, dict) else {}
        now = sandbox.advance_clock(float(opts.get("advance", 0)))
        return json_reply(200, {"ok": True, "monday_time": now})
    if method == "GET" and path == "/_sandbox/jobs":
        return json_reply(200, sandbox.jobs.summary())
    return json_reply(404, {"error": f"unknown admin endpoint {method} {path}"})
