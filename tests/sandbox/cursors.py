"""Opaque items_page cursors: the page's board, group, filters and offset, base64-encoded."""

from __future__ import annotations

import base64
import json
from typing import Any

from .errors import INVALID_CURSOR, MondayError


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return "MSw" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        if not cursor.startswith("MSw"):
            raise ValueError(cursor)
        body = cursor[3:]
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if not isinstance(data, dict) or "b" not in data:
            raise ValueError(cursor)
        return data
    except (ValueError, TypeError):
        raise MondayError("Invalid cursor", INVALID_CURSOR, {"cursor": cursor[:100]}) from None
