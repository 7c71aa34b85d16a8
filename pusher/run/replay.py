"""No duplicates across runs: resend an interrupted create request exactly, under its own key.

A run killed after sending a create request, but before logging its outcome, leaves intents with
no outcome. The next run looks those rows up by sync key (``sync/adopt.py``). When the lookup finds
nothing, monday either never got the request or is still applying it: creating the rows again
under a new Idempotency-Key would duplicate them in the second case. So, while monday still
remembers the first request's key (its replay window), the request is rebuilt from its logged
intents and resent with the *same* key:

- monday never got it: it is applied now, once;
- monday applied it: the stored response is replayed (``Idempotency-Replayed: true``);
- monday is still applying it: 409 IDEMPOTENCY_CONFLICT, waited out (``Retry-After``) until the
  first one finishes, then replayed.

A request is only resent when it can be rebuilt byte for byte (the key computed from the rebuilt
body equals the logged key) and every row it carried is still a create waiting in this run, with
the same group or parent. Anything else falls back to a normal create.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from pusher.errors import LimitStop
from pusher.monday import operations as ops_mod
from pusher.monday.client import CONFLICT_CODES, AuthFailed, Rejected, Response, Transient, idempotency_key
from pusher.monday.operations import Op, Outcome
from pusher.run.context import RunContext
from pusher.run.summary import RowError
from pusher.store.push_log import outcome_events

log = logging.getLogger(__name__)

# monday replays a key's response for 30 minutes; resend only well inside that.
REPLAY_WINDOW = dt.timedelta(minutes=25)


def _utcnow() -> dt.datetime:
    """Naive UTC, as the push log stores logged_at."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # noqa: UP017 (3.10)


FollowUp = Callable[[Op, Op, "str | None"], None]  # (wanted now, what was sent, monday id)


