"""The POST /v2 request pipeline: auth, limits, idempotency, faults, execution."""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationType,
    execute,
    parse,
    validate,
)
from graphql.utilities import get_operation_ast

from . import errors as E
from .doc_cost import estimate_cost, root_fields
from .faults import JOB_FAULT_KINDS, Fault, FaultQueue, IdempotencyStore, StoredResponse
from .job_store import JobStore
from .limits import LimitHit, LimitTracker
from .replies import Reply, json_reply, limit_reply, starts_limit_reply
from .resolvers import known_typenames
from .state import SandboxState
from .stats import Stats
from .views import ACCOUNT_ID, RequestContext

HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


@functools.lru_cache(maxsize=256)
def _checked_document(schema: GraphQLSchema, query: str) -> tuple[DocumentNode, tuple[GraphQLError, ...]]:
    """Parse and validate a document once per distinct text (a client sends the same batch
    document over and over with new variables; validating 450 aliases costs more than running
    them). Raises GraphQLSyntaxError, which is not cached."""
    document = parse(query)
    return document, tuple(validate(schema, document))


class GraphQLEndpoint:
    """Turns one /v2 request into a :class:`Reply`."""

    def __init__(
        self,
        schema: GraphQLSchema,
        state: SandboxState,
        tracker: LimitTracker,
        faults: FaultQueue,
        idempotency: IdempotencyStore,
        stats: Stats,
        *,
        token: str | None,
        accepted_versions: tuple[str, ...],
        state_file: Path | None,
        jobs: JobStore,
        admin_tokens: frozenset[str] | None = None,
    ) -> None:
        self.schema = schema
        self.typenames = known_typenames(schema)
        self.state, self.tracker, self.faults = state, tracker, faults
        self.idempotency, self.stats = idempotency, stats
        self.token = token
        self.accepted_versions = accepted_versions
        self.state_file = state_file
        self.latency_ms = 0.0
        self.latency_per_mutation_ms = 0.0
        self.jobs = jobs
        self.admin_tokens = admin_tokens  # None: every token is an admin's

    # ----------------------------------------------------------------- entry
    def handle(self, headers: Mapping[str, str], raw_body: bytes) -> Reply:
        self.stats.bump("counters", "requests")
        token = (headers.get("Authorization") or "").strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        if not token or (self.token is not None and token != self.token):
            body = E.error_body("Not Authenticated", E.UNAUTHORIZED, status_code=401)
            return json_reply(401, body, store=False)
        version = (headers.get("API-Version") or self.accepted_versions[0]).strip()
        self.stats.bump("versions", version)
        if version not in self.accepted_versions:
            msg = f"API version {version!r} is not supported; use one of {list(self.accepted_versions)}"
            return json_reply(400, E.error_body(msg, E.API_VERSION, status_code=400), store=False)
        try:
            payload = json.loads(raw_body or b"{}")
            query = payload["query"]
            if not isinstance(query, str):
                raise TypeError("query must be a string")
            variables = payload.get("variables") or {}
            if not isinstance(variables, dict):
                raise TypeError("variables must be an object")
            op_name = payload.get("operationName") or payload.get("operation_name")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            msg = f"Bad request body: expected JSON {{query, variables}} ({exc})"
            return json_reply(400, E.error_body(msg, E.BAD_REQUEST, status_code=400), store=False)

        hit = self.tracker.enter()
        if hit is not None:
            return self._limited(hit)
        try:
            return self._in_slot(headers, query, variables, op_name, token)
        finally:
            self.tracker.exit()

    def _limited(self, hit: LimitHit) -> Reply:
        self.stats.bump("rate_limited", hit.code)
        return limit_reply(hit)

    def _response(self, data: Any, errors: list[dict[str, Any]] | None) -> Reply:
        body: dict[str, Any] = {}
        if data is not None or not errors:
            body["data"] = data
        if errors:
            body["errors"] = errors
            for err in errors:
                self.stats.bump("app_errors", str(err.get("extensions", {}).get("code")))
        body["extensions"] = {"request_id": str(uuid.uuid4())}
        body["account_id"] = int(ACCOUNT_ID)
        return json_reply(200, body)

    def _doc_errors(self, errs: list[GraphQLError], code: str) -> Reply:
        out = []
        for err in errs:
            item = err.formatted
            item["extensions"] = {**(item.get("extensions") or {}), "code": code}
            out.append(item)
        return self._response(None, out)

    # ------------------------------------------------------------ pipeline
    def _in_slot(
        self,
        headers: Mapping[str, str],
        query: str,
        variables: dict[str, Any],
        op_name: str | None,
        token: str,
    ) -> Reply:
        hit = self.tracker.take_call()
        if hit is not None:
            return self._limited(hit)
        try:
            document, errs = _checked_document(self.schema, query)
        except GraphQLSyntaxError as exc:
            return self._doc_errors([exc], E.PARSE_FAILED)
        if errs:
            return self._doc_errors(list(errs), E.VALIDATION_FAILED)
        operation = get_operation_ast(document, op_name)
        if operation is None:
            err = GraphQLError("Must provide a valid operation name for a multi-operation document")
            return self._doc_errors([err], E.BAD_USER_INPUT)
        is_mutation = operation.operation == OperationType.MUTATION
        self.stats.bump("counters", "mutation_requests" if is_mutation else "query_requests")
        roots = root_fields(document, operation)

        key = (headers.get("Idempotency-Key") or "").strip() if is_mutation else ""
        if key:
            found = self.idempotency.begin(key)
            if isinstance(found, StoredResponse):
                self.stats.bump("counters", "idempotent_replays")
                return Reply(
                    found.status,
                    found.body,
                    found.content_type,
                    headers={"Idempotency-Replayed": "true"},
                    store=False,
                )
            if found == IdempotencyStore.IN_FLIGHT:
                self.stats.bump("counters", "idempotency_conflicts")
                body = E.error_body(
                    "A request with this Idempotency-Key is already in progress",
                    E.IDEMPOTENCY_CONFLICT,
                    retry_in_seconds=1,
                )
                return json_reply(409, body, headers={"Retry-After": "1"}, store=False)
        try:
            reply = self._run(document, operation, roots, variables, op_name, is_mutation, token)
        except BaseException:
            if key:
                self.idempotency.abandon(key)
            raise
        if key:
            if reply.store:
                self.idempotency.finish(key, reply.status, reply.body, reply.content_type)
            else:
                self.idempotency.abandon(key)
        return reply

    def _run(
        self,
        document: Any,
        operation: Any,
        roots: list[tuple[str, str]],
        variables: dict[str, Any],
        op_name: str | None,
        is_mutation: bool,
        token: str,
    ) -> Reply:
        fault = self.faults.take(is_mutation, [name for _, name in roots])
        if fault is not None:
            self.stats.bump("faults", fault.kind)
            early = self._early_fault(fault)
            if early is not None:
                return early
            if fault.kind == "apply_late":  # monday still working on it: a resend gets 409
                time.sleep(float(fault.params["seconds"]))

        retry_ms = self.jobs.check_starts([name for _, name in roots]) if is_mutation else None
        if retry_ms is not None:
            self.stats.bump("rate_limited", E.RATE_LIMIT_EXCEEDED)
            return starts_limit_reply(retry_ms, self.tracker.limits.import_starts_per_hour)

        cost = estimate_cost(document, operation, variables, self.tracker.limits)
        max_cost = self.tracker.limits.max_query_complexity
        if max_cost and cost > max_cost:
            msg = f"Query has complexity of {cost}, which exceeds max complexity of {max_cost}"
            err = {
                "message": msg,
                "extensions": {
                    "code": E.MAX_COMPLEXITY,
                    "status_code": 200,
                    "error_data": {"complexity": cost, "max_complexity": max_cost},
                },
            }
            return self._response(None, [err])
        hit, snapshot = self.tracker.charge(cost)
        if hit is not None:
            return self._limited(hit)
        self.stats.bump("counters", "complexity_charged", cost)

        board = str(variables.get("board") or "") if is_mutation else ""
        if board:
            self.tracker.board_enter(board)
        try:
            return self._applied(document, roots, variables, op_name, is_mutation, token, fault, snapshot)
        finally:
            if board:
                self.tracker.board_exit(board)

    def _applied(
        self,
        document: Any,
        roots: list[tuple[str, str]],
        variables: dict[str, Any],
        op_name: str | None,
        is_mutation: bool,
        token: str,
        fault: Fault | None,
        snapshot: dict[str, Any],
    ) -> Reply:
        n_mut = len(roots) if is_mutation else 0
        delay = self.latency_ms + self.latency_per_mutation_ms * n_mut
        if delay > 0:
            time.sleep(delay / 1000.0)

        ctx = RequestContext(self.state, self.typenames, complexity=snapshot, jobs=self.jobs)
        ctx.is_admin = self.admin_tokens is None or token in self.admin_tokens
        if fault is not None and fault.kind in JOB_FAULT_KINDS:
            ctx.job_fault = fault
        if fault is not None and fault.kind == "alias_error":
            ctx.fail_alias = self._fail_alias(fault, roots)
            ctx.fail_code = str(fault.params["code"])
            ctx.fail_message = str(fault.params["message"])
        with self.state.lock:
            result = execute(
                self.schema,
                document,
                context_value=ctx,
                variable_values=variables,
                operation_name=op_name,
            )
            if ctx.mutated and self.state_file is not None:
                self.state.flush(self.state_file)
        for name in ctx.mutation_fields:
            self.stats.bump("mutations", name)
        if not is_mutation:
            for _, name in roots:
                self.stats.bump("queries", name)
        reply = self._response(result.data, [E.format_error(e) for e in result.errors or []])  # type: ignore[union-attr]

        if fault is not None:
            if fault.kind == "truncated_json":
                reply.action = "truncate"
            elif fault.kind == "drop_after":
                reply.action = "drop"
            elif fault.kind == "slow":
                time.sleep(float(fault.params["seconds"]))
        return reply

    @staticmethod
    def _fail_alias(fault: Fault, roots: list[tuple[str, str]]) -> str | None:
        if "alias" in fault.params:
            return str(fault.params["alias"])
        index = int(fault.params.get("index", 0))
        return roots[index][0] if 0 <= index < len(roots) else None

    def _early_fault(self, fault: Fault) -> Reply | None:
        if fault.kind == "rate_limit":
            code = str(fault.params["code"])
            retry = int(fault.params["retry_in_seconds"])
            return self._limited(LimitHit(code, retry, f"Injected {code}"))
        if fault.kind == "http_500":
            body = E.error_body("Internal server error", E.INTERNAL, status_code=500)
            return json_reply(500, body, store=False)
        if fault.kind == "http_502_html":
            return Reply(502, HTML_502, "text/html", store=False)
        if fault.kind == "drop_before":
            return Reply(0, b"", action="drop", store=False)
        return None
