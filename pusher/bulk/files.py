"""Outbox rows → the CSV file of one monday import job, and the map from its rows back to them.

docs/CONTRACT.md, "Initial loads": UTF-8, comma, RFC 4180 quoting, CRLF line ends; header ``name``,
the item column ids in mapping order, then ``name.subitem`` and ``<subitem column id>.subitem``;
an item row, then one row per subitem of that item (item cells empty). Values are monday's import
text form of the outbox ``column_values`` JSON. Text is never altered: a value that looks like a
spreadsheet formula, JSON, quotes, commas, newlines or emoji goes as it is (quoted where RFC 4180
asks), because monday's import stores text, it does not evaluate it.

monday's report numbers the data rows from 1 (``serialNo``): ``Job.rows[serial - 1]`` is the
outbox row a report line is about.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pusher.config.settings import ColumnSpec
from pusher.monday.operations import Op

SUBITEM_SUFFIX = ".subitem"
ROWS_PER_JOB = {"ingest": 10_000, "backfill": 20_000}  # monday's limits per file, items and subitems


def import_text(value: Any, column_type: str | None = None) -> str:
    """One ``column_values`` value in monday's import text form (``None`` → an empty cell).

    text / long_text: the plain string; numbers: the numeric string; date: ``YYYY-MM-DD``; status:
    the label; dropdown: the labels joined with ``", "``. The value's shape decides where the type
    would not (a long_text mapped as text still sends ``{"text": ...}``).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if "labels" in value:
            return ", ".join(str(x) for x in value["labels"] or ())
        if "label" in value:
            return "" if value["label"] is None else str(value["label"])
        if "date" in value:
            return "" if value["date"] is None else str(value["date"])[:10]
        if "text" in value:
            return "" if value["text"] is None else str(value["text"])
        if column_type == "checkbox" and "checked" in value:
            return "true" if str(value["checked"]).lower() in ("true", "1") else "false"
    if isinstance(value, list):
        return ", ".join(import_text(v) for v in value)
    raise ValueError(f"no import text form for a {column_type or 'column'} value {value!r}")


@dataclass
class Unit:
    """A new item and the subitems created under it: never split across jobs."""

    item: Op
    subitems: list[Op] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return 1 + len(self.subitems)


@dataclass
class Job:
    """One import job's file: the CSV text and, per data row (serialNo - 1), its outbox row."""

    text: str
    rows: list[Op]
    items: int
    subitems: int


def _values(raw: str | None) -> dict[str, Any]:
    if raw is None or not str(raw).strip():
        return {}
    parsed = json.loads(raw)
    if not isinstance(parsed, dict):
        raise ValueError("column_values is not a JSON object")
    return parsed


def header_columns(columns: Sequence[ColumnSpec], values: Iterable[Mapping[str, Any]]) -> list[str]:
    """The mapping's column ids in order, then any other key the rows' values carry (e.g. the size
    curve of a ``sizes: column`` route), in the order first seen."""
    ids = [c.id for c in columns]
    seen = set(ids)
    for row in values:
        for key in row:
            if key not in seen and key != "name":
                seen.add(key)
                ids.append(key)
    return ids


def build_job(
    units: Sequence[Unit], item_columns: Sequence[ColumnSpec], sub_columns: Sequence[ColumnSpec]
) -> Job:
    """The CSV of ``units`` (items with their subitems) and the row map; each row's JSON is read once."""
    types = {c.id: c.type for c in (*item_columns, *sub_columns)}
    rows: list[Op] = [op for u in units for op in (u.item, *u.subitems)]
    values = [_values(op.column_values) for op in rows]
    is_item = [op.entity == "item" for op in rows]
    items = header_columns(item_columns, (v for v, item in zip(values, is_item, strict=True) if item))
    has_subs = not all(is_item)
    subs = (v for v, item in zip(values, is_item, strict=True) if not item)
    sub_ids = header_columns(sub_columns, subs) if has_subs else []
    header = ["name", *items]
    if has_subs:
        header += ["name" + SUBITEM_SUFFIX] + [c + SUBITEM_SUFFIX for c in sub_ids]
    item_types = [types.get(c) for c in items]
    sub_types = [types.get(c) for c in sub_ids]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    blank_subs = [""] * (len(sub_ids) + 1) if has_subs else []
    blank_item = [""] * (len(items) + 1)
    for op, v, item in zip(rows, values, is_item, strict=True):
        if item:
            cells = [import_text(v.get(c), t) for c, t in zip(items, item_types, strict=True)]
            writer.writerow([op.item_name or "", *cells, *blank_subs])
        else:
            cells = [import_text(v.get(c), t) for c, t in zip(sub_ids, sub_types, strict=True)]
            writer.writerow([*blank_item, op.item_name or "", *cells])
    return Job(buf.getvalue(), rows, len(units), len(rows) - len(units))


def units_of(job: Job) -> list[Unit]:
    """A job's items with their subitems again (its rows are in CSV order)."""
    units: list[Unit] = []
    for op in job.rows:
        if op.entity == "item":
            units.append(Unit(op))
        else:
            units[-1].subitems.append(op)
    return units


def split_units(units: Sequence[Unit], max_rows: int) -> list[list[Unit]]:
    """``units`` in as few jobs of at most ``max_rows`` rows as they fit in, evenly filled, each
    item with all its subitems. A unit larger than ``max_rows`` is left out (it goes by mutation)."""
    fitting = [u for u in units if u.rows <= max_rows]
    total = sum(u.rows for u in fitting)
    if not total:
        return []
    jobs = -(-total // max_rows)
    target = -(-total // jobs)
    out: list[list[Unit]] = [[]]
    size = 0
    for unit in fitting:
        if out[-1] and (size + unit.rows > max_rows or size >= target):
            out.append([])
            size = 0
        out[-1].append(unit)
        size += unit.rows
    return out


@dataclass
class ReportLine:
    serial: int
    status: str
    item_id: str | None
    error: str | None


def parse_report(text: str) -> dict[int, ReportLine]:
    """monday's job report (``serialNo,status,itemId,error,…``) by serialNo."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        return {}
    cols = {name.strip(): i for i, name in enumerate(header)}
    at_serial, at_status, at_id, at_error = (cols.get(n) for n in ("serialNo", "status", "itemId", "error"))
    at_serial = at_serial or 0
    extras = [(name, i) for name, i in cols.items() if name not in ("serialNo", "status", "itemId", "error")]

    def cell(rec: list[str], i: int | None) -> str | None:
        return (rec[i].strip() or None) if i is not None and i < len(rec) else None

    out: dict[int, ReportLine] = {}
    for rec in reader:
        if not rec or not rec[at_serial].strip().isdigit():
            continue
        serial = int(rec[at_serial])
        extra = [f"{name}: {rec[i]}" for name, i in extras if i < len(rec) and rec[i].strip()]
        error = cell(rec, at_error)
        if extra:
            error = "; ".join(x for x in [error, *extra] if x)
        out[serial] = ReportLine(serial, (cell(rec, at_status) or "unknown").lower(), cell(rec, at_id), error)
    return out
