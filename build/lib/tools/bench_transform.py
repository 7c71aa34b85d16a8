"""Benchmark of the SQL half: `dbt build` over generated ORDERS_UNIFIED, against plain pandas.

    python -m tools.bench_transform [--lines 50000 1000000] [--change-share 0.05]
                                    [--pandas-max-lines 1000000] [--no-pandas]

For each size it prints the wall time, the time dbt spent executing nodes (models, snapshot and
data tests; of which models) and the peak memory of a first `dbt build`, then of a rebuild after
a share of lines changed. Then it runs the same transform in plain pandas + hashlib (staging with
every quarantine rule, item payload and hash, size melt, subitem payload and hash) over the same
data, checks that it produced exactly the payload hashes dbt wrote, and prints the ratios:
time inside dbt (models only) against pandas compute (after loading), and wall against wall
(dbt: the whole `dbt build` process with its data tests; pandas: load + compute). A benchmark,
not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import yaml

from tools.sample_orders import create

REPO = Path(__file__).resolve().parent.parent
BUDGETS = {50_000: (15.0, 10.0), 1_000_000: (60.0, 60.0)}
MEMORY_BUDGET_MB = {1_000_000: 2048}


def _dbt_build(db: Path, profiles_dir: Path, target_dir: Path) -> dict[str, float]:
    env = dict(os.environ, ORDER_SYNC_DUCKDB=str(db), DBT_PROFILES_DIR=str(profiles_dir))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [
        str(dbt),
        "build",
        "--project-dir",
        str(REPO / "dbt_project"),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir / "logs"),
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
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    in_dbt = sum(r.get("execution_time", 0.0) for r in results)
    models = sum(r.get("execution_time", 0.0) for r in results if r["unique_id"].startswith("model."))
    slowest = sorted(results, key=lambda r: -r.get("execution_time", 0.0))[:4]
    return {
        "wall_s": wall,
        "in_dbt_s": in_dbt,
        "models_s": models,
        "peak_mb": usage.ru_maxrss / 1024,  # the largest process of the build (dbt embeds DuckDB)
        "slowest": ", ".join(f"{r['unique_id'].split('.')[-1]} {r['execution_time']:.1f} s" for r in slowest),
    }


def _change_lines(db: Path, share: float) -> int:
    con = duckdb.connect(str(db))
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


def _render_terms(terms: list) -> str:
    """macros/payload/payload_hash.sql: NULL -> \\N, '\\' -> '\\\\', '|' -> '\\|', joined by '|'."""
    return "|".join("\\N" if t is None else t.replace("\\", "\\\\").replace("|", "\\|") for t in terms)


def _signature(entity: str, part: dict) -> str:
    return ";".join([entity, *(f"{c['id']}:{c['type']}" for c in [part["sync_key"], *part["columns"]])])


def _pandas_transform(db: Path, chunk_rows: int) -> dict:
    """What the dbt models compute, in plain pandas + hashlib (no SQL after loading the table):
    staging (legacy text sizes typed, every quarantine rule), the item payload (group title, item
    name, column_values JSON, payload_hash) of every valid line, and the size melt (qty > 0) with
    each subitem's JSON and hash. The melt runs `chunk_rows` lines at a time: one melt of
    1,000,000 x 276 would hold 276 million rows. Returns timings, peak memory and the hashes."""
    import resource

    import pandas as pd

    from tools.reference_layout import read_layout, size_columns

    mapping = yaml.safe_load((REPO / "monday.yml").read_text())
    items, subitems = mapping["items"], mapping["subitems"]
    sizes = size_columns(read_layout())
    t0 = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE dbo.ORDERS_UNIFIED)").fetchall())
    df = con.execute("SELECT * FROM dbo.ORDERS_UNIFIED").df()
    con.close()
    t1 = time.perf_counter()

    def nonblank(series: pd.Series) -> pd.Series:
        s = series.astype("string").str.strip()
        return s.where(s.ne(""))

    # staging: type the sizes, apply every quarantine rule
    qty = {}
    non_numeric = pd.Series(False, index=df.index)
    for col in sizes:
        raw = df[col.name]
        if col.is_text:
            trimmed = raw.astype("string").str.strip()
            ok = trimmed.str.fullmatch(r"[+-]?[0-9]+").fillna(False).astype(bool)
            qty[col.name] = pd.to_numeric(trimmed.where(ok), errors="coerce")
            non_numeric |= trimmed.fillna("").ne("") & ~ok
        else:
            qty[col.name] = raw
    qty = pd.DataFrame(qty)
    uuid = df["record_uuid"].astype(str).where(df["record_uuid"].notna())
    name_parts = [nonblank(df[c]).tolist() for c in items["name_from"]]
    joined = [
        " / ".join(p for p in parts if p is not pd.NA) or None for parts in zip(*name_parts, strict=True)
    ]
    item_name = pd.Series(joined, index=df.index, dtype=object)
    invalid = (
        uuid.isna()
        | (uuid.map(uuid.value_counts()).fillna(1) > 1)
        | nonblank(df["AAG ORDER NUMBER"]).isna()
        | nonblank(df["CUSTOMER NAME"]).isna()
        | (qty < 0).any(axis=1)
        | non_numeric
        | item_name.isna()
        | (item_name.str.len().fillna(0) > 255)
    )
    for c in items["columns"]:
        if c["type"] == "long_text":
            invalid |= df[c["source"]].astype("string").str.len().fillna(0) > 2000
    valid = ~invalid.astype(bool)

    # items: group title, name, column_values JSON, payload_hash
    lines = df[valid]
    season = nonblank(lines["CUSTOMER SEASON"]).fillna(nonblank(lines["AAG SEASON"]))
    customer = nonblank(lines["CUSTOMER NAME"])
    group_title = [
        " ".join(p for p in pair if p is not pd.NA) or None for pair in zip(customer, season, strict=True)
    ]
    values = [uuid[valid].tolist()]
    for c in items["columns"]:
        s = lines[c["source"]]
        if c["type"] == "date":
            values.append([None if pd.isna(v) else v.date().isoformat() for v in s])
        elif c["type"] == "numbers":
            scale = re.search(r",\s*(\d+)\)", types[c["source"]])
            digits = int(scale.group(1)) if scale else 0
            values.append([None if pd.isna(v) else f"{v:.{digits}f}" for v in s])
        else:
            values.append([None if v is None or v != v else v for v in s.tolist()])
    columns = [items["sync_key"], *items["columns"]]
    wrap = {"date": "date", "status": "label", "long_text": "text"}
    signature = _signature("item", items)
    item_hashes, item_json = [], []
    for g, n, *vals in zip(group_title, item_name[valid].tolist(), *values, strict=True):
        obj = {}
        for column, v in zip(columns, vals, strict=True):
            t = column["type"]
            obj[column["id"]] = (
                None
                if v is None
                else {"labels": [v]}
                if t == "dropdown"
                else {wrap[t]: v}
                if t in wrap
                else v
            )
        item_json.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        item_hashes.append(hashlib.sha256(_render_terms([signature, g, n, *vals]).encode()).hexdigest())

    # subitems: melt the typed sizes (qty > 0), JSON and hash per size
    sub_signature = _signature("subitem", subitems)
    sub_key = subitems["sync_key"]["id"]
    typed = qty[valid].assign(record_uuid=values[0])
    sub_hashes: list[str] = []
    for start in range(0, len(typed), chunk_rows):
        melted = typed.iloc[start : start + chunk_rows].melt(
            id_vars="record_uuid", var_name="size", value_name="qty"
        )
        melted = melted[melted["qty"] > 0]
        for u, size, q in zip(
            melted["record_uuid"], melted["size"], melted["qty"].astype("int64"), strict=True
        ):
            key = f"{u}|{size}"
            vals = {"size": size, "qty": str(q)}
            mapped = [vals[c["source"]] for c in subitems["columns"]]
            json.dumps({sub_key: key, **{c["id"]: vals[c["source"]] for c in subitems["columns"]}},
                       ensure_ascii=False, separators=(",", ":"))  # fmt: skip
            sub_hashes.append(
                hashlib.sha256(_render_terms([sub_signature, size, key, *mapped]).encode()).hexdigest()
            )
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": t1 - t0, "compute_s": t2 - t1, "wall_s": t2 - t0, "peak_mb": peak_mb,
            "item_hashes": item_hashes, "sub_hashes": sub_hashes}  # fmt: skip


def _pandas_in_child(db: Path, chunk_rows: int) -> dict:
    """Runs _pandas_transform in a fresh process, so its peak memory is its own."""
    out = Path(str(db) + ".pandas.json")
    code = (
        "import json; from pathlib import Path; from tools.bench_transform import _pandas_transform; "
        f"r = _pandas_transform(Path({str(db)!r}), {chunk_rows}); "
        f"Path({str(out)!r}).write_text(json.dumps(r))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
    result = json.loads(out.read_text())
    out.unlink()
    return result


def _same_as_dbt(db: Path, pandas: dict) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        items = con.execute("SELECT payload_hash FROM main.int_order_lines_hashed").fetchall()
        subs = con.execute("SELECT payload_hash FROM main.int_order_sizes_hashed").fetchall()
    finally:
        con.close()
    same_items = sorted(h for (h,) in items) == sorted(pandas["item_hashes"])
    same_subs = sorted(h for (h,) in subs) == sorted(pandas["sub_hashes"])
    verdict = "identical to dbt's" if same_items and same_subs else "DIFFERENT from dbt's (unfair comparison)"
    counts = f"{len(pandas['item_hashes']):,} item and {len(pandas['sub_hashes']):,} subitem payload hashes"
    return f"{counts}, {verdict}"


# --------------------------------------------------------------------------- main


def _budget(value: float, budget: float | None, unit: str) -> str:
    if budget is None:
        return ""
    return f" (budget {budget:.0f} {unit}{'' if value <= budget else ', OVER'})"


def _line(n: int, what: str, run: dict, budget_s: float | None) -> str:
    return (
        f"[{n:,} lines] {what}: wall {run['wall_s']:.1f} s{_budget(run['wall_s'], budget_s, 's')}, "
        f"inside dbt {run['in_dbt_s']:.1f} s (models {run['models_s']:.1f} s), "
        f"peak memory {run['peak_mb']:.0f} MB{_budget(run['peak_mb'], MEMORY_BUDGET_MB.get(n), 'MB')}\n"
        f"    slowest nodes: {run['slowest']}"
    )


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_transform")
    parser.add_argument("--lines", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--change-share", type=float, default=0.05)
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--pandas-max-lines", type=int, default=1_000_000,
                        help="run the pandas version only up to this many lines")  # fmt: skip
    parser.add_argument("--pandas-chunk", type=int, default=50_000, help="lines per pandas melt")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-transform-"))
    shutil.copy(REPO / "profiles.example.yml", work / "profiles.yml")
    print(
        f"{os.cpu_count()} CPUs, load average {_load_average()} at start "
        "(other work on the machine skews the times)"
    )
    try:
        for n in args.lines:
            db = work / f"orders_{n}.duckdb"
            t0 = time.perf_counter()
            create(db, n, seed=1, bad_rows=0)
            print(f"[{n:,} lines] sample data generated in {time.perf_counter() - t0:.1f} s")
            budget_first, budget_change = BUDGETS.get(n, (None, None))
            first = _dbt_build(db, work, work / f"target_{n}")
            print(_line(n, "first dbt build", first, budget_first))
            changed = _change_lines(db, args.change_share)
            again = _dbt_build(db, work, work / f"target_{n}")
            print(
                _line(n, f"rebuild after {changed:,} lines ({changed / n:.1%}) changed", again, budget_change)
            )
            if args.no_pandas:
                continue
            if n > args.pandas_max_lines:
                print(f"[{n:,} lines] pandas: skipped (--pandas-max-lines {args.pandas_max_lines:,})")
                continue
            pandas = _pandas_in_child(db, args.pandas_chunk)
            if "error" in pandas:
                print(f"[{n:,} lines] pandas melt + hashlib failed: {pandas['error']}")
                continue
            print(
                f"[{n:,} lines] pandas melt + hashlib (same transform, one process, melt in chunks of "
                f"{args.pandas_chunk:,} lines): load {pandas['load_s']:.1f} s + compute "
                f"{pandas['compute_s']:.1f} s = wall {pandas['wall_s']:.1f} s, "
                f"peak memory {pandas['peak_mb']:.0f} MB\n"
                f"    output: {_same_as_dbt(db, pandas)}\n"
                f"    ratio, compute: pandas compute {pandas['compute_s']:.1f} s / dbt models "
                f"{first['models_s']:.1f} s (first build) = {pandas['compute_s'] / first['models_s']:.1f}x\n"
                f"    ratio, wall: pandas load + compute {pandas['wall_s']:.1f} s / whole dbt build "
                f"incl. its data tests {first['wall_s']:.1f} s = "
                f"{pandas['wall_s'] / first['wall_s']:.1f}x (target 10x)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
