"""Reading an uploaded import file: encoding, CSV, the header against the board, item and subitem rows.

Whole-file problems raise :class:`InvalidUpload` (the job is REJECTED with INVALID_UPLOAD);
row-level problems are kept on the row (``Row.error``) and end as that row's ``validation_error``.
See tests/sandbox/README.md, "Bulk import", for the rules and the guesses among them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from .columns import READ_ONLY_TYPES

SUFFIX = ".subitem"
NOT_IMPORTABLE = READ_ONLY_TYPES | {"name", "subtasks"}


class InvalidUpload(Exception):
    """The file as a whole can't be imported (failure_reason INVALID_UPLOAD)."""


@dataclass
class Header:
    """One header cell: which board (item or subitem) and column it names."""

    text: str
    column_id: str
    subitem: bool


@dataclass
class Row:
    serial: int  # 1-based data-row number (monday's report serialNo)
    subitem: bool
    name: str
    cells: dict[str, str]  # column id -> raw cell (own board's columns only)
    parent: int | None = None  # serial of the item row above (subitem rows)
    error: str | None = None  # structural row problem -> validation_error
    error_column: str | None = None  # header the error is about (report column)


@dataclass
class ParsedFile:
    headers: list[Header]
    rows: list[Row] = field(default_factory=list)

    @property
    def has_subitems(self) -> bool:
        return any(h.subitem for h in self.headers)

    def header_text(self, column_id: str, subitem: bool) -> str:
        for h in self.headers:
            if h.column_id == column_id and h.subitem == subitem:
                return h.text
        return column_id + (SUFFIX if subitem else "")


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidUpload(f"The file is not UTF-8 (byte {exc.start}); UTF-8 encoding is required") from None
    return text[1:] if text.startswith("\ufeff") else text


def _records(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return [rec for rec in reader if rec]
    except csv.Error as exc:
        raise InvalidUpload(f"Malformed CSV at line {reader.line_num}: {exc}") from None


def _match_sub(base: str, sub_columns: dict[str, dict[str, Any]]) -> str | None:
    if base in sub_columns:
        return base
    folded = [cid for cid in sub_columns if cid.casefold() == base.casefold()]
    return folded[0] if len(folded) == 1 else None


def _header(
    record: list[str],
    columns: dict[str, dict[str, Any]],
    sub_columns: dict[str, dict[str, Any]] | None,
) -> list[Header]:
    if not record or record[0] != "name":
        first = record[0] if record else ""
        hint = " (use comma as the separator)" if any(s in first for s in ";\t|") else ""
        raise InvalidUpload(f'The first header value must be "name", got "{first[:60]}"{hint}')
    out = [Header("name", "name", False)]
    seen: set[tuple[str, bool]] = {("name", False)}
    for text in record[1:]:
        if text.casefold().endswith(SUFFIX):
            if sub_columns is None:
                raise InvalidUpload(f'Header "{text}": the board has no subitems column')
            base = text[: -len(SUFFIX)]
            cid = "name" if base.casefold() == "name" else _match_sub(base, sub_columns)
            if cid is None:
                raise InvalidUpload(f'Header "{text}": no subitem column with id "{base}"')
            header = Header(text, cid, True)
            ctype = "name" if cid == "name" else sub_columns[cid]["type"]
        else:
            if text not in columns:
                titled = [cid for cid, c in columns.items() if c["title"] == text]
                hint = f' (that is the title of column "{titled[0]}"; use column ids)' if titled else ""
                raise InvalidUpload(f'Header "{text}" is not a column id of the board{hint}')
            header = Header(text, text, False)
            ctype = columns[text]["type"]
        key = (header.column_id, header.subitem)
        if key in seen:
            raise InvalidUpload(f'Header "{text}" appears twice')
        seen.add(key)
        if ctype in NOT_IMPORTABLE and header.column_id != "name":
            raise InvalidUpload(f'Header "{text}": a {ctype} column can\'t be imported')
        out.append(header)
    if any(h.subitem for h in out) and not any(h.subitem and h.column_id == "name" for h in out):
        raise InvalidUpload('Subitem headers need a "name.subitem" header')
    return out


def _row(serial: int, headers: list[Header], record: list[str], parent: int | None) -> Row:
    item = {h.column_id: v for h, v in zip(headers, record, strict=True) if not h.subitem}
    sub = {h.column_id: v for h, v in zip(headers, record, strict=True) if h.subitem}
    item_name, sub_name = item.pop("name").strip(), sub.pop("name", "").strip()
    if item_name or not sub_name:
        row = Row(serial, False, item_name, item)
        if not item_name:
            row.error, row.error_column = "Item name is empty", "name"
        elif any(v.strip() for v in sub.values()) or sub_name:
            row.error = "A row holds either an item or a subitem: the subitem cells must be empty"
        return row
    row = Row(serial, True, sub_name, sub, parent)
    if any(v.strip() for v in item.values()):
        row.error = "A subitem row must leave the item cells empty"
    elif parent is None:
        row.error = "A subitem row needs an item row above it"
    return row


def parse_upload(
    data: bytes,
    columns: dict[str, dict[str, Any]],
    sub_columns: dict[str, dict[str, Any]] | None,
) -> ParsedFile:
    """Parse ``data`` against the board's ``columns`` (id -> column) and its subitems board's."""
    records = _records(_decode(data))
    if not records:
        raise InvalidUpload("The file is empty")
    parsed = ParsedFile(_header(records[0], columns, sub_columns))
    if len(records) == 1:
        raise InvalidUpload("The file has a header but no rows")
    width = len(parsed.headers)
    parent: int | None = None
    for serial, record in enumerate(records[1:], start=1):
        if len(record) != width:
            raise InvalidUpload(f"Row {serial} has {len(record)} values; the header has {width}")
        row = _row(serial, parsed.headers, record, parent)
        if not row.subitem:
            parent = serial
        parsed.rows.append(row)
    return parsed
