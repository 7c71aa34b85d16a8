"""Deterministic sample ORDERS_UNIFIED in a DuckDB file, in the reference layout.

    python -m tools.sample_orders create --db data/orders.duckdb --lines 300
    python -m tools.sample_orders edit   --db data/orders.duckdb
    python -m tools.sample_orders create --db x.duckdb --lines 50000 --customers 1 --seasons 6 \
        --lines-per-order 1-6                      # shaped like production (see `generator.Shape`)
    python -m tools.sample_orders edit   --db x.duckdb --share 0.05   # 5 % of the lines changed

`create` builds the whole table inside DuckDB (one INSERT ... SELECT over range(n)), so a
million lines take seconds, and the same options and --seed always give the same rows; the
defaults (5 customers, 4 seasons, 3 lines per order) give exactly the rows they always gave.
`edit` makes the four changes a planner would see: sizes changed, a size zeroed, a line
cancelled, a customer season blanked; it prints which lines it touched. `edit --share P`
changes a share P of the active lines instead (sizes changed, sizes zeroed, lines cancelled,
lines moved to another season) and prints how many of each.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.sample_orders.edits import edit, edit_share
from tools.sample_orders.generator import CUSTOMERS, SEASONS, Shape, create


def _lines_per_order(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.sample_orders", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("create", help="(re)build the sample table")
    c.add_argument("--db", type=Path, default=Path("data/orders.duckdb"))
    c.add_argument("--lines", type=int, default=300, help="order lines (300 demo; 50000 / 1000000 bench)")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--bad-rows", type=int, default=3, help="rows staging must quarantine (0-3)")
    c.add_argument("--customers", type=int, default=5, help=f"distinct customers (1-{len(CUSTOMERS)})")
    c.add_argument("--seasons", type=int, default=4, help=f"distinct seasons (1-{len(SEASONS)})")
    c.add_argument(
        "--lines-per-order", type=_lines_per_order, default=(3, 3), help="lines per order: 3, or a range: 1-6"
    )
    e = sub.add_parser("edit", help="change a few lines the way a planner's source would")
    e.add_argument("--db", type=Path, default=Path("data/orders.duckdb"))
    e.add_argument("--share", type=float, help="change this share of the active lines (e.g. 0.05)")
    e.add_argument("--seed", type=int, default=1, help="which lines --share picks")
    args = parser.parse_args(argv)
    if args.command == "create":
        if args.lines < 1:
            parser.error("--lines must be at least 1")
        try:
            shape = Shape(args.customers, args.seasons, args.lines_per_order)
        except ValueError as exc:
            parser.error(str(exc))
        create(args.db, args.lines, args.seed, args.bad_rows, shape)
    elif args.share is not None:
        if not 0 < args.share <= 1:
            parser.error("--share must be in (0, 1]")
        edit_share(args.db, args.share, args.seed)
    else:
        edit(args.db)
    return 0
