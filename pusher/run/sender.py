"""Send one kind of operation in batches: log intents, call monday, log outcomes, retry.

- per-row errors (an alias in ``errors[]``) are logged as ``error``; the rest of the batch lands;
- batch failures (5xx, timeout, dropped connection) log ``unknown`` and are retried with
  exponential backoff up to ``max_retries`` times; before a create is re-sent it is looked up by
  its sync key and adopted if it exists (no duplicate);
- a whole document refused (e.g. over the per-query complexity max) is split in halves;
- 429s are waited out by the pacer without counting as retries; the daily limit stops the run.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from pusher.config.settings import Settings
from pusher.errors import ConfigError, LimitStop
from pusher.monday import operations as ops_mod
from pusher.monday.client import (
    CONFLICT_CODES,
    CONFLICT_WAIT,
    AuthFailed,
    MondayClient,
    RateLimited,
    Rejected,
    Response,
    Transient,
    idempotency_key,
)
from pusher.monday.operations import Op, Outcome, Request
from pusher.monday.pacing import Pacer
from pusher.run.progress import Progress
from pusher.run.summary import RowError, Summary
from pusher.store.locks import DatabaseLocks
from pusher.store.push_log import LogEvent, PushLog, outcome_events

log = logging.getLogger(__name__)
LOOKUP_CHUNK = 50
# A document refused for its size is split in halves; other refusals would fail the same way.
SPLIT_CODES = frozenset({"maxComplexityExceeded", "ComplexityException", "HTTP_413"})
RESIZE = "BUDGET_SHARED"  # a 429 answered while other pushers spend the budget: resend smaller


def group_hash(title: str) -> str:
    return hashlib.sha256(title.encode("utf-8")).hexdigest()


class Sender:
    def __init__(
        self,
        settings: Settings,
        client: MondayClient,
        pacer: Pacer,
        push_log: PushLog,
        summary: Summary,
        sleep: Callable[[float], None],
        progress: Progress | None = None,
        locks: DatabaseLocks | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.pacer = pacer
        self.log = push_log
        self.summary = summary
        self.sleep = sleep
        # One mutation request in flight per board, for every pusher on this database (monday asks it).
        self.locks = locks or DatabaseLocks(push_log.db)
        self.progress = progress  # updated after each request

    # ------------------------------------------------------------------ HTTP
    def lock(self, board_id: str | None) -> Any:
        """The board's lock (``held()``): one mutation request in flight per board."""
        return self.locks.lock(f"board:{board_id or self.settings.board_id or 'none'}")

    def call(
        self, request: Request, idempotency_scope: str | None = None, board_id: str | None = None
    ) -> Response:
        """One request, paced; 429s are waited out and the identical request resent.

        A read that fails transiently is retried with backoff (reads are safe to repeat). A
        mutation's Idempotency-Key is scoped to this run unless ``idempotency_scope`` names the
        run whose request is being resent (replay.py). Mutations on one board (``board_id``) go
        one after another, also across processes on this host. A 409 IDEMPOTENCY_CONFLICT (the same
        request still being applied) is waited out, up to ``CONFLICT_WAIT`` seconds.
        """
        failures, conflict_waited = 0, 0.0
        while True:
            if request.mutation:
                self.pacer.before_request(self.pacer.estimate(request.size))
            else:
                self.pacer.before_request(self.pacer.document_estimate(request.document))
            try:
                if request.mutation:
                    with self.lock(board_id).held():
                        self.pacer.mark_sent()
                        resp = self.client.execute(
                            request.document,
                            request.variables,
                            mutation=True,
                            idempotency_scope=idempotency_scope or self.log.run_id,
                        )
                else:
                    self.pacer.mark_sent()
                    resp = self.client.execute(request.document, request.variables, mutation=False)
            except RateLimited as exc:
                self.pacer.rate_limited(exc.code, exc.retry_in, exc.message)
                if request.mutation and request.size > self.pacer.full_batch():
                    # Another pusher spends this account's budget too: what is resent is sized to
                    # this pusher's share of a window (nothing of the refused request was applied).
                    raise Rejected(RESIZE, f"resending in batches of {self.pacer.full_batch()}") from None
                continue
            except BaseException as exc:
                self.pacer.release()  # no reading came back: its reserved points are free again
                if not isinstance(exc, Transient):
                    raise
                if request.mutation and exc.code in CONFLICT_CODES and conflict_waited < CONFLICT_WAIT:
                    # monday is still applying this very request (same key, sent earlier): wait
                    # for it to finish, then its answer is replayed. Not a retry of a failure.
                    wait = exc.retry_in if exc.retry_in is not None else 1.0
                    conflict_waited += wait
                    self.sleep(wait)
                    continue
                if request.mutation or failures >= self.settings.max_retries:
                    raise
                failures += 1
                self.sleep(self.settings.retry_backoff * 2 ** (failures - 1))
                continue
            if request.mutation:
                self.pacer.observe(resp.complexity, request.size)
            else:
                self.pacer.observe(resp.complexity, document=request.document)
            return resp

    # --------------------------------------------------------------- lookups
    def lookup(self, board_id: str, column_id: str, keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """Items on ``board_id`` whose sync-key column equals each key (active ones only)."""
        found: dict[str, list[dict[str, Any]]] = {}
        for i in range(0, len(keys), LOOKUP_CHUNK):
            chunk = list(keys[i : i + LOOKUP_CHUNK])
            request = ops_mod.find_by_sync_key(board_id, column_id, chunk)
            resp = self.call(request)
            for n, key in enumerate(chunk):
                page = (resp.data or {}).get(f"k{n}") or {}
                items = [it for it in page.get("items") or [] if it.get("state") in (None, "active")]
                found[key] = sorted(items, key=lambda it: int(it["id"]) if str(it["id"]).isdigit() else 0)
        return found

    # ------------------------------------------------------------------ logs
    def _event(self, op: Op, phase: str, status: str, log_board: str, **extra: Any) -> LogEvent:
        fields: dict[str, Any] = {
            "entity": op.entity,
            "sync_key": op.sync_key,
            "operation": op.operation,
            "phase": phase,
            "status": status,
            "board_id": log_board,
            "parent_sync_key": op.parent_sync_key,
            "payload_hash": op.payload_hash,
            "group_title": op.group_title,
            "item_name": op.item_name,
            "column_values": op.column_values,
            "monday_id": op.monday_id,
            "monday_parent_id": op.monday_parent_id,
            "monday_group_id": op.monday_group_id,
        }
        fields.update(extra)
        return LogEvent(**fields)

    def record_ok_without_request(
        self, op: Op, operation: str, log_board: str, monday_id: str | None, **extra: Any
    ) -> None:
        """An ``ok`` outcome that needed no mutation (an adoption, an update with nothing to change)."""
        attempt = max(1, self.log.next_attempt(op.entity, op.sync_key, op.operation, op.payload_hash) - 1)
        ev = self._event(op, "outcome", "ok", log_board, operation=operation, attempt=attempt, **extra)
        ev.monday_id = monday_id
        self.log.write([ev])
        self.summary.ok(op.entity, operation, board=log_board)

    def _tally(self, op: Op, res: Outcome, board: str | None) -> None:
        if res.status == "ok":
            self.summary.ok(op.entity, op.operation, board=board)
            return
        err = RowError(op.entity, op.sync_key, op.operation, res.error_code, res.error_message, board)
        (self.summary.errors if res.status == "error" else self.summary.unknown).append(err)

    # ------------------------------------------------------------------ send
    def send(
        self,
        operation: str,
        ops: Sequence[Op],
        template_board: str | None,
        log_board: str,
        adopt: Callable[[list[Op]], list[Op]] | None = None,
    ) -> list[tuple[Op, Outcome]]:
        """Send ``ops`` (one kind) in batches; returns the final (op, outcome) per op attempted.

        ``adopt``: for creates, called before a retry with the ops whose outcome was unknown; it
        adopts those that exist on monday and returns the ones still to send.
        """
        results: list[tuple[Op, Outcome]] = []
        pending = list(ops)
        while pending:
            size = self.pacer.batch_size(self.settings.batch_size)
            if operation == "update_items":  # an update that also moves the item is two mutations
                fields, n = 0, 0
                while n < len(pending) and fields < size:
                    fields += 1 + bool(pending[n].move and pending[n].send_values is not None)
                    n += 1
                size = n - (fields > size and n > 1)
            chunk, pending = pending[:size], pending[size:]
            results += self._send_chunk(operation, chunk, template_board, log_board, adopt)
            if self.progress is not None:
                self.progress.update()
        return results

    def _send_chunk(
        self,
        operation: str,
        chunk: list[Op],
        template_board: str | None,
        log_board: str,
        adopt: Callable[[list[Op]], list[Op]] | None,
    ) -> list[tuple[Op, Outcome]]:
        results: list[tuple[Op, Outcome]] = []
        retries = 0
        pending = chunk
        while pending:
            request = ops_mod.build(operation, pending, template_board)
            body = {"query": request.document, "variables": request.variables}
            key = idempotency_key(body, self.log.run_id)
            batch_id = str(uuid.uuid4())
            intents = [
                self._event(
                    op,
                    "intent",
                    "sent",
                    log_board,
                    batch_id=batch_id,
                    idempotency_key=key,
                    attempt=self.log.next_attempt(op.entity, op.sync_key, op.operation, op.payload_hash),
                )
                for op in pending
            ]
            self.log.write(intents)
            try:
                resp = self.call(request, board_id=log_board)
                outcome = ops_mod.outcomes(request, resp.data, resp.errors, self.client.redact)
            except Transient as exc:
                outcome = [Outcome("unknown", None, exc.code, exc.message)] * len(pending)
            except Rejected as exc:
                self.log.write(
                    outcome_events(intents, [Outcome("error", None, exc.code, exc.message)] * len(pending))
                )
                if len(pending) > 1 and exc.code == RESIZE:
                    size = max(1, len(pending) * self.pacer.full_batch() // max(1, request.size))
                    for i in range(0, len(pending), size):
                        part = pending[i : i + size]
                        results += self._send_chunk(operation, part, template_board, log_board, adopt)
                    return results
                if len(pending) > 1 and exc.code in SPLIT_CODES:
                    log.warning("%s batch of %d refused (%s); splitting", operation, len(pending), exc.code)
                    half = len(pending) // 2
                    self.pacer.split_cap = max(1, min(self.pacer.split_cap or half, half))
                    for part in (pending[:half], pending[half:]):
                        results += self._send_chunk(operation, part, template_board, log_board, adopt)
                    return results
                res = Outcome("error", None, exc.code, exc.message)
                for op in pending:
                    self._tally(op, res, log_board)
                return results + [(op, res) for op in pending]
            except (LimitStop, AuthFailed) as exc:
                code = exc.code
                not_sent = Outcome("error", None, code, f"not applied: {exc}")
                self.log.write(outcome_events(intents, [not_sent] * len(pending)))
                if isinstance(exc, AuthFailed):
                    raise ConfigError(f"monday refused the token ({exc.code}): {exc.message}") from None
                raise
            self.log.write(outcome_events(intents, outcome))
            retry = [op for op, res in zip(pending, outcome, strict=True) if res.status == "unknown"]
            for op, res in zip(pending, outcome, strict=True):
                if res.status != "unknown" or retries >= self.settings.max_retries:
                    self._tally(op, res, log_board)
                    results.append((op, res))
            if not retry or retries >= self.settings.max_retries:
                break
            retries += 1
            delay = self.settings.retry_backoff * 2 ** (retries - 1)
            log.warning(
                "%s: %d row(s) with unknown outcome; retry %d/%d in %.1fs",
                operation,
                len(retry),
                retries,
                self.settings.max_retries,
                delay,
            )
            self.sleep(delay)
            pending = retry
            if adopt is not None:
                try:
                    pending = adopt(retry)
                except Transient as exc:  # cannot check monday: leave them unknown for the next run
                    for op in retry:
                        res = Outcome("unknown", None, exc.code, f"sync-key lookup failed: {exc.message}")
                        self._tally(op, res, log_board)
                        results.append((op, res))
                    break
        return results
