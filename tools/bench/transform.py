"""Benchmark of the SQL half: `dbt build` over generated ORDERS_UNIFIED, against plain pandas.

    python -m tools.bench.transform [--lines 50000 1000000] [--change-share 0.05]
                                    [--shape default|held-out] [--json PATH]
                                    [--pandas-max-lines 1000000] [--no-pandas]

For each size it parses the project once (`dbt parse`, as a deployment does; its time is printed
apart) and runs three `dbt build`s, the way a scheduled run meets them (target/ kept: partial
parse): a first build of the data, a rebuild after a share of lines changed, and a rebuild with
nothing changed. For each it prints the
wall time, dbt's own share (start-up, parse and manifest: wall minus run_results' elapsed
time), the time dbt spent executing nodes (models, hooks and data tests; of which models)
and the peak memory, then a node-by-node table of the three builds.

Then it runs the same transform in plain pandas + hashlib (tools/bench/reference.py) over the
same data: staging with every quarantine rule, the labels (customer, season, group title trimmed
and upper-cased), values over monday's limits cut with '…', each item's payload and SHA-256
hash, and the size melt (record_uuid, size, qty > 0; subitems carry no hash). It checks that its
rows are exactly dbt's (int_order_lines_hashed's payload hashes, int_order_sizes_unpivoted's
rows) and prints the ratios and issue 13's targets with a verdict. `--shape held-out` generates
data shaped differently (a dozen customers, eight seasons, 1-6 lines per order, legacy sizes
zero-filled instead of NULL, text sizes padded). `--json PATH` writes every figure and every
node's execution time. A benchmark, not a test: it prints figures and asserts nothing.
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

from tools.bench.common import DBT_BUILD_FLAGS, REPO, dbt_command, in_child
from tools.bench.reference import agreement_text

# Issue 13's targets, on this machine, dbt against pandas in the same run.
TARGETS = {
    50_000: {"min_ratio": 1.0, "no_change_s": 5.0},
    1_000_000: {"first_s": 20.0, "min_ratio": 5.0, "peak_mb": 1536},
}


def _dbt_parse(db: Path, profiles_dir: Path, target_dir: Path) -> float:
    cmd, env = dbt_command("parse", db, profiles_dir, target_dir)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _dbt_build(db: Path, profiles_dir: Path, target_dir: Path) -> dict:
    cmd, env = dbt_command("build", db, profiles_dir, target_dir)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.stdout.write(out.decode(errors="replace"))
        raise SystemExit("dbt build failed; see its output above")
    run_results = json.loads((target_dir / "run_results.json").read_text())
    results = run_results["results"]
    nodes = {r["unique_id"]: round(r.get("execution_time", 0.0), 3) for r in results}
    return {
        "wall_s": wall,
        # start-up, parse, manifest and run_results writing: what dbt does besides running
        "dbt_own_s": max(0.0, wall - run_results.get("elapsed_time", wall)),
        "in_dbt_s": sum(nodes.values()),
        "models_s": sum(t for uid, t in nodes.items() if uid.startswith("model.")),
        "cpu_s": usage.ru_utime + usage.ru_stime,  # steadier than wall on a busy machine
        "peak_mb": usage.ru_maxrss / 1024,  # the largest process of the build (dbt embeds DuckDB)
        "nodes": nodes,
    }


def _change_lines(db: str, share: float) -> int:
    con = duckdb.connect(db)
    every = max(1, round(1 / share))
    con.execute(
        'UPDATE dbo.ORDERS_UNIFIED SET "M" = coalesce("M", 0) + 1, "LAST MODIFIED" = now()::TIMESTAMP '
        "WHERE hash(record_uuid) % ? = 0",
        [every],
    )
    n = con.execute("SELECT count(*) FROM dbo.ORDERS_UNIFIED WHERE hash(record_uuid) % ? = 0", [every])
    changed = n.fetchone()[0]
    con.close()
    return changed


# --------------------------------------------------------------------------- the pandas version


def _pandasin_child(db: Path, chunk_rows: int) -> dict:
    """Runs pandas_transform in a fresh process, so its peak memory is its own."""
    out = str(db) + ".pandas"
    result = in_child("pandas_transform", db, chunk_rows, out, module="tools.bench.reference")
    if "error" not in result:
        result["out"] = out
    return result


def _line(n: int, what: str, run: dict) -> str:
    own = run["dbt_own_s"]
    return (
        f"[{n:,} lines] {what}: wall {run['wall_s']:.1f} s, of which dbt's own start-up/parse/manifest "
        f"{own:.1f} s ({own / run['wall_s']:.0%}); inside dbt {run['in_dbt_s']:.1f} s "
        f"(models {run['models_s']:.1f} s), CPU {run['cpu_s']:.1f} s, peak memory {run['peak_mb']:.0f} MB"
    )


def _short(unique_id: str) -> str:
    kind, _, rest = unique_id.partition(".")
    name = rest.split(".")[1] if "." in rest else rest
    return name if kind == "model" else f"{kind}: {name}"


def _node_table(builds: dict[str, dict], top_tests: int = 5) -> str:
    """Every model and hook, slowest first build first; the `top_tests` slowest data
    tests; the other data tests summed on one line; then the totals."""
    names = list(builds)
    first = builds[names[0]]["nodes"]
    uids = sorted({u for b in builds.values() for u in b["nodes"]}, key=lambda u: -first.get(u, 0.0))
    tests = [u for u in uids if u.startswith("test.")]
    slow_tests = sorted(tests, key=lambda u: -max(b["nodes"].get(u, 0.0) for b in builds.values()))[
        :top_tests
    ]
    rest = [u for u in tests if u not in slow_tests]

    def row(label: str, values: list[float]) -> str:
        return f"    {label[:60]:<60} " + " ".join(f"{v:>10.2f} s" for v in values)

    rows = [f"    {'node':<60} " + " ".join(f"{name[:12]:>12}" for name in names)]
    for u in [u for u in uids if not u.startswith("test.")] + slow_tests:
        rows.append(row(_short(u), [b["nodes"].get(u, 0.0) for b in builds.values()]))
    if rest:
        rows.append(
            row(
                f"{len(rest)} other data tests",
                [sum(b["nodes"].get(u, 0.0) for u in rest) for b in builds.values()],
            )
        )
    for label, key in (
        ("all nodes", "in_dbt_s"),
        ("CPU (user + system)", "cpu_s"),
        ("dbt's own (start-up, parse, manifest)", "dbt_own_s"),
        ("wall", "wall_s"),
    ):
        rows.append(row(label, [b[key] for b in builds.values()]))
    return "\n".join(rows)


def _verdicts(n: int, builds: dict[str, dict], pandas: dict | None) -> list[str]:
    target = TARGETS.get(n)
    if not target:
        return []
    first = builds["first build"]

    def mark(ok: bool | None) -> str:
        return "n/a" if ok is None else "MET" if ok else "MISSED"

    out = []
    ratio = pandas["wall_s"] / first["wall_s"] if pandas and "wall_s" in pandas else None
    shown = f"{ratio:.2f}x" if ratio is not None else "pandas not run"
    out.append(
        f"first build wall vs pandas wall >= {target['min_ratio']:.1f}x: {shown} "
        f"-> {mark(None if ratio is None else ratio >= target['min_ratio'])}"
    )
    if "first_s" in target:
        out.append(
            f"first build <= {target['first_s']:.0f} s: {first['wall_s']:.1f} s "
            f"-> {mark(first['wall_s'] <= target['first_s'])}"
        )
    if "no_change_s" in target:
        wall, limit = builds["no change"]["wall_s"], target["no_change_s"]
        out.append(f"no-change rebuild <= {limit:.0f} s: {wall:.1f} s -> {mark(wall <= limit)}")
    if "peak_mb" in target:
        peak = max(b["peak_mb"] for b in builds.values())
        out.append(
            f"peak memory <= {target['peak_mb']} MB: {peak:.0f} MB -> {mark(peak <= target['peak_mb'])}"
        )
    return out


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.transform")
    parser.add_argument("--lines", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--change-share", type=float, default=0.05)
    parser.add_argument("--shape", choices=["default", "held-out"], default="default",
                        help="held-out: 12 customers, 8 seasons, 1-6 lines per order, legacy sizes "
                        "zero-filled, text sizes padded")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write every build's figures and node times here")
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--pandas-max-lines", type=int, default=1_000_000,
                        help="run the pandas version only up to this many lines")  # fmt: skip
    parser.add_argument("--pandas-chunk", type=int, default=50_000, help="lines per pandas melt")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-transform-"))
    shutil.copy(REPO / "profiles.example.yml", work / "profiles.yml")
    report: dict = {"cpus": os.cpu_count(), "load_average_start": _load_average(), "shape": args.shape,
                    "dbt_flags": DBT_BUILD_FLAGS, "sizes": {}}  # fmt: skip
    print(
        f"{os.cpu_count()} CPUs, load average {report['load_average_start']} at start "
        f"(other work on the machine skews the times); shape: {args.shape}; "
        f"dbt build {' '.join(DBT_BUILD_FLAGS)}"
    )
    try:
        for n in args.lines:
            db = work / f"orders_{n}.duckdb"
            generated = in_child("generate", db, n, args.shape, module="tools.bench.common")
            if isinstance(generated, dict):
                raise SystemExit(f"sample data: {generated['error']}")
            print(f"[{n:,} lines] sample data generated in {generated:.1f} s")
            target = work / f"target_{n}"
            builds = {}
            # A deployment parses the project once (`dbt parse` baked into the image, or target/
            # kept between scheduled runs); every build after that reads the saved parse. The
            # first build of the data is timed like any scheduled run, the parse printed apart.
            parse_s = _dbt_parse(db, work, target)
            print(f"[{n:,} lines] dbt parse, once per deployment (not in the builds below): {parse_s:.1f} s")
            builds["first build"] = _dbt_build(db, work, target)
            print(_line(n, "first dbt build (project parsed at deployment)", builds["first build"]))
            changed = in_child("_change_lines", db, args.change_share, module="tools.bench.transform")
            builds[f"{args.change_share:.0%} change"] = _dbt_build(db, work, target)
            print(
                _line(
                    n,
                    f"rebuild after {changed:,} lines ({changed / n:.1%}) changed",
                    builds[f"{args.change_share:.0%} change"],
                )
            )
            builds["no change"] = _dbt_build(db, work, target)
            print(_line(n, "rebuild with no change", builds["no change"]))
            print(f"[{n:,} lines] node by node (execution time from run_results.json):")
            print(_node_table(builds))
            entry = {"builds": builds, "changed_lines": changed, "load_average": _load_average()}
            report["sizes"][str(n)] = entry
            pandas = None
            if args.no_pandas:
                pass
            elif n > args.pandas_max_lines:
                print(f"[{n:,} lines] pandas: skipped (--pandas-max-lines {args.pandas_max_lines:,})")
            else:
                pandas = _pandasin_child(db, args.pandas_chunk)
                if "error" in pandas:
                    print(f"[{n:,} lines] pandas melt + hashlib failed: {pandas['error']}")
                    pandas = None
                else:
                    agreement = in_child("same_as_dbt", db, pandas["out"], module="tools.bench.reference")
                    entry["pandas"] = {k: v for k, v in pandas.items() if k != "out"}
                    entry["agreement"] = agreement
                    first = builds["first build"]
                    compute, wall = pandas["compute_s"], pandas["wall_s"]
                    print(
                        f"[{n:,} lines] pandas melt + hashlib (same transform, one process, melt in "
                        f"chunks of {args.pandas_chunk:,} lines): load {pandas['load_s']:.1f} s + compute "
                        f"{compute:.1f} s = wall {wall:.1f} s, peak memory {pandas['peak_mb']:.0f} MB\n"
                        f"    output: {agreement_text(pandas, agreement)}\n"
                        f"    ratio, compute: pandas compute {compute:.1f} s / dbt models "
                        f"{first['models_s']:.1f} s (first build) = {compute / first['models_s']:.1f}x\n"
                        f"    ratio, wall: pandas load + compute {wall:.1f} s / whole first dbt build "
                        f"incl. its data tests {first['wall_s']:.1f} s = {wall / first['wall_s']:.2f}x"
                    )
            verdicts = _verdicts(n, builds, pandas)
            entry["targets"] = verdicts
            if verdicts:
                print(f"[{n:,} lines] issue 13 targets:\n" + "\n".join(f"    {v}" for v in verdicts))
            if args.json:
                args.json.write_text(json.dumps(report, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
