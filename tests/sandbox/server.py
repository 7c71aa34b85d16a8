"""The sandbox server: its lifecycle, Python API and ``/_sandbox/*`` admin API."""

from __future__ import annotations

import json
import os
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from .admin_api import handle_admin
from .clock import MondayClock
from .faults import FaultQueue, IdempotencyStore
from .http_handler import SandboxHandler
from .job_store import JobStore
from .limits import Limits, LimitTracker
from .pipeline import GraphQLEndpoint
from .replies import Reply
from .resolvers import load_schema
from .state import SandboxState, load_board_spec
from .stats import Stats

ACCEPTED_VERSIONS = ("2026-10", "2026-07")


class SandboxServer:
    """A fake monday.com API on ``http://HOST:PORT/v2``.

    Use as a context manager or call :meth:`start` / :meth:`stop`.  Limit
    settings can be given as a :class:`Limits` or as keyword overrides
    (``window_seconds=1, requests_per_window=5, ...``).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str | None = None,
        state_file: str | os.PathLike[str] | None = None,
        board_spec: str | os.PathLike[str] | dict[str, Any] | list[Any] | None = None,
        schema_path: str | os.PathLike[str] | None = None,
        limits: Limits | None = None,
        latency_ms: float = 0.0,
        latency_per_mutation_ms: float = 0.0,
        idempotency_window_seconds: float = 1800.0,
        max_items_per_board: int = 10_000,
        accepted_versions: tuple[str, ...] = ACCEPTED_VERSIONS,
        admin_tokens: list[str] | tuple[str, ...] | set[str] | None = None,
        verbose: bool = False,
        **limit_overrides: Any,
    ) -> None:
        self.host, self._port = host, port
        self.verbose = verbose
        self.limits = limits or Limits()
        self.limits.update(**limit_overrides)
        self.state_file = Path(state_file) if state_file else None
        self.board_spec = load_board_spec(board_spec) if board_spec is not None else []
        self.state = SandboxState(max_items_per_board=max_items_per_board)
        self.tracker = LimitTracker(self.limits)
        self.faults = FaultQueue()
        self.idempotency = IdempotencyStore(idempotency_window_seconds)
        self._stats = Stats()
        self.clock = MondayClock(self.limits)
        self.jobs = JobStore(self.state, self.limits, self.clock, lambda: self.base_url, self.state_file)
        self.endpoint = GraphQLEndpoint(
            load_schema(schema_path),
            self.state,
            self.tracker,
            self.faults,
            self.idempotency,
            self._stats,
            token=token,
            accepted_versions=tuple(accepted_versions),
            state_file=self.state_file,
            jobs=self.jobs,
            admin_tokens=None if admin_tokens is None else frozenset(admin_tokens),
        )
        self.endpoint.latency_ms = latency_ms
        self.endpoint.latency_per_mutation_ms = latency_per_mutation_ms
        with self.state.lock:
            if self.state_file is not None:
                self.state.load(self.state_file)
            self._apply_spec()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle
    def _apply_spec(self) -> None:
        for spec in self.board_spec:
            self.state.ensure_board(spec)
        self.save()

    def _bind(self) -> ThreadingHTTPServer:
        if self._httpd is None:
            httpd = ThreadingHTTPServer((self.host, self._port), SandboxHandler)
            httpd.daemon_threads = True
            httpd.sandbox = self  # type: ignore[attr-defined]
            self._httpd = httpd
        return self._httpd

    def start(self) -> SandboxServer:
        httpd = self._bind()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="monday-sandbox", daemon=True
        )
        self._thread.start()
        self.jobs.start_worker()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (used by the CLI)."""
        try:
            self.jobs.start_worker()
            self._bind().serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        self.jobs.stop_worker()
        if self._httpd is not None:
            if self._thread is not None:
                self._httpd.shutdown()
                self._thread.join(timeout=5)
            self._httpd.server_close()
            self._httpd = None
            self._thread = None
        self.save()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._bind().server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/v2"

    # ------------------------------------------------------------- helpers
    def save(self) -> None:
        if self.state_file is not None:
            with self.state.lock:
                self.state.save(self.state_file)

    @property
    def stats(self) -> dict[str, Any]:
        snap = self._stats.snapshot()
        limits = self.tracker.snapshot()
        snap["max_concurrency_seen"] = limits["max_in_flight"]
        snap["limits"] = limits
        snap["pending_faults"] = self.faults.pending()
        snap["jobs"] = self.jobs.summary()
        return snap

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the whole state (same JSON as ``GET /_sandbox/state``)."""
        with self.state.lock:
            return self.state.to_dict()

    def items(self, board_id: str, states: tuple[str, ...] = ("active",)) -> list[dict[str, Any]]:
        """Copies of the items on a board (default: active only)."""
        with self.state.lock:
            return json.loads(json.dumps(self.state.board_items(str(board_id), states=states)))

    def inject(self, kind: str, count: int = 1, match: str = "any", **params: Any) -> None:
        """Queue a fault for the next ``count`` requests matching ``match``.

        ``match``: "any", "mutation", "query", or a root field name.  Params:
        ``rate_limit``: code, retry_in_seconds; ``slow``, ``apply_late``: seconds;
        ``alias_error``: index (0-based root field) or alias, code, message.
        """
        self.faults.add(kind, count, match, **params)

    def advance_clock(self, monday_seconds: float) -> float:
        """Jump monday's clock ahead (URL expiry, hourly windows, processing); return its time."""
        now = self.clock.advance(monday_seconds)
        self.jobs.tick()
        return now

    def job(self, job_id: str) -> dict[str, Any]:
        """``fetch_job_status`` / ``job_status`` fields of a job, without a request."""
        with self.state.lock:
            if job_id in self.jobs.bulk:
                return self.jobs.bulk_status(job_id)
            return self.jobs.import_status(job_id)

    def clear_faults(self) -> None:
        self.faults.clear()

    def configure(
        self, *, latency_ms: float | None = None, latency_per_mutation_ms: float | None = None, **limits: Any
    ) -> None:
        """Change latency and limits of a running server."""
        if latency_ms is not None:
            self.endpoint.latency_ms = float(latency_ms)
        if latency_per_mutation_ms is not None:
            self.endpoint.latency_per_mutation_ms = float(latency_per_mutation_ms)
        if "max_items_per_board" in limits:
            self.state.max_items_per_board = int(limits.pop("max_items_per_board"))
        self.limits.update(**limits)

    def create_board(
        self,
        name: str,
        columns: list[dict[str, Any]] | None = None,
        *,
        board_id: str | None = None,
        groups: list[dict[str, Any]] | None = None,
        subitem_columns: list[dict[str, Any]] | None = None,
        subitem_board_id: str | None = None,
        kind: str = "public",
    ) -> str:
        """Create (or reconcile) a board from board-spec fields; return its id."""
        spec: dict[str, Any] = {"name": name, "kind": kind, "columns": columns or []}
        for key, value in (
            ("id", board_id),
            ("groups", groups),
            ("subitem_columns", subitem_columns),
            ("subitem_board_id", subitem_board_id),
        ):
            if value is not None:
                spec[key] = value
        with self.state.lock:
            board = self.state.ensure_board(spec)
            self.save()
            return str(board["id"])

    def reset(
        self,
        *,
        state: bool = True,
        limits: bool = True,
        stats: bool = True,
        faults: bool = True,
        idempotency: bool = True,
    ) -> None:
        """Back to the initial state (board spec only, no items) and zero counters."""
        if state:
            with self.state.lock:
                self.state.clear()
                self._apply_spec()
            self.jobs.clear()
        if limits:
            self.tracker.reset()
            self.jobs.reset_windows()
        if stats:
            self._stats.reset()
        if faults:
            self.faults.clear()
        if idempotency:
            self.idempotency.clear()

    # -------------------------------------------------------------- admin
    def admin(self, method: str, path: str, body: Any) -> Reply:
        """Handle ``/_sandbox/*`` requests (see ``admin_api.py``)."""
        return handle_admin(self, method, path, body)
