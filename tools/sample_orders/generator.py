"""The sample's rows: what they are drawn from (customers, seasons, colours, styles, statuses,
size families), how the sample is shaped (`Shape`), and `create`, which (re)builds
dbo.ORDERS_UNIFIED in one INSERT ... SELECT over range(n) inside DuckDB.

The same options and seed always give the same rows; the defaults (5 customers, 4 seasons, 3
lines per order) give exactly the rows they always gave. `create` can also add the bad rows a
real table ends up with (staging must quarantine them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tools.reference_layout import Column, read_layout, size_columns
from tools.sample_orders.sql import ident, literal, size_total

# --customers N / --seasons N take the first N of these; the first 5 / 4 are the defaults.
CUSTOMERS = (
    "GREYSON CLOTHIERS",
    "PEREGRINE OUTFITTERS",
    "NORTHWIND APPAREL",
    "HARBOUR & LANE",
    "KESTREL ATHLETIC",
    "ALDER & FINCH",
    "BLUE HERON GOODS",
    "CASCADE KNITWEAR",
    "DUNMORE TAILORING",
    "ELMWOOD SPORT",
    "FJORD WORKWEAR",
    "GALLOWAY DENIM",
)
SEASONS = (
    ("2025 FALL", "FA25"),
    ("2026 SPRING", "SP26"),
    ("2026 SUMMER", "SU26"),
    ("2026 FALL", "FA26"),
    ("2024 SPRING", "SP24"),
    ("2025 SPRING", "SP25"),
    ("2024 FALL", "FA24"),
    ("2025 SUMMER", "SU25"),
)
COLOURS = ("NAVY", "BLACK", "HEATHER GREY", "OLIVE", "CREAM", "BURGUNDY", "SKY BLUE", "CHARCOAL")
STYLES = ("POLO", "OXFORD SHIRT", "CHINO", "HOODIE", "QUARTER ZIP", "BLAZER", "TEE", "JOGGER")
STATUSES = ("OPEN", "CONFIRMED", "IN PRODUCTION", "SHIPPED")

# Size families: a line orders sizes from one family only, so most of the 276 sizes are zero.
FAMILIES = (
    re.compile(r"^(XXS|XS|S|M|L|XL|XXL|2XL|3XL)$"),
    re.compile(r"^(00|0|2|4|6|8|10|12|14|16)$"),
    re.compile(r"^3[0-6]X3[0-4]$"),
    re.compile(r"^(3[468]|4[024])[SRL]$"),
    re.compile(r"^1[5-7](\.5)?/3[24]/3[35]$"),
    re.compile(r"^(NB|0-3M|3-6M|6-12M|12M|18M|24M|2T|3T|4T|5T|6X)$"),
    re.compile(r"^3[2-6][A-D]$"),
    re.compile(r"^(OS|ONE SIZE)$"),
    re.compile(r"^W(2[8-9]|3[0-6])$"),
    re.compile(r"^(S|M|L|XL) TALL$"),
)


@dataclass(frozen=True)
class Shape:
    """How the sample is shaped. The defaults are the demo's data, unchanged since the start."""

    customers: int = 5  # distinct CUSTOMER NAMEs (1-12)
    seasons: int = 4  # distinct seasons (1-8); an order's lines share one
    lines_per_order: tuple[int, int] = (3, 3)  # (min, max) lines sharing an AAG ORDER NUMBER

    def __post_init__(self) -> None:
        low, high = self.lines_per_order
        if not (1 <= self.customers <= len(CUSTOMERS) and 1 <= self.seasons <= len(SEASONS)):
            raise ValueError(f"customers 1-{len(CUSTOMERS)} and seasons 1-{len(SEASONS)}")
        if not 1 <= low <= high:
            raise ValueError("lines per order: 1 <= min <= max")


def _pick(options: tuple[str, ...], salt: str, key: str = "i") -> str:
    items = ", ".join(literal(o) for o in options)
    return f"[{items}][1 + (hash({key}, {literal(salt)}) % {len(options)})::BIGINT]"


def _size_expr(col: Column, family_of: dict[str, int]) -> str:
    fam = family_of.get(col.name)
    if fam is None:
        return "NULL"
    h = f"hash(i, {literal(col.name)})"
    qty = f"(6 + ({h} % 23) + ({h} // 23 % 23) + ({h} // 529 % 23))::INTEGER"
    on = f"(hash(i, 'family') % {len(FAMILIES)} = {fam} AND {h} % 10 < 8)"
    if not col.is_text:
        return f"CASE WHEN {on} THEN {qty} ELSE (CASE WHEN {h} % 3 = 0 THEN 0 END) END"
    # Legacy NVARCHAR sizes: numbers as text, some padded (' 12 '), zero often written as ''.
    return (
        f"CASE WHEN {on} THEN (CASE WHEN {h} % 4 = 0 THEN ' ' || {qty} || ' ' ELSE {qty}::VARCHAR END) "
        f"ELSE (CASE WHEN {h} % 3 = 0 THEN '' END) END"
    )


def _order_lines(shape: Shape, seed: int) -> tuple[str, str, str]:
    """(order key expression, date key expression, FROM clause) for the shape's order sizes.

    Fixed sizes number orders i // k (the dates' `i // 3` keeps its historical spelling, seed
    replacement included, so the default rows never change). A range draws each order's size
    from [min, max] and numbers its lines consecutively: `o` is the order, `i` the line."""
    low, high = shape.lines_per_order
    if low == high:
        return f"(i // {low})", f"i // {low}", "FROM range(?) AS t(i)"
    sizes = f"({low} + hash(o, {seed}, 'order lines') % {high - low + 1})::BIGINT"
    return (
        "o",
        "o",
        "FROM (SELECT unnest(range(first, first + n)) AS i, o FROM ("
        "SELECT o, n, (sum(n) OVER (ORDER BY o) - n)::BIGINT AS first FROM ("
        f"SELECT o, {sizes} AS n FROM range(?) AS r(o)))) AS t WHERE i < ?",
    )


