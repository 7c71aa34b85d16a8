"""Benchmark of the SQL half: `dbt build` over generated ORDERS_UNIFIED.

    python -m tools.bench_transform [--lines 50000 1000000] [--change-share 0.05] [--no-pandas]

For each size it prints the wall time, the time dbt spent executing nodes and the peak memory
of a first `dbt build`, then of a rebuild after a share of lines changed; at the smallest size
it also runs a plain pandas melt + hashlib version of the same transform on the same data and
prints the ratio. A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from tools.sample_orders import create

REPO = Path(__file__).resolve().parent.parent
BUDGETS = {50_000: (15.0, 10.0), 1_000_000: (60.0, 60.0)}


def _dbt_build(db: Path, profiles_dir: Path, target_dir: Path) -> dict[str, float]:
    env = dict(os.environ, ORDER_SYNC_DUCKDB=str(db), DBT_PROFILES_DIR=str(profiles_dir))
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [
        str(dbt),
        "build",
        "--project-dir",
        str(REPO / "dbt_project"),
        "--target-path",
        str(target_dir),
        "--quiet",
        "--exclude",
        "resource_type:unit_test",
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.stdout.write(out.decode(errors="replace"))
        raise SystemExit("dbt build failed; see its output above")
    results = json.loads((target_dir / "run_results.json").read_text())
    in_dbt = sum(r.get("execution_time", 0.0) for r in results["results"])
    return {"wall_s": wall, "in_dbt_s": in_dbt, "peak_mb": usage.ru_maxrss / 1024}


def _change_lines(db: Path, share: float) -> int:
    con = duckdb.connect(str(db))
    every = max(1, round(1 / share))
    con.execute(
        'UPDATE dbo.ORDERS_UNIFIED SET "M" = coalesce("M", 0) + 1 WHERE hash(record_uuid) % ? = 0',
        [every],
    )
    n = con.execute("SELECT count(*) FROM dbo.ORDERS_UNIFIED WHERE hash(record_uuid) % ? = 0", [every])
    changed = n.fetchone()[0]
    con.close()
    return changed


def _pandas_transform(db: Path) -> float:
    """The same transform in pandas + hashlib: validate, group title, item hash, melt, size hash."""
    import hashlib

    from tools.reference_layout import read_layout, size_columns

    start = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    df = con.execute("SELECT * FROM dbo.ORDERS_UNIFIED").df()
    con.close()
    sizes = [c.name for c in size_columns(read_layout())]
    season = df["CUSTOMER SEASON"].where(df["CUSTOMER SEASON"].fillna("").str.strip() != "", df["AAG SEASON"])
    df["group_title"] = df["CUSTOMER NAME"].fillna("") + " " + season.fillna("")
    mapped = [c for c in df.columns if c not in sizes]

    def render(row: tuple) -> str:
        return "|".join(
            "\\N" if v is None or v != v else str(v).replace("\\", "\\\\").replace("|", "\\|") for v in row
        )

    df["payload_hash"] = [
        hashlib.sha256(render(r).encode()).hexdigest() for r in df[mapped].itertuples(index=False, name=None)
    ]
    melted = df[["record_uuid", *sizes]].melt(id_vars="record_uuid", var_name="size", value_name="qty")
    melted["qty"] = melted["qty"].astype(str).str.strip().replace({"": None, "None": None, "nan": None})
    melted["qty"] = melted["qty"].astype(float)
    melted = melted[melted["qty"] > 0]
    melted["payload_hash"] = [
        hashlib.sha256(f"{u}|{s}|{int(q)}".encode()).hexdigest()
        for u, s, q in melted.itertuples(index=False, name=None)
    ]
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_transform")
    parser.add_argument("--lines", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--change-share", type=float, default=0.05)
    parser.add_argument("--no-pandas", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-transform-"))
    shutil.copy(REPO / "profiles.example.yml", work / "profiles.yml")
    try:
        for n in args.lines:
            db = work / f"orders_{n}.duckdb"
            t0 = time.perf_counter()
            create(db, n, seed=1, bad_rows=0)
            print(f"[{n:,} lines] sample data generated in {time.perf_counter() - t0:.1f} s")
            first = _dbt_build(db, work, work / f"target_{n}")
            budget_first, budget_change = BUDGETS.get(n, (None, None))
            print(
                f"[{n:,} lines] first dbt build: wall {first['wall_s']:.1f} s"
                f"{f' (budget {budget_first:.0f} s)' if budget_first else ''}, "
                f"inside dbt {first['in_dbt_s']:.1f} s, peak memory {first['peak_mb']:.0f} MB"
            )
            changed = _change_lines(db, args.change_share)
            again = _dbt_build(db, work, work / f"target_{n}")
            print(
                f"[{n:,} lines] rebuild after {changed:,} lines ({changed / n:.1%}) changed: "
                f"wall {again['wall_s']:.1f} s"
                f"{f' (budget {budget_change:.0f} s)' if budget_change else ''}, "
                f"inside dbt {again['in_dbt_s']:.1f} s, peak memory {again['peak_mb']:.0f} MB"
            )
            if not args.no_pandas and n == min(args.lines):
                pandas_s = _pandas_transform(db)
                print(
                    f"[{n:,} lines] pandas melt + hashlib: {pandas_s:.1f} s; "
                    f"dbt inside/pandas ratio {pandas_s / first['in_dbt_s']:.1f}x faster in SQL, "
                    f"dbt wall/pandas {pandas_s / first['wall_s']:.2f}x"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
