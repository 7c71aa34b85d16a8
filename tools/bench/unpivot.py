"""Benchmark of the size melt on DuckDB (issue 13, part 4): the forms macro duckdb__unpivot_sizes
could take, at 1,000,000 lines by default.

    python -m tools.bench.unpivot [--lines 1000000] [--shape default|held-out] [--only NAME ...]

It generates sample data, runs `dbt run --select +int_order_lines_valid` (the staging view and
the stored verdicts), then materializes each form as `CREATE TABLE ... AS` (what dbt's table
materialization does) over two inputs: the view int_order_lines_valid as dbt gives it (staging's
typing of the legacy text sizes runs inside the melt), and a typed table of the same rows (the
melt alone). Each form runs in a fresh process, so the peak memory printed is its own. Every
form's rows are checked against the first's (count and an order-independent checksum of
(record_uuid, size, qty)). A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from tools.bench.common import REPO, dbt_command, generate, in_child, peak_memory_mb
from tools.reference_layout import read_layout, size_columns

KEY = "record_uuid"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def forms(relation: str, sizes: list[str]) -> dict[str, str]:
    """Each form of the melt: one row per (record_uuid, size) with qty > 0, columns
    (record_uuid, size, qty). The first is the macro as it was (the reference)."""
    cols = ", ".join(_q(s) for s in sizes)
    names = ", ".join(_lit(s) for s in sizes)
    wide = f"select {KEY}, {cols} from {relation}"
    structs = ", ".join(f"{{'size': {_lit(s)}, 'qty': {_q(s)}}}" for s in sizes)
    return {
        "unpivot, column list": (
            f"select {KEY}, size, qty from (unpivot ({wide}) on {cols} into name size value qty) "
            "as unpivoted where qty > 0"
        ),
        "unpivot, COLUMNS(* EXCLUDE key)": (
            f"select {KEY}, size, qty from (unpivot ({wide}) on columns(* exclude ({KEY})) "
            "into name size value qty) as unpivoted where qty > 0"
        ),
        "unpivot, SQL-standard syntax": (
            f"select {KEY}, size, qty from ({wide}) as wide unpivot (qty for size in ({cols})) as unpivoted "
            "where qty > 0"
        ),
        "union all, one select per column": " union all ".join(
            f"select {KEY}, {_lit(s)} as size, {_q(s)} as qty from {relation} where {_q(s)} > 0"
            for s in sizes
        ),
        "unnest of two parallel lists": (
            f"select {KEY}, size, qty from (select {KEY}, unnest([{names}]) as size, "
            f"unnest([{cols}]) as qty from {relation}) as melted where qty > 0"
        ),
        "unnest of a list of structs": (
            f"select {KEY}, s.size, s.qty from (select {KEY}, unnest([{structs}]) as s "
            f"from {relation}) as melted where s.qty > 0"
        ),
        "list_filter of structs, then unnest": (
            f"select {KEY}, unnest(list_filter([{structs}], lambda x: x.qty > 0), recursive := true) "
            f"from {relation}"
        ),
        "unnest of map_entries": (
            f"select {KEY}, e.key as size, e.value as qty from (select {KEY}, "
            f"unnest(map_entries(map([{names}], [{cols}]))) as e from {relation}) as melted where e.value > 0"
        ),
    }


def measure(db: str, name: str, sql: str, table: str) -> dict:
    """In a fresh process: CREATE TABLE table AS sql; seconds, peak memory, count and checksum."""
    con = duckdb.connect(db)
    start = time.perf_counter()
    con.execute(f"create or replace table {table} as {sql}")
    seconds = time.perf_counter() - start
    peak_mb = peak_memory_mb()
    rows, checksum = con.execute(
        f"select count(*), sum(hash({KEY}::varchar, size::varchar, qty::bigint)::hugeint)::varchar "
        f"from {table}"
    ).fetchone()
    types = [t for _, t in con.execute(f"select column_name, column_type from (describe {table})").fetchall()]
    con.execute(f"drop table {table}")
    con.close()
    return {"seconds": seconds, "peak_mb": peak_mb, "rows": rows, "checksum": checksum, "types": types}


def _dbt_run(db: Path, work: Path) -> None:
    cmd, env = dbt_command("run", db, work, work / "target")
    proc = subprocess.run(
        [*cmd, "--select", "+int_order_lines_valid"], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout + proc.stderr)
        raise SystemExit("dbt run failed; see its output above")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.unpivot")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--shape", choices=["default", "held-out"], default="default",
                        help="held-out: sizes zero-filled, text padded (as bench-transform)")  # fmt: skip
    parser.add_argument("--only", nargs="+", help="run only the forms whose names start with these")
    parser.add_argument("--all", action="store_true",
                        help="also the union over the view (it re-reads the view once per size)")  # fmt: skip
    parser.add_argument("--inputs", nargs="+", choices=["view", "table"], default=["view", "table"])
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-unpivot-"))
    shutil.copy(REPO / "profiles.example.yml", work / "profiles.yml")
    db = work / "orders.duckdb"
    try:
        t0 = time.perf_counter()
        generate(db, args.lines, args.shape)
        _dbt_run(db, work)
        sizes = [c.name for c in size_columns(read_layout())]
        con = duckdb.connect(str(db))
        cols = ", ".join(_q(s) for s in sizes)
        valid = "main.int_order_lines_valid"
        con.execute(f"create or replace table main.typed_lines as select {KEY}, {cols} from {valid}")
        lines = con.execute("select count(*) from main.typed_lines").fetchone()[0]
        con.close()
        print(
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {args.lines:,} lines "
            f"({lines:,} valid), shape {args.shape}, {len(sizes)} sizes; "
            f"setup {time.perf_counter() - t0:.0f} s"
        )
        inputs = {"view": "main.int_order_lines_valid", "table": "main.typed_lines"}
        for label in args.inputs:
            print(f"input: {label} ({inputs[label]})")
            reference, reference_name = None, ""
            for name, sql in forms(inputs[label], sizes).items():
                if args.only and not any(name.startswith(o) for o in args.only):
                    continue
                if label == "view" and name.startswith("union") and not args.all:
                    print(
                        f"    {name:<40} skipped: it re-reads the staging view once per size column (--all)"
                    )
                    continue
                r = in_child("measure", str(db), name, sql, "main.melt_out", module="tools.bench.unpivot")
                if "error" in r:
                    print(f"    {name:<40} failed: {r['error']}")
                    continue
                if reference is None:
                    reference, reference_name = r, name
                same = (r["rows"], r["checksum"]) == (reference["rows"], reference["checksum"])
                print(
                    f"    {name:<40} {r['seconds']:6.1f} s, peak {r['peak_mb']:5.0f} MB, {r['rows']:,} rows, "
                    f"{'same rows' if same else 'DIFFERENT rows'} as {reference_name!r}"
                    f"{'' if r['types'] == reference['types'] else ', types ' + '/'.join(r['types'])}",
                    flush=True,
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
