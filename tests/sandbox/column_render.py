"""How a stored column value reads back: its ``text``, GraphQL type and typed fields."""

from __future__ import annotations

import json
from typing import Any

# Column type -> concrete GraphQL type implementing ColumnValue.
_TYPENAMES = {
    "status": "StatusValue",
    "long_text": "LongTextValue",
    "board_relation": "BoardRelationValue",
    "color_picker": "ColorPickerValue",
    "creation_log": "CreationLogValue",
    "direct_doc": "DirectDocValue",
    "item_assignees": "PeopleValue",
    "item_id": "ItemIdValue",
    "last_updated": "LastUpdatedValue",
    "time_tracking": "TimeTrackingValue",
    "world_clock": "WorldClockValue",
    "auto_number": "UnsupportedValue",
    "progress": "ProgressValue",
    "subtasks": "SubtasksValue",
}


def typename(col_type: str, known: frozenset[str] | set[str]) -> str:
    """The concrete ``ColumnValue`` implementation for a column type."""
    name = _TYPENAMES.get(col_type)
    if name is None:
        name = "".join(part.capitalize() for part in col_type.split("_")) + "Value"
    return name if name in known else "UnsupportedValue"


def render_text(column: dict[str, Any], stored: Any) -> str:
    """The ``text`` monday shows for a stored value."""
    if stored is None:
        return ""
    ctype = column["type"]
    settings = column.get("settings") or {}
    if ctype in ("text", "numbers") and isinstance(stored, str):
        return stored
    if ctype == "date" and isinstance(stored, dict):
        time_s = stored.get("time")
        return f"{stored['date']} {time_s}" if time_s else str(stored["date"])
    if ctype == "status" and isinstance(stored, dict):
        return str(settings.get("labels", {}).get(str(stored.get("index")), ""))
    if ctype == "dropdown" and isinstance(stored, dict):
        names = {o["id"]: o["name"] for o in settings.get("labels", [])}
        return ", ".join(names.get(i, "") for i in stored.get("ids", []))
    if ctype == "long_text" and isinstance(stored, dict):
        return str(stored.get("text", ""))
    if ctype == "checkbox":
        return "v" if stored else ""
    if ctype == "link" and isinstance(stored, dict):
        return f"{stored.get('text', '')} - {stored.get('url', '')}"
    if isinstance(stored, dict):
        for key in ("text", "email", "phone", "url"):
            if isinstance(stored.get(key), str):
                return str(stored[key])
        return ""
    return stored if isinstance(stored, str) else json.dumps(stored)


def typed_fields(column: dict[str, Any], stored: Any) -> dict[str, Any]:
    """Type-specific fields of the concrete ``*Value`` GraphQL types."""
    ctype = column["type"]
    settings = column.get("settings") or {}
    if ctype == "numbers":
        number = float(stored) if isinstance(stored, str) and stored else None
        return {"number": number, "symbol": None, "direction": None}
    if ctype == "date":
        obj = stored if isinstance(stored, dict) else {}
        return {"date": obj.get("date"), "time": obj.get("time"), "icon": None}
    if ctype == "status":
        idx = stored.get("index") if isinstance(stored, dict) else None
        label = settings.get("labels", {}).get(str(idx)) if idx is not None else None
        return {"index": idx, "label": label, "is_done": label == "Done"}
    if ctype == "dropdown":
        names = {o["id"]: o["name"] for o in settings.get("labels", [])}
        ids = stored.get("ids", []) if isinstance(stored, dict) else []
        return {"values": [{"id": str(i), "label": names.get(i, "")} for i in ids]}
    if ctype == "checkbox":
        return {"checked": bool(stored)}
    return {}
