"""One mode's run of the push benchmark: a fresh copy of the built outbox, a fresh sandbox in its
own process (``python -m tests.sandbox``) with monday's limits and latency scaled, one first
``Sync`` with ``--bulk mode`` paced to the scaled window, and the figures read from the sandbox.
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
from typing import Any

import duckdb
import requests
import yaml

from tests.sandbox.spec import boards_from_mapping
from tools.bench.push.outbox import BOARD, CUSTOMER, REPO, SUBBOARD

TOKEN = "tok-bench-push-8c1f"  # noqa: S105 (the sandbox accepts only this)
MUTATION_COST = 10_000
BUDGET = 10_000_000
MAX_QUERY = 5_000_000
REQUESTS = 1000
IMPORT_RATE = 200.0  # rows per monday second the sandbox imports (its default; monday documents none)


def board_spec() -> list[dict[str, Any]]:
    return boards_from_mapping()


def start_sandbox(tmp: Path, args: argparse.Namespace) -> tuple[subprocess.Popen[str], str]:
    spec = tmp / "boards.yml"
    spec.write_text(yaml.safe_dump({"boards": board_spec()}))
    cmd = [sys.executable, "-m", "tests.sandbox", "--port", "0", "--token", TOKEN, "--board-spec", str(spec)]
    cmd += ["--window-seconds", str(args.window), "--complexity-budget", str(BUDGET)]
    cmd += ["--max-query-complexity", str(MAX_QUERY), "--requests-per-window", str(REQUESTS)]
    cmd += [
        "--latency-ms",
        str(args.latency_ms),
        "--latency-per-mutation-ms",
        str(args.latency_per_mutation_ms),
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"the sandbox did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[-1].strip()


def _cpu_of(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far (Linux /proc), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run(args: argparse.Namespace, built: Path, mode: str = "off") -> dict[str, Any]:
    """One first sync of the built outbox (a fresh copy) onto a fresh sandbox, ``--bulk mode``."""
    from pusher.config.settings import load_settings
    from pusher.monday.client import MondayClient
    from pusher.monday.pacing import Pacer
    from pusher.store.database import Database
    from pusher.sync.run import Sync

    tmp = Path(tempfile.mkdtemp(prefix=f"bench-push-{mode}-"))
    try:
        bench = tmp / "bench.duckdb"
        shutil.copy(built, bench)
        proc, url = start_sandbox(tmp, args)
        try:
            config = yaml.safe_load((REPO / "monday.yml").read_text(encoding="utf-8"))
            # monday asks for ~10 s between polls: on the scaled clock, 10 s / scale
            config["bulk"] = {"poll_seconds": 10.0 * args.window / 60.0}
            if args.min_rows:
                config["bulk"]["min_rows"] = args.min_rows
            (tmp / "monday.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
            settings = load_settings(
                CUSTOMER,
                config_file=str(tmp / "monday.yml"),
                env={"MONDAY_API_URL": url, "MONDAY_API_TOKEN": TOKEN},
                batch_size=args.batch_size,
                bulk_mode=mode,
                initial_load=mode == "backfill",
            )
            pacer = Pacer(
                mutation_cost=settings.mutation_cost,
                max_query_complexity=settings.max_query_complexity,
                requests_per_minute=REQUESTS,
                request_window=args.window,
                max_wait=settings.max_limit_wait,
            )
            con = duckdb.connect(str(bench))
            db = Database(con, "duckdb", "main")
            client = MondayClient(settings.api_url, settings.api_version, token=TOKEN)
            load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            cpu0, wall0 = time.process_time(), time.monotonic()
            try:
                summary = Sync(settings, db, client=client, pacer=pacer).run()
            finally:
                if profiler is not None:
                    profiler.disable()
                    import pstats

                    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
                cpu = time.process_time() - cpu0
                wall = time.monotonic() - wall0
                db.close()
            sandbox_cpu = _cpu_of(proc.pid)
            admin = url.rsplit("/v2", 1)[0]
            stats = requests.get(f"{admin}/_sandbox/stats", timeout=10).json()
            items = requests.get(f"{admin}/_sandbox/state", timeout=30).json()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if not args.json:
        print(summary.render(), flush=True)
    mutations = sum(stats["mutations_by_field"].values())
    ceiling = BUDGET / MUTATION_COST / args.window * 60  # mutations a minute the scaled limits allow
    rate = mutations / wall * 60
    rate_limited = sum(stats["rate_limited_by_code"].values())
    live = [it for it in items.get("items", []) if it.get("state", "active") == "active"]
    on_board = {bid: sum(1 for it in live if str(it.get("board_id")) == bid) for bid in (BOARD, SUBBOARD)}
    keys = [(it.get("board_id"), (it.get("column_values") or {}).get("sync_key")) for it in live]
    on_board["duplicate_sync_keys"] = len(keys) - len(set(keys))
    return {
        "bulk": mode,
        "jobs": len(summary.jobs),
        "job_rows": sum(int(j.get("rows") or 0) for j in summary.jobs),
        # a job's cost beyond processing its rows (start, upload, polling, report), monday seconds
        "job_fixed_seconds": round(
            sum(j["seconds"] * 60 / args.window - j["rows"] / IMPORT_RATE for j in summary.jobs)
            / max(1, len(summary.jobs)),
            1,
        ),
        "monday_minutes": round(wall / args.window, 2),  # the sandbox's minute is `window` seconds
        "scale": args.scale,
        "window_seconds": args.window,
        "latency_ms": args.latency_ms,
        "latency_per_mutation_ms": args.latency_per_mutation_ms,
        "items": summary.n("item", "create"),
        "subitems": summary.n("subitem", "create"),
        "mutations": mutations,
        "mutation_requests": stats["mutation_requests"],
        "http_calls": summary.http_calls,
        "seconds": round(wall, 2),
        "paced_seconds": round(summary.paced_seconds, 2),
        "mutations_per_minute": round(rate),
        "ceiling_per_minute": round(ceiling),
        "ceiling_ratio": round(rate / ceiling, 3),
        "calls_per_mutation": round(summary.http_calls / max(mutations, 1), 4),
        "rate_limited": rate_limited,
        "rate_limited_by_code": stats["rate_limited_by_code"],
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_mutation": round(cpu * 1000 / max(mutations, 1), 3),
        "sandbox_cpu_seconds": None if sandbox_cpu is None else round(sandbox_cpu, 2),
        "load_average": [load0, os.getloadavg()[0] if hasattr(os, "getloadavg") else None],
        "exit_code": summary.exit_code,
        "boards": on_board,
    }
