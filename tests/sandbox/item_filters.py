"""Which items match an items_page ``query_params`` or ``items_page_by_column_values`` filter."""

from __future__ import annotations

from typing import Any

from .errors import INVALID_ARGUMENT, MondayError
from .state import SandboxState


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _rule_matches(state: SandboxState, item: dict[str, Any], rule: dict[str, Any]) -> bool:
    cid = str(rule["column_id"])
    text = state.column_text(item, cid)
    keys = {text}
    stored = item["column_values"].get(cid)
    if isinstance(stored, dict):
        if "index" in stored:
            keys.add(str(stored["index"]))
        for i in stored.get("ids", []):
            keys.add(str(i))
    values = [str(v) for v in _as_list(rule.get("compare_value"))]
    op = rule.get("operator") or "any_of"
    needle = values[0].lower() if values else ""
    if op == "any_of":
        return bool(keys & set(values))
    if op == "not_any_of":
        return not keys & set(values)
    if op == "is_empty":
        return text == ""
    if op == "is_not_empty":
        return text != ""
    if op in ("contains_text", "contains_terms"):
        return needle in text.lower()
    if op == "not_contains_text":
        return needle not in text.lower()
    if op == "starts_with":
        return text.lower().startswith(needle)
    if op == "ends_with":
        return text.lower().endswith(needle)
    if op in ("greater_than", "greater_than_or_equals", "lower_than", "lower_than_or_equal", "between"):
        if text == "" or not values:
            return False
        left: Any = _num(text)
        rights: list[Any] = [_num(v) for v in values]
        if left is None or any(r is None for r in rights):
            left, rights = text, values
        if op == "between":
            return len(rights) >= 2 and rights[0] <= left <= rights[1]
        right = rights[0]
        return {
            "greater_than": left > right,
            "greater_than_or_equals": left >= right,
            "lower_than": left < right,
            "lower_than_or_equal": left <= right,
        }[op]
    raise MondayError(f"Unsupported operator {op}", INVALID_ARGUMENT, {"operator": op})


def query_matches(state: SandboxState, item: dict[str, Any], query: dict[str, Any]) -> bool:
    if query.get("ids") and item["id"] not in {str(i) for i in query["ids"]}:
        return False
    results = [_rule_matches(state, item, r) for r in query.get("rules") or []]
    results += [query_matches(state, item, g) for g in query.get("groups") or []]
    if not results:
        return True
    return any(results) if query.get("operator") == "or" else all(results)


def by_values_matches(state: SandboxState, item: dict[str, Any], columns: list[dict[str, Any]]) -> bool:
    for spec in columns:
        wanted = {str(v) for v in _as_list(spec.get("column_values"))}
        if state.column_text(item, str(spec["column_id"])) not in wanted:
            return False
    return True
