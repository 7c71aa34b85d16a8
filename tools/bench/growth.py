"""A run's cost against the push log's age (issue 23): no-change build and nothing-to-send push
at 1x, with the log grown 20x by older copies of its own rows, and after the daily compaction.

    python -m tools.bench.growth                         # 20,000 lines of 12 customers, 20x
    python -m tools.bench.growth --lines 3000 --factor 10

1. ``tools.sample_orders`` (the held-out shape: 12 customers, 8 seasons), ``dbt build`` with
   ``docs/examples/monday.by-season.yml`` (a board per customer and season, made on demand), and a
   first sync onto an empty sandbox (``--bulk backfill --initial-load``: the log it leaves is what
   mutations leave, an intent and an outcome per row, in a fraction of the time);
2. **1x**: one scheduled ``dbt build`` settles, then the no-change build and the
   ``python -m pusher --all-customers`` with nothing to send are timed (best of ``--repeat``);
3. **grown**: every push-log row copied ``factor - 1`` times, copy k shifted ``k * --spacing-days``
   back in time, with run, batch and idempotency keys of its own (what months of scheduled runs
   leave behind); one scheduled build runs on it (timed, printed apart), then the same two timings;
4. **compacted**: ``python -m pusher compact`` (the Kestra flow's daily step; timed), then the
   same two timings.

Prints each figure, the log's rows and the ratios against 1x (issue 23's targets: at most 1.5x
grown, 1.25x compacted). Asserts nothing. Wall times move with the machine's load: compare the
ratios of one run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tools.bench.common import REPO, bench_folder, held_out, machine_load, pusher_env, scaled_sandbox
from tools.bench.scale import TOKEN, dbt_build, write_config
from tools.sample_orders import Shape, create

LOG = "main.MON_PushLog"


def _run(cmd: list[str], env: dict[str, str], out: Path, ok: tuple[int, ...] = (0,)) -> float:
    """Runs ``cmd`` with its output appended to ``out``; its wall seconds (fails on another exit)."""
    started = time.monotonic()
    with out.open("a") as log:
        log.write(f"\n===== {' '.join(cmd[-4:])}\n")
        log.flush()
        done = subprocess.run(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    code = done.returncode
    seconds = time.monotonic() - started
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{out.read_text()[-3000:]}")
    return seconds


def push(env: dict[str, str], out: Path, *extra: str) -> float:
    return _run([sys.executable, "-m", "pusher", "--all-customers", *extra], env, out)


def log_rows(db: Path) -> tuple[int, int]:
    """(rows in MON_PushLog, rows in its archive; 0 when there is none)."""
    with duckdb.connect(str(db), read_only=True) as con:
        hot = con.execute(f"select count(*) from {LOG}").fetchone()
        have = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'main' "
            "and table_name = 'MON_PushLogArchive'"
        ).fetchone()
        cold = None
        if have and have[0]:
            cold = con.execute("select count(*) from main.MON_PushLogArchive").fetchone()
    return int(hot[0] if hot else 0), int(cold[0] if cold else 0)


def grow(db: Path, factor: int, spacing_days: int) -> float:
    """Every log row copied ``factor - 1`` times, copy k ``k * spacing_days`` days older, each copy
    with run, batch and idempotency keys of its own (so batches stay batches). Seconds taken."""
    started = time.monotonic()
    with duckdb.connect(str(db)) as con:
        columns = [r[0] for r in con.execute(f"select * from {LOG} limit 0").description or []]
        renamed = {
            "log_id": "cast(uuid() as varchar)",
            "logged_at": "logged_at - to_days(cast(k.k * ? as integer))",
            "run_id": "substr(md5(run_id || k.k), 1, 36)",  # NULL stays NULL
            "batch_id": "substr(md5(batch_id || k.k), 1, 36)",
            "idempotency_key": "md5(idempotency_key || k.k)",
        }
        select = ", ".join(renamed.get(c, c) for c in columns)
        con.execute(
            f"insert into {LOG} ({', '.join(columns)}) select {select} "
            f"from {LOG} cross join range(1, ?) as k(k)",
            [spacing_days, factor],
        )
        con.execute("checkpoint")
    return time.monotonic() - started


def best(times: list[float]) -> float:
    return min(times)


def measure(label: str, env: dict[str, str], tmp: Path, config: Path, out: Path, repeat: int) -> dict:
    builds = [dbt_build(tmp, env, config) for _ in range(repeat)]
    pushes = [push(env, out) for _ in range(repeat)]
    figures = {"label": label, "build": best(builds), "push": best(pushes)}
    each = f"builds {', '.join(f'{b:.1f}' for b in builds)}; pushes {', '.join(f'{p:.1f}' for p in pushes)}"
    print(
        f"  {label:<12} no-change build {figures['build']:6.1f} s  "
        f"nothing-to-send push {figures['push']:5.1f} s   (each run: {each})",
        flush=True,
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.bench.growth", description=__doc__.split("\n")[0])
    p.add_argument("--lines", type=int, default=20_000)
    p.add_argument("--customers", type=int, default=12)
    p.add_argument("--factor", type=int, default=20, help="the log grown to this many times its rows")
    p.add_argument("--spacing-days", type=int, default=10, help="copy k is k times this many days older")
    p.add_argument("--repeat", type=int, default=2, help="timings per figure; the best is printed")
    p.add_argument("--scale", type=float, default=60.0, help="monday's minute = 60/scale seconds")
    p.add_argument("--no-compact", action="store_true", help="stop before the compaction")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (database, logs)")
    args = p.parse_args(argv)
    window = 60.0 / args.scale
    with bench_folder("growth", args.keep) as tmp:
        db = tmp / "orders.duckdb"
        out = tmp / "run.log"
        config = write_config(tmp, "subitems", window)
        create(db, args.lines, seed=1, bad_rows=0, shape=Shape(args.customers, 8, (1, 6)))
        held_out(db)
        env = pusher_env(tmp, db, config, TOKEN)
        print(f"first build {dbt_build(tmp, env, config):.1f} s", flush=True)
        with scaled_sandbox(TOKEN, args.scale) as sandbox:
            env["MONDAY_API_URL"] = sandbox.url
            first = push(env, out, "--bulk", "backfill", "--initial-load")
            print(f"first sync {first:.0f} s; push log {log_rows(db)[0]:,} rows", flush=True)
            dbt_build(tmp, env, config)  # the scheduled build after the sync
            rows = [measure("1x", env, tmp, config, out, args.repeat)]
            grown = grow(db, args.factor, args.spacing_days)
            print(f"grown {args.factor}x in {grown:.1f} s: push log {log_rows(db)[0]:,} rows", flush=True)
            settle = dbt_build(tmp, env, config)
            print(f"  first build on the grown log {settle:.1f} s", flush=True)
            rows.append(measure(f"{args.factor}x", env, tmp, config, out, args.repeat))
            if not args.no_compact:
                compact = _run([sys.executable, "-m", "pusher", "compact"], env, out)
                hot, cold = log_rows(db)
                print(f"compaction {compact:.1f} s: push log {hot:,} rows, archive {cold:,} rows", flush=True)
                rows.append(measure("compacted", env, tmp, config, out, args.repeat))
        base = rows[0]
        print(f"\ngrowth bench: {args.lines:,} lines, {args.customers} customers, log grown {args.factor}x")
        for r in rows:
            print(
                f"  {r['label']:<12} build {r['build']:6.1f} s ({r['build'] / base['build']:.2f}x)"
                f"   push {r['push']:5.1f} s ({r['push'] / base['push']:.2f}x)"
            )
        print("  targets: grown <= 1.5x, compacted <= 1.25x (issue 23)")
        print(f"  {machine_load()}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
