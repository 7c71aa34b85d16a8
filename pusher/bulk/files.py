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


def header_columns(columns: Sequence[ColumnSpec], rows: Iterable[Op]) -> list[str]:
    """The mapping's column ids in order, then any other key the rows carry (e.g. the size curve
    of a ``sizes: column`` route), in the order first seen."""
    ids = [c.id for c in columns]
    seen = set(ids)
    for op in rows:
        for key in _values(op.column_values):
            if key not in seen and key != "name":
                seen.add(key)
                ids.append(key)
    return ids


def build_job(
    units: Sequence[Unit], item_columns: Sequence[ColumnSpec], sub_columns: Sequence[ColumnSpec]
) -> Job:
    """The CSV of ``units`` (items with their subitems) and the row map."""
    types = {c.id: c.type for c in (*item_columns, *sub_columns)}
    items = header_columns(item_columns, (u.item for u in units))
    subs = [o for u in units for o in u.subitems]
    sub_ids = header_columns(sub_columns, subs) if subs else []
    header = ["name", *items]
    if subs:
        header += ["name" + SUBITEM_SUFFIX] + [c + SUBITEM_SUFFIX for c in sub_ids]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    rows: list[Op] = []
    blank_subs = [""] * (len(sub_ids) + 1) if subs else []
    for unit in units:
        values = _values(unit.item.column_values)
        cells = [unit.item.item_name or ""] + [import_text(values.get(c), types.get(c)) for c in items]
        writer.writerow(cells + blank_subs)
        rows.append(unit.item)
        for sub in unit.subitems:
            sv = _values(sub.column_values)
            sub_cells = [sub.item_name or ""] + [import_text(sv.get(c), types.get(c)) for c in sub_ids]
            writer.writerow([""] * (len(items) + 1) + sub_cells)
            rows.append(sub)
    return Job(buf.getvalue(), rows, len(units), len(subs))


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
    out: dict[int, ReportLine] = {}
    for rec in reader:
        if not rec or not rec[cols.get("serialNo", 0)].strip().isdigit():
            continue

        def cell(name: str, rec: list[str] = rec) -> str | None:
            i = cols.get(name)
            value = rec[i].strip() if i is not None and i < len(rec) else ""
            return value or None

        serial = int(rec[cols.get("serialNo", 0)])
        extra = [
            f"{name}: {rec[i]}"
            for name, i in cols.items()
            if name not in ("serialNo", "status", "itemId", "error") and i < len(rec) and rec[i].strip()
        ]
        error = "; ".join(x for x in [cell("error"), *extra] if x) or None
        out[serial] = ReportLine(serial, (cell("status") or "unknown").lower(), cell("itemId"), error)
    return out
