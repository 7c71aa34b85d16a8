"""One import cell -> the ``column_values`` value a mutation would send, or the row's error.

monday's import takes display text (a status label, an ISO date, dropdown labels joined by
commas), not column_values JSON. The sandbox turns that text into the value ``create_item``
takes and stores it through the same code path, so an imported item can't be told from one made
by a mutation. Messages follow the report N8N observed: ``Label "X" is invalid for column "c"``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from . import columns as cols
from .errors import MondayError

NULL = "<NULL>"  # UPSERT: clears the column
CLEAR = object()  # the value for a <NULL> cell
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_NAMED_EMAIL_RE = re.compile(r"^(.*?)\s*<([^<>]+)>$")
_MD_LINK_RE = re.compile(r"^\[(.*)\]\((\S+)\)$")
TRUE = frozenset({"true", "yes", "y", "x", "1", "v", "on", "checked"})
FALSE = frozenset({"false", "no", "n", "0", "off", "unchecked"})


class CellError(Exception):
    """A cell that fails validation (its row ends as ``validation_error``)."""


def _date(text: str, column: dict[str, Any]) -> str:
    if _DATE_RE.match(text):
        try:
            dt.date.fromisoformat(text)
            return text
        except ValueError:
            pass
    raise CellError(f'Date "{text}" is invalid for column "{column["id"]}" (use YYYY-MM-DD)')


def _labels(text: str, column: dict[str, Any]) -> list[str]:
    settings = column.get("settings") or {}
    if column["type"] == "status":
        have = set((settings.get("labels") or {}).values())
        wanted = [text]
    else:
        have = {o["name"] for o in settings.get("labels") or []}
        wanted = [p.strip() for p in text.split(",") if p.strip()]
    for label in wanted:
        if label not in have:
            raise CellError(f'Label "{label}" is invalid for column "{column["id"]}"')
    return wanted


def _email(text: str, column: dict[str, Any]) -> dict[str, str]:
    named = _NAMED_EMAIL_RE.match(text)
    shown, address = (named.group(1) or named.group(2), named.group(2)) if named else (text, text)
    if not _EMAIL_RE.match(address.strip()):
        raise CellError(f'Email "{text}" is invalid for column "{column["id"]}"')
    return {"email": address.strip(), "text": shown.strip()}


def _link(text: str, column: dict[str, Any]) -> dict[str, str]:
    md = _MD_LINK_RE.match(text)
    shown, url = (md.group(1), md.group(2)) if md else (text, text)
    if not url.startswith(("http://", "https://")):
        raise CellError(f'Link "{text}" is invalid for column "{column["id"]}" (must start with http(s))')
    return {"url": url, "text": shown}


def _checkbox(text: str, column: dict[str, Any]) -> dict[str, str] | None:
    if text.casefold() in TRUE:
        return {"checked": "true"}
    if text.casefold() in FALSE:
        return None
    raise CellError(f'Value "{text}" is invalid for checkbox column "{column["id"]}"')


def _timeline(text: str, column: dict[str, Any]) -> dict[str, str]:
    start, _, end = text.partition("/")
    return {"from": _date(start.strip(), column), "to": _date((end or start).strip(), column)}


def _number(text: str, column: dict[str, Any]) -> str:
    if not _NUMBER_RE.match(text):
        raise CellError(f'Value "{text}" is not a number for column "{column["id"]}"')
    return text


def to_value(column: dict[str, Any], cell: str) -> Any:
    """The mutation value for ``cell``: None (empty), CLEAR (``<NULL>``) or a value; CellError."""
    text = cell.strip()
    if not text:
        return None
    if text == NULL:
        return CLEAR
    ctype = column["type"]
    if ctype == "text":
        return cell
    if ctype == "long_text":
        return {"text": cell}
    if ctype == "numbers":
        return _number(text, column)
    if ctype == "date":
        return {"date": _date(text, column)}
    if ctype == "status":
        return {"label": _labels(text, column)[0]}
    if ctype == "dropdown":
        return {"labels": _labels(text, column)}
    if ctype == "email":
        return _email(text, column)
    if ctype == "link":
        return _link(text, column)
    if ctype == "phone":
        return {"phone": text, "countryShortName": ""}
    if ctype == "checkbox":
        return _checkbox(text, column)
    if ctype == "timeline":
        return _timeline(text, column)
    return text


def row_values(
    columns: dict[str, dict[str, Any]], cells: dict[str, str], *, upsert: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """(column_values for the mutation, {column id: error message}) of one row.

    Empty cells give no value; ``<NULL>`` clears the column on an UPSERT update and is empty
    otherwise. Every value is also run through the mutation's own validation."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for cid, cell in cells.items():
        column = columns[cid]
        try:
            value = to_value(column, cell)
            if value is CLEAR:
                if upsert:
                    values[cid] = None
                continue
            if value is None:
                continue
            cols.normalize(column, value)
            values[cid] = value
        except CellError as exc:
            errors[cid] = str(exc)
        except MondayError as exc:
            errors[cid] = f'{exc.message.split(". Please check")[0]} for column "{cid}"'
    return values, errors
