"""Column value validation and storage format, per column type.

Values are stored in the shape monday returns in ``ColumnValue.value`` (parsed):
text/numbers are JSON strings, status is ``{"index": N, ...}``, dropdown is
``{"ids": [...]}``, date is ``{"date": ..., "time": ...}``, long_text is
``{"text": ...}``.  ``None`` means "empty".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from .errors import COLUMN_VALUE, MondayError

LONG_TEXT_MAX = 2000
READ_ONLY_TYPES = frozenset(
    {
        "auto_number",
        "creation_log",
        "formula",
        "item_id",
        "last_updated",
        "mirror",
        "subtasks",
        "button",
        "vote",
        "dependency",
    }
)
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")

Commit = Callable[[], None]


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_settings(col_type: str, labels: Any = None) -> dict[str, Any]:
    """Column settings in monday's ``settings_str`` shape, from a label list."""
    if col_type == "status":
        if isinstance(labels, dict):
            return {"labels": {str(k): str(v) for k, v in labels.items()}}
        names = list(labels) if labels else ["Working on it", "Done", "Stuck"]
        return {"labels": {str(i): str(n) for i, n in enumerate(names)}}
    if col_type == "dropdown":
        out: list[dict[str, Any]] = []
        for i, lab in enumerate(labels or [], start=1):
            if isinstance(lab, dict):
                out.append({"id": int(lab.get("id", i)), "name": str(lab["name"])})
            else:
                out.append({"id": i, "name": str(lab)})
        return {"labels": out}
    return {}


def _fail(column: dict[str, Any], raw: Any, why: str) -> MondayError:
    return MondayError(
        f"invalid value - {why}. Please check our API documentation for the correct "
        "data structure for this column. "
        "https://developer.monday.com/api-reference/docs/change-column-values",
        COLUMN_VALUE,
        {
            "column_id": column["id"],
            "column_type": column["type"],
            "column_value": json.dumps(raw) if not isinstance(raw, str) else raw,
        },
    )


def _is_empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == {}


def _status_labels(column: dict[str, Any]) -> dict[str, str]:
    labels = column.setdefault("settings", {}).setdefault("labels", {})
    return labels  # type: ignore[no-any-return]


def _dropdown_labels(column: dict[str, Any]) -> list[dict[str, Any]]:
    labels = column.setdefault("settings", {}).setdefault("labels", [])
    return labels  # type: ignore[no-any-return]


def normalize(column: dict[str, Any], raw: Any, create_labels: bool = False) -> tuple[Any, Commit | None]:
    """Validate ``raw`` for ``column``; return the stored value and a commit hook.

    The hook (if any) adds labels created by ``create_labels_if_missing``; the
    caller runs it only once every value in the request has been validated.
    Raises :class:`MondayError` (``ColumnValueException``) on a bad value.
    """
    ctype = column["type"]
    if ctype in READ_ONLY_TYPES:
        raise _fail(column, raw, f"the {ctype} column can't be changed via the API")
    if _is_empty(raw):
        return None, None
    if ctype == "text":
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise _fail(column, raw, "text column expects a string")
        return str(raw), None
    if ctype == "numbers":
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise _fail(column, raw, "numbers column expects a numeric string")
        text = str(raw).strip()
        if not _NUMBER_RE.match(text):
            raise _fail(column, raw, f"{text!r} is not a number")
        return text, None
    if ctype == "date":
        return _normalize_date(column, raw), None
    if ctype == "status":
        return _normalize_status(column, raw, create_labels)
    if ctype == "dropdown":
        return _normalize_dropdown(column, raw, create_labels)
    if ctype == "long_text":
        if isinstance(raw, dict):
            raw_text = raw.get("text")
        else:
            raw_text = raw
        if not isinstance(raw_text, str):
            raise _fail(column, raw, 'long_text expects {"text": "..."}')
        if len(raw_text) > LONG_TEXT_MAX:
            raise _fail(column, raw, f"long text is limited to {LONG_TEXT_MAX} characters")
        return {"text": raw_text, "changed_at": now_iso()}, None
    if ctype == "checkbox":
        checked = raw.get("checked") if isinstance(raw, dict) else raw
        if checked in (True, "true", "True", 1, "1"):
            return {"checked": "true"}, None
        if checked in (False, "false", None, 0, "0", ""):
            return None, None
        raise _fail(column, raw, 'checkbox expects {"checked": "true"}')
    if ctype in ("email", "link", "phone"):
        if isinstance(raw, str):
            first, _, rest = raw.partition(" ")
            key = {"email": "email", "link": "url", "phone": "phone"}[ctype]
            return {key: first, "text": rest or first}, None
        if not isinstance(raw, dict):
            raise _fail(column, raw, f"{ctype} expects an object")
        return dict(raw), None
    # Other writable types: accept any JSON object/string as-is.
    if not isinstance(raw, dict | str | list):
        raise _fail(column, raw, f"unexpected value for a {ctype} column")
    return raw, None


