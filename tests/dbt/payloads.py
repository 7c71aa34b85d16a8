"""The payload rendering documented in dbt_project/macros/payload/payload_hash.sql, in Python, per
engine: what the dbt tests recompute the models' payload_hash and column_values with.

- DuckDB hashes the UTF-8 bytes and writes JSON strings with to_json (other controls as \\u00XX);
- SQL Server hashes NVARCHAR, i.e. the UTF-16LE bytes, and writes JSON strings with
  STRING_ESCAPE(..., 'json') (also '/' as '\\/').
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

WRAP = {"date": "date", "status": "label", "long_text": "text"}


def snake(name: str) -> str:
    """A source column's staging name: "AAG ORDER NUMBER" → aag_order_number."""
    return re.sub("[^a-z0-9]+", "_", name.lower()).strip("_")


def json_string(text: str, engine: str) -> str:
    """A JSON string as the engine writes it."""
    out = json.dumps(text, ensure_ascii=False)
    if engine == "duckdb":
        return re.sub(r"\\u00([0-9a-f]{2})", lambda m: "\\u00" + m.group(1).upper(), out)
    return out.replace("/", "\\/")


def signature(entity: str, columns: Sequence[dict[str, Any]]) -> str:
    """The first hash term: the entity and every sent column's id and type."""
    return ";".join([entity, *(f"{c['id']}:{c['type']}" for c in columns)])


def payload_hash(terms: Sequence[str | None], engine: str = "duckdb") -> str:
    """SHA-256 of the terms joined by '|' (NULL as \\N, '\\' and '|' escaped)."""
    text = "|".join("\\N" if t is None else t.replace("\\", "\\\\").replace("|", "\\|") for t in terms)
    return hashlib.sha256(text.encode("utf-8" if engine == "duckdb" else "utf-16-le")).hexdigest()


def column_values(columns: Sequence[dict[str, Any]], values: Sequence[str | None], engine: str) -> str:
    """The column_values JSON text: each value wrapped as its column type wants it."""
    parts = []
    for column, value in zip(columns, values, strict=True):
        if value is None:
            rendered = "null"
        elif column["type"] == "dropdown":
            rendered = '{"labels":[' + json_string(value, engine) + "]}"
        elif column["type"] in WRAP:
            rendered = '{"' + WRAP[column["type"]] + '":' + json_string(value, engine) + "}"
        else:
            rendered = json_string(value, engine)
        parts.append(json.dumps(column["id"]) + ":" + rendered)
    return "{" + ",".join(parts) + "}"
