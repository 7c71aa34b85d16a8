"""The monday client as board set-up uses it (boards made on demand, ``maker.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pusher.errors import LimitStop
from pusher.monday.client import CONFLICT_CODES, CONFLICT_WAIT, RateLimited, Response, Transient
from pusher.run.context import RunContext


class PatientClient:
    """The client as board set-up uses it: 429s waited out (up to ``max_limit_wait``), a 409
    idempotency conflict waited out, reads retried with backoff; a mutation's transient failure
    goes to the caller (its outcome is unknown). Mutations carry the run's Idempotency-Key scope."""

    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self.client, self.scope = ctx.client, ctx.run_id

    def redact(self, text: Any) -> str:
        return self.client.redact(text)

    def execute(self, query: str, variables: Mapping[str, Any], *, mutation: bool, **_: Any) -> Response:
        failures, limit_waited, conflict_waited = 0, 0.0, 0.0
        pacer = self.ctx.pacer  # board set-up spends the account's budget like every other request
        while True:
            pacer.before_request(pacer.document_estimate(query))
            try:
                resp = self.client.execute(query, variables, mutation=mutation, idempotency_scope=self.scope)
                pacer.observe(resp.complexity, document=query)
                return resp
            except RateLimited as exc:
                pacer.release()
                wait = exc.retry_in if exc.retry_in is not None else 60.0
                if (
                    exc.code == "DAILY_LIMIT_EXCEEDED"
                    or limit_waited + wait > self.ctx.settings.max_limit_wait
                ):
                    raise LimitStop(f"monday's limit stopped making boards: {exc}", exc.code) from None
                limit_waited += wait
                self.ctx.sleep(wait)
            except Transient as exc:
                pacer.release()
                if mutation and exc.code in CONFLICT_CODES and conflict_waited < CONFLICT_WAIT:
                    wait = exc.retry_in if exc.retry_in is not None else 1.0
                    conflict_waited += wait
                    self.ctx.sleep(wait)
                    continue
                if mutation or failures >= self.ctx.settings.max_retries:
                    raise
                failures += 1
                self.ctx.sleep(self.ctx.settings.retry_backoff * 2 ** (failures - 1))
            except BaseException:
                pacer.release()
                raise