def build_select(columns: list[Column], seed: int, shape: Shape | None = None) -> str:
    shape = shape or Shape()
    family_of: dict[str, int] = {}
    for col in size_columns(columns):
        for idx, pattern in enumerate(FAMILIES):
            if pattern.match(col.name):
                family_of.setdefault(col.name, idx)
    line, day, source = _order_lines(shape, seed)  # default: three style/colour lines per order
    seasons = SEASONS[: shape.seasons]
    exprs = {
        "record_uuid": "md5('line-' || i)::UUID",
        "AAG ORDER NUMBER": f"'AAG-' || lpad(({line} + 100000)::VARCHAR, 7, '0')",
        "CUSTOMER NAME": _pick(CUSTOMERS[: shape.customers], "customer", line),
        "CUSTOMER SEASON": (
            f"CASE WHEN i % 17 = 5 THEN (CASE WHEN i % 2 = 0 THEN '' END) "
            f"ELSE {_pick(tuple(s for s, _ in seasons), 'season', line)} END"
        ),
        "AAG SEASON": _pick(tuple(a for _, a in seasons), "season", line),
        "PO NUMBER": f"'PO' || (40000 + {line})",
        "CUSTOMER STYLE": "'ST-' || (1000 + hash(i, 'style') % 900)",
        "STYLE DESCRIPTION": _pick(STYLES, "desc"),
        "CUSTOMER COLOUR DESCRIPTION": _pick(COLOURS, "colour"),
        "ORDER TYPE": _pick(("BULK", "REPEAT", "SAMPLE"), "type"),
        "ORDER STATUS": f"CASE WHEN i % 41 = 7 THEN 'CANCELLED' ELSE {_pick(STATUSES, 'status')} END",
        "ORDER DATE PO RECEIVED": f"DATE '2025-03-01' + (hash({day}, 'po') % 200)::INTEGER",
        "EX FACTORY DATE": f"DATE '2025-09-01' + (hash({day}, 'xf') % 200)::INTEGER",
        "ETA CUSTOMER WAREHOUSE DATE": f"DATE '2025-10-01' + (hash({day}, 'eta') % 200)::INTEGER",
        "DELIVERY TERMS": _pick(("FOB", "DDP", "EXW"), "terms"),
        "PLANNED DELIVERY METHOD": _pick(("SEA", "AIR", "ROAD"), "method"),
        "CUSTOMER PRICE": "(5 + (hash(i, 'price') % 9000) / 100.0)::DECIMAL(18,2)",
        "ORDER_QTY": "NULL",
        "TOTAL_QTY": "NULL",
        "NOTES": "CASE WHEN i % 11 = 0 THEN 'Carton marks per customer manual; \"fragile\" print' END",
        "LAST MODIFIED": "TIMESTAMP '2025-11-01 08:00:00'",
    }
    parts = []
    for col in columns:
        expr = exprs.get(col.name) or _size_expr(col, family_of)
        parts.append(f"CAST({expr} AS {col.duckdb_type}) AS {ident(col.name)}")
    body = ",\n  ".join(parts).replace("hash(i", f"hash(i + {seed} * 1000003")
    body = body.replace(f"hash({line},", f"hash({line} + {seed} * 1000003,")
    return f"SELECT\n  {body}\n{source}"


def create(db: Path, lines: int, seed: int, bad_rows: int, shape: Shape | None = None) -> None:
    columns = read_layout()
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA IF NOT EXISTS dbo")
    con.execute("DROP TABLE IF EXISTS dbo.ORDERS_UNIFIED")
    ddl = ", ".join(f"{ident(c.name)} {c.duckdb_type}" for c in columns)
    con.execute(f"CREATE TABLE dbo.ORDERS_UNIFIED ({ddl})")
    select = build_select(columns, seed, shape)
    con.execute(f"INSERT INTO dbo.ORDERS_UNIFIED {select}", [lines] * select.count("?"))
    total = size_total(columns)
    con.execute(f'UPDATE dbo.ORDERS_UNIFIED SET "TOTAL_QTY" = {total}, "ORDER_QTY" = {total}')
    if bad_rows:
        _add_bad_rows(con, bad_rows)
    n = con.execute("SELECT count(*) FROM dbo.ORDERS_UNIFIED").fetchone()[0]
    con.close()
    print(f"sample ORDERS_UNIFIED: {n} order lines in {db}")


def _add_bad_rows(con: duckdb.DuckDBPyConnection, count: int) -> None:
    """Rows a real table ends up with; staging must quarantine them, not push them."""
    fixes = [
        ("a negative quantity", '"M" = -5'),
        ("'N/A' in a text size column", "\"OS\" = 'N/A'"),
        ("a blank order number", "\"AAG ORDER NUMBER\" = ''"),
    ]
    for k, (_, assignment) in enumerate(fixes[:count]):
        con.execute(
            f"UPDATE dbo.ORDERS_UNIFIED SET {assignment} WHERE record_uuid = "
            "(SELECT record_uuid FROM dbo.ORDERS_UNIFIED ORDER BY record_uuid LIMIT 1 OFFSET ?)",
            [k],
        )