class Replayer:
    def __init__(
        self,
        ctx: RunContext,
        follow_up: FollowUp,
    ) -> None:
        self.ctx = ctx
        self.follow_up = follow_up

    def replayable(self, op: Op) -> bool:
        """Whether ``op``'s unresolved create came from an earlier run, recently enough."""
        prior = op.prior
        if not prior.get("batch_id") or not prior.get("idempotency_key"):
            return False
        if not prior.get("run_id") or prior["run_id"] == self.ctx.log.run_id:
            return False  # this run's own retries already resend under the same key
        logged = prior.get("logged_at")
        if not isinstance(logged, dt.datetime):
            return False
        return _utcnow() - logged < REPLAY_WINDOW

    def replay(self, ops: list[Op]) -> list[Op]:
        """Resend the earlier requests of ``ops`` where possible; return the ops still to create."""
        rest: list[Op] = []
        by_batch: dict[str, list[Op]] = {}
        for op in ops:
            if self.replayable(op):
                by_batch.setdefault(str(op.prior["batch_id"]), []).append(op)
            else:
                rest.append(op)
        for batch_id, group in by_batch.items():
            rest += self._replay_batch(batch_id, group)
        return rest

    # ------------------------------------------------------------------ one request
    def _rebuild(self, batch_id: str, group: list[Op]) -> tuple[ops_mod.Request, list[Op], str, str] | None:
        entity = group[0].entity
        intents = self.ctx.log.batch_intents(entity, batch_id)
        wanted = {op.sync_key: op for op in group}
        if not intents or len(intents) != len(group) or {i["sync_key"] for i in intents} != set(wanted):
            return None  # some of its rows are settled or no longer wanted: do not resend it all
        sent = []
        for rec in intents:
            op = wanted[rec["sync_key"]]
            if rec["operation"] != "create" or (
                entity == "subitem" and rec["monday_parent_id"] != op.monday_parent_id
            ):
                return None
            sent.append(
                Op(
                    entity,
                    "create",
                    rec["sync_key"],
                    payload_hash=rec["payload_hash"],
                    parent_sync_key=rec["parent_sync_key"],
                    group_title=rec["group_title"],
                    item_name=rec["item_name"],
                    column_values=rec["column_values"],
                    send_values=rec["column_values"],
                    monday_parent_id=rec["monday_parent_id"],
                    monday_group_id=rec["monday_group_id"],
                )
            )
        operation = "create_items" if entity == "item" else "create_subitems"
        board = group[0].board_id if entity == "item" else None
        request = ops_mod.build(operation, sent, board)
        key = str(intents[0]["idempotency_key"])
        body = {"query": request.document, "variables": request.variables}
        # The key's scope is the run that first sent the request (a resend logs the old key).
        runs = self.ctx.log.key_scopes(key, since=_utcnow() - 2 * REPLAY_WINDOW)
        scope = next((run for run in runs if idempotency_key(body, run) == key), None)
        if scope is None:
            log.info("%s request %s cannot be rebuilt exactly; creating its rows anew", entity, batch_id)
            return None
        return request, sent, scope, str(intents[0]["board_id"] or group[0].board_id)

    def _replay_batch(self, batch_id: str, group: list[Op]) -> list[Op]:
        rebuilt = self._rebuild(batch_id, group)
        if rebuilt is None:
            return group
        request, sent, scope, log_board = rebuilt
        new_batch = str(uuid.uuid4())  # the resend is a new request of this run, under the old key
        intents = [
            self.ctx.sender._event(
                op,
                "intent",
                "sent",
                log_board,
                batch_id=new_batch,
                idempotency_key=str(group[0].prior["idempotency_key"]),
                attempt=self.ctx.log.next_attempt(op.entity, op.sync_key, op.operation, op.payload_hash),
            )
            for op in sent
        ]
        self.ctx.log.write(intents)
        resp: Response | None = None
        try:
            resp = self._send(request, scope, log_board)
            outcome = ops_mod.outcomes(request, resp.data, resp.errors, self.ctx.sender.client.redact)
        except (Transient, Rejected) as exc:
            # The first request's fate is still unknown: never "error", which would let the next
            # run create these rows blind.
            outcome = [Outcome("unknown", None, exc.code, exc.message)] * len(sent)
        except (LimitStop, AuthFailed) as exc:
            unknown = Outcome("unknown", None, exc.code, f"not resent: {exc}")
            self.ctx.log.write(outcome_events(intents, [unknown] * len(sent)))
            raise
        self.ctx.log.write(outcome_events(intents, outcome))
        log.info(
            "resent an interrupted %s request of %d row(s) under its own key (%s)",
            group[0].entity,
            len(sent),
            "replayed by monday" if resp is not None and resp.replayed else "applied now",
        )
        wanted = {op.sync_key: op for op in group}
        rest: list[Op] = []
        for was, res in zip(sent, outcome, strict=True):
            op = wanted[was.sync_key]
            if res.status == "error":  # monday refused that row: what is wanted now is created anew
                rest.append(op)
            elif res.status == "unknown":  # still not known: the next run tries again, never blind
                err = RowError(
                    op.entity, op.sync_key, op.operation, res.error_code, res.error_message, log_board
                )
                self.ctx.summary.unknown.append(err)
            else:
                done = "adopt" if resp is not None and resp.replayed else "create"
                self.ctx.summary.ok(op.entity, done, board=log_board)
                self.follow_up(op, was, res.monday_id)
        return rest

    def _send(self, request: ops_mod.Request, scope: str, board: str) -> Response:
        """The request under ``scope``'s key (Sender.call waits out 409s: monday still applying
        the first copy); other transient failures are retried with backoff."""
        failures = 0
        while True:
            try:
                return self.ctx.sender.call(request, idempotency_scope=scope, board_id=board)
            except Transient as exc:
                if exc.code in CONFLICT_CODES or failures >= self.ctx.settings.max_retries:
                    raise
                failures += 1
                self.ctx.sender.sleep(self.ctx.settings.retry_backoff * 2 ** (failures - 1))
