"""The raw source, read one way: dbo.ORDERS_UNIFIED as it is in the DuckDB file, never through the
dbt models under test, so what a test expects is computed independently of them."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from tools.reference_layout import read_layout, size_columns

QTY = re.compile(r"^[+-]?[0-9]+$")


def source_rows(db: Path, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Every row of dbo.ORDERS_UNIFIED (``where``: an optional ``WHERE ...``) as {column: value}."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(f'SELECT * FROM dbo."ORDERS_UNIFIED" {where}', list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def quarantined(db: Path) -> set[str]:
    """The record_uuids the build quarantined (main.QUAR_ORDERS_UNIFIED)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT record_uuid FROM main.QUAR_ORDERS_UNIFIED").fetchall()}
    finally:
        con.close()


def active_rows(db: Path) -> dict[str, dict[str, Any]]:
    """record_uuid → source row, for every line monday should show: not quarantined, not cancelled."""
    skip = quarantined(db)
    rows = ((str(r["record_uuid"]), r) for r in source_rows(db))
    return {key: r for key, r in rows if key not in skip and r["ORDER STATUS"] != "CANCELLED"}


@functools.cache
def size_names() -> tuple[str, ...]:
    """The size columns of ORDERS_UNIFIED, in the reference layout's order."""
    return tuple(c.name for c in size_columns(read_layout()))


def positive_sizes(row: dict[str, Any]) -> dict[str, int]:
    """size → quantity for the sizes of a source row above zero, in the layout's size order."""
    out = {}
    for size in size_names():
        text = "" if row[size] is None else str(row[size]).strip()
        if QTY.match(text) and int(text) > 0:
            out[size] = int(text)
    return out
