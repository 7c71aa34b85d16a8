"""Pushers side by side on one monday account (issue 20): one process against one per customer.

    python -m tools.bench.parallel                       # 12 customers, ~2,800 lines, by season
    python -m tools.bench.parallel --lines 600 --scale 20

1. ``tools.sample_orders create --customers 12 --seasons 6`` and ``dbt build`` with the mapping of
   ``docs/examples/monday.by-season.yml`` (boards made on demand, one per customer and season);
2. **one process**: ``python -m pusher --all-customers --bulk off``, one customer at a time
   (``--parallel 1``) and ``--parallel`` customers at once, each against an empty sandbox (monday's
   limits on a scaled clock, as ``tools.bench.scale``);
3. **one process per customer**, all at once, against a second empty sandbox: like Kestra's
   containers, each with a database of its own (a copy of the built DuckDB file: DuckDB lets one
   process write a file, and each customer's boards are its own);

and prints, for each: monday minutes (wall time ÷ the scaled window), mutations and mutations a
monday minute (monday's ceiling: ~1,000), HTTP calls, 429s, boards made, and their ratio. It asserts
nothing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.sandbox import SandboxServer
from tools.bench.common import REPO, bench_folder, pusher_env, scaled_sandbox
from tools.bench.scale import TOKEN, Figures, board_census, dbt_build, figures, push, write_config
from tools.sample_orders import Shape, create


def customers_of(db: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select distinct customer_name from main.STG_MON_CustMasterSchedule order by 1")
        return [r[0] for r in rows.fetchall()]


def side_by_side(sandbox: SandboxServer, env: dict[str, str], db: Path, tmp: Path, window: float) -> Figures:
    """One ``python -m pusher --customer X --bulk off`` per customer, all started at once."""
    customers = customers_of(db)
    for i in range(len(customers)):  # each its own database, copied before the clock starts
        shutil.copy(db, tmp / f"customer-{i}.duckdb")
    logs = [(tmp / f"customer-{i}.log").open("w") for i in range(len(customers))]
    before, census0 = sandbox.stats, board_census(sandbox)
    started = time.monotonic()
    procs = [
        subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "pusher", "--customer", customer, "--bulk", "off"],
            cwd=REPO,
            env={**env, "ORDER_SYNC_DUCKDB": str(tmp / f"customer-{i}.duckdb")},
            stdout=logs[i],
            stderr=subprocess.STDOUT,
        )
        for i, customer in enumerate(customers)
    ]
    codes = [p.wait() for p in procs]
    for log in logs:
        log.close()
    label = f"{len(procs)} processes, one per customer"
    return figures(label, time.monotonic() - started, window, max(codes, default=0), sandbox, before, census0)


def line(f: Figures) -> str:
    sent = sum(f.mutations.values())
    return (
        f"  {f.label:<34} {f.monday_minutes:>7.1f} monday min  {sent:>7,} mutations "
        f"({sent / max(f.monday_minutes, 1e-9):>5,.0f}/min)  {f.calls:>5,} calls  {f.rate_limited:>4} 429s  "
        f"{f.item_boards:>3} boards  {f.items:,} items / {f.subitems:,} subitems  exit {f.exit_code}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.bench.parallel", description=__doc__.split("\n")[0])
    p.add_argument("--lines", type=int, default=2_800)
    p.add_argument("--customers", type=int, default=12)
    p.add_argument("--seasons", type=int, default=6)
    p.add_argument("--scale", type=float, default=10.0, help="monday's minute = 60/scale seconds")
    p.add_argument("--parallel", type=int, default=4, help="customers at once in the one process")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (logs, databases)")
    args = p.parse_args(argv)
    window = 60.0 / args.scale
    with bench_folder("parallel", args.keep) as tmp:
        db = tmp / "orders.duckdb"
        config = write_config(tmp, "subitems", window)
        create(db, args.lines, seed=1, bad_rows=0, shape=Shape(args.customers, args.seasons, (1, 6)))
        env = pusher_env(tmp, db, config, TOKEN)
        print(f"dbt build {dbt_build(tmp, env, config):.0f}s", flush=True)
        results: dict[int, Figures] = {}
        for at_once in sorted({1, args.parallel}):
            one_db = tmp / f"one-{at_once}.duckdb"
            shutil.copy(db, one_db)
            with scaled_sandbox(TOKEN, args.scale) as sandbox:
                env_one = {**env, "MONDAY_API_URL": sandbox.url, "ORDER_SYNC_DUCKDB": str(one_db)}
                label = f"one process, {at_once} customer{'s' * (at_once > 1)} at once"
                flags = ["--bulk", "off", "--parallel", str(at_once)]
                results[at_once] = push(sandbox, env_one, label, window, tmp / f"one-{at_once}.log", flags)
            print(line(results[at_once]), flush=True)
        one = results[args.parallel]
        with scaled_sandbox(TOKEN, args.scale) as sandbox:
            many = side_by_side(sandbox, {**env, "MONDAY_API_URL": sandbox.url}, db, tmp, window)
        print(line(many), flush=True)
        ratio_at_once = one.monday_minutes / results[1].monday_minutes
        print(
            f"{args.parallel} customers at once took {ratio_at_once:.2f}x the monday minutes of one at a "
            f"time; one process per customer took {many.monday_minutes / one.monday_minutes:.2f}x those of "
            f"one process with {args.parallel} at once (issue 20's targets: one process >= 850 mutations "
            "a minute; processes side by side at most 1.15x)"
        )
        return 0


if __name__ == "__main__":
    sys.exit(main())
