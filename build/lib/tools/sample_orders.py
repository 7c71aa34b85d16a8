"""Deterministic sample ORDERS_UNIFIED in a DuckDB file, in the reference layout.

    python -m tools.sample_orders create --db data/orders.duckdb --lines 300
    python -m tools.sample_orders edit   --db data/orders.duckdb

`create` builds the whole table inside DuckDB (one INSERT ... SELECT over range(n)), so a
million lines take seconds, and the same --lines/--seed always give the same rows.
`edit` makes the four changes a planner would see: sizes changed, a size zeroed, a line
cancelled, a customer season blanked; it prints which lines it touched.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import duckdb

from tools.reference_layout import Column, read_layout, size_columns

CUSTOMERS = (
    "GREYSON CLOTHIERS",
    "PEREGRINE OUTFITTERS",
    "NORTHWIND APPAREL",
    "HARBOUR & LANE",
    "KESTREL ATHLETIC",
)
SEASONS = (("2025 FALL", "FA25"), ("2026 SPRING", "SP26"), ("2026 SUMMER", "SU26"), ("2026 FALL", "FA26"))
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


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _pick(options: tuple[str, ...], salt: str, key: str = "i") -> str:
    items = ", ".join(_lit(o) for o in options)
    return f"[{items}][1 + (hash({key}, {_lit(salt)}) % {len(options)})::BIGINT]"


def _size_expr(col: Column, family_of: dict[str, int]) -> str:
    fam = family_of.get(col.name)
    if fam is None:
        return "NULL"
    h = f"hash(i, {_lit(col.name)})"
    qty = f"(6 + ({h} % 23) + ({h} // 23 % 23) + ({h} // 529 % 23))::INTEGER"
    on = f"(hash(i, 'family') % {len(FAMILIES)} = {fam} AND {h} % 10 < 8)"
    if not col.is_text:
        return f"CASE WHEN {on} THEN {qty} ELSE (CASE WHEN {h} % 3 = 0 THEN 0 END) END"
    # Legacy NVARCHAR sizes: numbers as text, some padded (' 12 '), zero often written as ''.
    return (
        f"CASE WHEN {on} THEN (CASE WHEN {h} % 4 = 0 THEN ' ' || {qty} || ' ' ELSE {qty}::VARCHAR END) "
        f"ELSE (CASE WHEN {h} % 3 = 0 THEN '' END) END"
    )


def build_select(columns: list[Column], seed: int) -> str:
    family_of: dict[str, int] = {}
    for col in size_columns(columns):
        for idx, pattern in enumerate(FAMILIES):
            if pattern.match(col.name):
                family_of.setdefault(col.name, idx)
    line = "(i // 3)"  # three style/colour lines per order
    exprs = {
        "record_uuid": "md5('line-' || i)::UUID",
        "AAG ORDER NUMBER": f"'AAG-' || lpad(({line} + 100000)::VARCHAR, 7, '0')",
        "CUSTOMER NAME": _pick(CUSTOMERS, "customer", line),
        "CUSTOMER SEASON": (
            f"CASE WHEN i % 17 = 5 THEN (CASE WHEN i % 2 = 0 THEN '' END) "
            f"ELSE {_pick(tuple(s for s, _ in SEASONS), 'season', line)} END"
        ),
        "AAG SEASON": _pick(tuple(a for _, a in SEASONS), "season", line),
        "PO NUMBER": f"'PO' || (40000 + {line})",
        "CUSTOMER STYLE": "'ST-' || (1000 + hash(i, 'style') % 900)",
        "STYLE DESCRIPTION": _pick(STYLES, "desc"),
        "CUSTOMER COLOUR DESCRIPTION": _pick(COLOURS, "colour"),
        "ORDER TYPE": _pick(("BULK", "REPEAT", "SAMPLE"), "type"),
        "ORDER STATUS": f"CASE WHEN i % 41 = 7 THEN 'CANCELLED' ELSE {_pick(STATUSES, 'status')} END",
        "ORDER DATE PO RECEIVED": "DATE '2025-03-01' + (hash(i // 3, 'po') % 200)::INTEGER",
        "EX FACTORY DATE": "DATE '2025-09-01' + (hash(i // 3, 'xf') % 200)::INTEGER",
        "ETA CUSTOMER WAREHOUSE DATE": "DATE '2025-10-01' + (hash(i // 3, 'eta') % 200)::INTEGER",
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
        parts.append(f"CAST({expr} AS {col.duckdb_type}) AS {_q(col.name)}")
    body = ",\n  ".join(parts).replace("hash(i", f"hash(i + {seed} * 1000003")
    body = body.replace(f"hash({line},", f"hash({line} + {seed} * 1000003,")
    return f"SELECT\n  {body}\nFROM range(?) AS t(i)"


def _size_total(columns: list[Column]) -> str:
    terms = []
    for col in size_columns(columns):
        ref = _q(col.name)
        terms.append(
            f"coalesce(TRY_CAST(trim({ref}) AS INTEGER), 0)" if col.is_text else f"coalesce({ref}, 0)"
        )
    return " + ".join(terms)


def create(db: Path, lines: int, seed: int, bad_rows: int) -> None:
    columns = read_layout()
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA IF NOT EXISTS dbo")
    con.execute("DROP TABLE IF EXISTS dbo.ORDERS_UNIFIED")
    ddl = ", ".join(f"{_q(c.name)} {c.duckdb_type}" for c in columns)
    con.execute(f"CREATE TABLE dbo.ORDERS_UNIFIED ({ddl})")
    con.execute(f"INSERT INTO dbo.ORDERS_UNIFIED {build_select(columns, seed)}", [lines])
    total = _size_total(columns)
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


def edit(db: Path) -> None:
    """Sizes changed, a size zeroed, a line cancelled, a customer season blanked."""
    con = duckdb.connect(str(db))
    active = (
        'SELECT record_uuid, "AAG ORDER NUMBER" FROM dbo.ORDERS_UNIFIED '
        "WHERE \"ORDER STATUS\" <> 'CANCELLED' AND coalesce(\"CUSTOMER SEASON\", '') <> '' "
        'AND coalesce("M", 0) > 0 AND coalesce("L", 0) > 0 AND "AAG ORDER NUMBER" <> \'\' '
        'ORDER BY "AAG ORDER NUMBER" DESC, record_uuid LIMIT 4'
    )
    rows = con.execute(active).fetchall()
    if len(rows) < 4:
        raise SystemExit("edit needs 4 active lines with sizes M and L: create more lines first")
    changes = [
        ('"M" = "M" + 7, "L" = "L" + 3', "sizes M and L increased"),
        ('"L" = 0', "size L zeroed"),
        ("\"ORDER STATUS\" = 'CANCELLED'", "line cancelled"),
        ("\"CUSTOMER SEASON\" = ''", "customer season blanked (falls back to AAG SEASON)"),
    ]
    for (uuid, order), (assignment, what) in zip(rows, changes, strict=True):
        con.execute(
            f'UPDATE dbo.ORDERS_UNIFIED SET {assignment}, "LAST MODIFIED" = now()::TIMESTAMP '
            "WHERE record_uuid = ?",
            [uuid],
        )
        print(f"{order} {uuid}: {what}")
    # The ERP keeps the line totals in step with the sizes; so does the sample.
    total = _size_total(read_layout())
    con.execute(
        f'UPDATE dbo.ORDERS_UNIFIED SET "TOTAL_QTY" = {total}, "ORDER_QTY" = {total} '
        "WHERE list_contains(?, record_uuid)",
        [[r[0] for r in rows]],
    )
    con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.sample_orders", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("create", help="(re)build the sample table")
    c.add_argument("--db", type=Path, default=Path("data/orders.duckdb"))
    c.add_argument("--lines", type=int, default=300, help="order lines (300 demo; 50000 / 1000000 bench)")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--bad-rows", type=int, default=3, help="rows staging must quarantine (0-3)")
    e = sub.add_parser("edit", help="change a few lines the way a planner's source would")
    e.add_argument("--db", type=Path, default=Path("data/orders.duckdb"))
    args = parser.parse_args(argv)
    if args.command == "create":
        if args.lines < 1:
            parser.error("--lines must be at least 1")
        create(args.db, args.lines, args.seed, args.bad_rows)
    else:
        edit(args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
