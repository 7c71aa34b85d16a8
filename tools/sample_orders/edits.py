"""Changes to the sample table the way a planner's source would make them.

`edit` makes four: sizes changed, a size zeroed, a line cancelled, a customer season blanked; it
prints which lines it touched. `edit_share` changes a share of the active lines instead (sizes
changed, sizes zeroed, lines cancelled, lines moved to another season) and prints how many of each.
Both keep TOTAL_QTY and ORDER_QTY in step with the sizes of the lines they change.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tools.reference_layout import read_layout, size_columns
from tools.sample_orders.sql import ident, literal, size_total


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
    total = size_total(read_layout())
    con.execute(
        f'UPDATE dbo.ORDERS_UNIFIED SET "TOTAL_QTY" = {total}, "ORDER_QTY" = {total} '
        "WHERE list_contains(?, record_uuid)",
        [[r[0] for r in rows]],
    )
    con.close()


# Kinds of change in `edit --share`, by a hash bucket of 0-19 per chosen line.
_SHARE_KINDS = (
    "CASE WHEN b = 0 THEN 'cancelled' WHEN b = 1 THEN 'moved' WHEN b < 6 THEN 'zeroed' ELSE 'changed' END"
)


def edit_share(db: Path, share: float, seed: int = 1) -> dict[str, int]:
    """Change a share of the active lines the way a busy ERP day would: most get new quantities
    (about half their sizes +1..+3), some lose sizes, 5 % are cancelled and 5 % move to the next
    season (a new route when boards split by season). Deterministic by seed."""
    con = duckdb.connect(str(db))
    sizes = size_columns(read_layout())
    con.execute(
        "CREATE TEMP TABLE picked AS SELECT record_uuid, " + _SHARE_KINDS + " AS kind FROM ("
        "SELECT record_uuid, hash(record_uuid::VARCHAR, ?, 'kind') % 20 AS b FROM dbo.ORDERS_UNIFIED "
        "WHERE \"ORDER STATUS\" <> 'CANCELLED' AND \"AAG ORDER NUMBER\" <> '' "
        "AND hash(record_uuid::VARCHAR, ?, 'edit') % 1000000 < ?)",
        [seed, seed, round(share * 1_000_000)],
    )
    seasons = [
        r[0]
        for r in con.execute(
            'SELECT DISTINCT "CUSTOMER SEASON" FROM dbo.ORDERS_UNIFIED '
            "WHERE trim(coalesce(\"CUSTOMER SEASON\", '')) <> '' ORDER BY 1"
        ).fetchall()
    ]
    sets = []
    for col in sizes:
        ref, h = ident(col.name), f"hash(o.record_uuid::VARCHAR, {literal(col.name)})"
        qty = f"TRY_CAST(trim({ref}) AS INTEGER)" if col.is_text else ref
        new = (
            f"CASE WHEN p.kind = 'changed' AND {qty} > 0 AND {h} % 2 = 0 THEN {qty} + 1 + {h} // 2 % 3 "
            f"WHEN p.kind = 'zeroed' AND {qty} > 0 AND {h} % 3 = 0 THEN 0 ELSE {qty} END"
        )
        sets.append(f"{ref} = CASE WHEN {qty} IS NULL THEN {ref} ELSE ({new})::{col.duckdb_type} END")
    moved = (
        "CASE WHEN p.kind = 'moved' THEN list_extract($seasons, "
        'coalesce(list_position($seasons, o."CUSTOMER SEASON"), 0) % len($seasons) + 1) '
        'ELSE o."CUSTOMER SEASON" END'
    )
    con.execute(
        f"UPDATE dbo.ORDERS_UNIFIED AS o SET {', '.join(sets)}, "
        f"\"ORDER STATUS\" = CASE WHEN p.kind = 'cancelled' THEN 'CANCELLED' ELSE o.\"ORDER STATUS\" END, "
        f'"CUSTOMER SEASON" = {moved}, "LAST MODIFIED" = TIMESTAMP \'2025-11-02 08:00:00\' '
        "FROM picked AS p WHERE o.record_uuid = p.record_uuid",
        {"seasons": seasons},
    )
    total = size_total(read_layout())
    con.execute(
        f'UPDATE dbo.ORDERS_UNIFIED SET "TOTAL_QTY" = {total}, "ORDER_QTY" = {total} '
        "WHERE record_uuid IN (SELECT record_uuid FROM picked)"
    )
    counts = dict(con.execute("SELECT kind, count(*) FROM picked GROUP BY kind ORDER BY kind").fetchall())
    con.close()
    print("edited " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + f" of the lines in {db}")
    return counts