def _normalize_date(column: dict[str, Any], raw: Any) -> dict[str, Any] | None:
    if isinstance(raw, str):
        date_part, _, time_part = raw.strip().partition(" ")
        obj: dict[str, Any] = {"date": date_part}
        if time_part:
            obj["time"] = time_part
    elif isinstance(raw, dict):
        obj = raw
    else:
        raise _fail(column, raw, 'date expects {"date": "YYYY-MM-DD"}')
    date_s = obj.get("date")
    if date_s in (None, ""):
        return None
    if not isinstance(date_s, str) or not _DATE_RE.match(date_s):
        raise _fail(column, raw, "date must be formatted YYYY-MM-DD")
    try:
        dt.date.fromisoformat(date_s)
    except ValueError:
        raise _fail(column, raw, f"{date_s} is not a valid date") from None
    out: dict[str, Any] = {"date": date_s, "icon": None}
    time_s = obj.get("time")
    if time_s not in (None, ""):
        if not isinstance(time_s, str) or not _TIME_RE.match(time_s):
            raise _fail(column, raw, "time must be formatted HH:MM:SS")
        out["time"] = time_s if len(time_s) == 8 else time_s + ":00"
    out["changed_at"] = now_iso()
    return out


def _normalize_status(column: dict[str, Any], raw: Any, create_labels: bool) -> tuple[Any, Commit | None]:
    labels = _status_labels(column)
    if isinstance(raw, str):
        raw_obj: dict[str, Any] = {"label": raw}
    elif isinstance(raw, dict):
        raw_obj = raw
    else:
        raise _fail(column, raw, 'status expects {"label": "..."}')
    stamp = {"post_id": None, "changed_at": now_iso()}
    if "index" in raw_obj and raw_obj["index"] is not None:
        idx = str(raw_obj["index"])
        if idx not in labels:
            raise _fail(column, raw, f"index {idx} does not exist in column")
        return {"index": int(idx), **stamp}, None
    label = raw_obj.get("label")
    if label in (None, ""):
        return None, None
    if not isinstance(label, str):
        raise _fail(column, raw, "status label must be a string")
    for idx, name in labels.items():
        if name == label:
            return {"index": int(idx), **stamp}, None
    if not create_labels:
        raise _fail(column, raw, "label does not exist in column")
    new_idx = max((int(i) for i in labels), default=-1) + 1
    if new_idx == 5:  # monday reserves index 5 for the default (empty) label
        new_idx = 6

    def commit() -> None:
        _status_labels(column)[str(new_idx)] = label

    return {"index": new_idx, **stamp}, commit


def _normalize_dropdown(column: dict[str, Any], raw: Any, create_labels: bool) -> tuple[Any, Commit | None]:
    options = _dropdown_labels(column)
    by_name = {o["name"]: o["id"] for o in options}
    by_id = {o["id"] for o in options}
    if isinstance(raw, str):
        raw = {"labels": [p.strip() for p in raw.split(",") if p.strip()]}
    if not isinstance(raw, dict):
        raise _fail(column, raw, 'dropdown expects {"labels": [...]}')
    ids: list[int] = []
    missing: list[str] = []
    if raw.get("ids") is not None:
        if not isinstance(raw["ids"], list):
            raise _fail(column, raw, "ids must be a list")
        for i in raw["ids"]:
            try:
                num = int(i)
            except (TypeError, ValueError):
                raise _fail(column, raw, f"dropdown id {i!r} is invalid") from None
            if num not in by_id:
                raise _fail(column, raw, f"dropdown id {num} does not exist")
            ids.append(num)
    elif raw.get("labels") is not None:
        if not isinstance(raw["labels"], list):
            raise _fail(column, raw, "labels must be a list")
        next_id = max(by_id, default=0) + 1
        for lab in raw["labels"]:
            if not isinstance(lab, str):
                raise _fail(column, raw, "dropdown labels must be strings")
            if lab in by_name:
                ids.append(by_name[lab])
            elif not create_labels:
                raise _fail(column, raw, f"dropdown label {lab!r} does not exist")
            else:
                by_name[lab] = next_id
                ids.append(next_id)
                missing.append(lab)
                next_id += 1
    else:
        return None, None
    if not ids:
        return None, None

    commit: Commit | None = None
    if missing:
        new_opts = [{"id": by_name[name], "name": name} for name in missing]

        def commit() -> None:
            _dropdown_labels(column).extend(new_opts)

    return {"ids": ids}, commit
