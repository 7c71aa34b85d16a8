"""monday.com-shaped error types used by the sandbox resolvers and state layer."""

from __future__ import annotations

import sys
import traceback
from typing import Any

from graphql import GraphQLError

# Application error codes (HTTP 200, reported per alias in ``errors[]``).
INVALID_BOARD_ID = "InvalidBoardIdException"
INVALID_ITEM_ID = "InvalidItemIdException"
INVALID_GROUP_ID = "InvalidGroupIdException"
INVALID_COLUMN_ID = "InvalidColumnIdException"
COLUMN_VALUE = "ColumnValueException"
ITEM_NAME_TOO_LONG = "ItemNameTooLongException"
ITEMS_LIMIT = "ItemsLimitationException"
INVALID_ARGUMENT = "InvalidArgumentException"
INVALID_CURSOR = "InvalidCursorException"
MAX_COMPLEXITY = "maxComplexityExceeded"

# Request-level codes.
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"
UNAUTHORIZED = "Unauthorized"
BAD_REQUEST = "BAD_REQUEST"
API_VERSION = "InvalidApiVersionException"
IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"

# Limit codes (HTTP 429).
COMPLEXITY_BUDGET_EXHAUSTED = "COMPLEXITY_BUDGET_EXHAUSTED"
MINUTE_RATE_LIMIT_EXCEEDED = "MINUTE_RATE_LIMIT_EXCEEDED"
MAX_CONCURRENCY_EXCEEDED = "MAX_CONCURRENCY_EXCEEDED"
DAILY_LIMIT_EXCEEDED = "DAILY_LIMIT_EXCEEDED"
RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"  # import job starts per hour (retryAfterMs)
LIMIT_CODES = (
    COMPLEXITY_BUDGET_EXHAUSTED,
    MINUTE_RATE_LIMIT_EXCEEDED,
    MAX_CONCURRENCY_EXCEEDED,
    DAILY_LIMIT_EXCEEDED,
)


class MondayError(GraphQLError):
    """An application error carrying monday's ``extensions`` (code, error_data)."""

    def __init__(
        self,
        message: str,
        code: str,
        error_data: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> None:
        super().__init__(
            message,
            extensions={
                "code": code,
                "status_code": status_code,
                "error_data": error_data or {},
            },
        )
        self.code = code


def error_body(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    """A request-level error body: ``{"errors": [{message, extensions}]}``."""
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def format_error(err: GraphQLError) -> dict[str, Any]:
    """An ``errors[]`` entry; every entry carries ``extensions.code`` (INTERNAL_SERVER_ERROR for a
    resolver bug, printed to stderr; BAD_USER_INPUT for graphql-core's own errors)."""
    out = err.formatted
    ext = dict(out.get("extensions") or {})
    if "code" not in ext:
        original = err.original_error
        if original is not None and not isinstance(original, GraphQLError):
            ext["code"] = INTERNAL
            traceback.print_exception(original, file=sys.stderr)
        else:
            ext["code"] = BAD_USER_INPUT
    out["extensions"] = ext
    return out
