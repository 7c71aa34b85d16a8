"""The push benchmark's verdict: the figures of the ``--bulk off`` run against the targets
(``TARGETS``), issue 11's checks across the bulk modes, and the tables printed for both."""

from __future__ import annotations

import os
from typing import Any

from tools.bench.push.run import IMPORT_RATE

TARGETS = {"ceiling": 0.90, "calls_per_mutation": 0.04, "rate_limited": 0, "cpu_ms_per_mutation": 1.0}


def target_checks(fig: dict[str, Any]) -> dict[str, bool]:
    """The ``--bulk off`` run's figures against ``TARGETS``."""
    return {
        "ceiling": fig["ceiling_ratio"] >= TARGETS["ceiling"],
        "calls_per_mutation": fig["calls_per_mutation"] <= TARGETS["calls_per_mutation"],
        "rate_limited": fig["rate_limited"] == TARGETS["rate_limited"],
        "cpu_ms_per_mutation": fig["cpu_ms_per_mutation"] <= TARGETS["cpu_ms_per_mutation"],
    }


def bulk_checks(runs: dict[str, dict[str, Any]]) -> dict[str, bool]:
    """Issue 11's targets: backfill at least 8x faster than mutations in monday minutes, auto never
    slower than off (5 % allowed for the clock's noise)."""
    off = runs["off"]["monday_minutes"]
    out = {"same_board": all(r["boards"] == runs["off"]["boards"] for r in runs.values())}
    if "backfill" in runs:
        out["backfill_8x"] = off >= 8 * runs["backfill"]["monday_minutes"]
    if "auto" in runs:
        out["auto_not_slower"] = runs["auto"]["monday_minutes"] <= off * 1.05
    return out


def print_figures(fig: dict[str, Any], checks: dict[str, bool]) -> None:
    """The ``--bulk off`` run: one line of what it did, then each figure against its target."""
    print(
        f"\npush bench: {fig['items']} items + {fig['subitems']} subitems = {fig['mutations']} mutations "
        f"in {fig['seconds']:.1f}s (window {fig['window_seconds']:g}s, "
        f"latency {fig['latency_ms']:g} ms + {fig['latency_per_mutation_ms']:g} ms/mutation); "
        f"paced {fig['paced_seconds']:.1f}s; sandbox process CPU {fig['sandbox_cpu_seconds']}s; "
        f"on the boards {fig['boards']}; 1-min load average before/after {fig['load_average']} "
        f"on {os.cpu_count()} CPUs (wall-clock figures need an otherwise idle machine)"
    )
    rows = [
        (
            "mutations/minute",
            f"{fig['mutations_per_minute']:,} of {fig['ceiling_per_minute']:,}",
            f"{fig['ceiling_ratio']:.1%} of ceiling",
            "≥ 90 %",
            checks["ceiling"],
        ),
        (
            "HTTP calls/mutation",
            f"{fig['http_calls']} / {fig['mutations']}",
            f"{fig['calls_per_mutation']:.4f}",
            "≤ 0.04",
            checks["calls_per_mutation"],
        ),
        (
            "429s received",
            str(fig["rate_limited_by_code"] or "none"),
            str(fig["rate_limited"]),
            "0",
            checks["rate_limited"],
        ),
        (
            "pusher CPU/mutation",
            f"{fig['cpu_seconds']:.2f}s CPU",
            f"{fig['cpu_ms_per_mutation']:.3f} ms",
            "≤ 1 ms",
            checks["cpu_ms_per_mutation"],
        ),
    ]
    for name, detail, value, target, ok in rows:
        print(f"  {name:<21} {value:<20} target {target:<7} {'ok' if ok else 'MISSED'}   ({detail})")


def print_bulk(runs: dict[str, dict[str, Any]], checks: dict[str, bool]) -> None:
    off = runs["off"]["monday_minutes"]
    print("\nfirst sync, --bulk off / auto / backfill (same outbox, limits and scaled clock):")
    print(
        f"  {'--bulk':<9} {'monday min':>10} {'vs off':>7} {'HTTP calls':>10} {'jobs':>5} "
        f"{'job rows':>9}  on the boards"
    )
    for mode, r in runs.items():
        speed = off / r["monday_minutes"] if r["monday_minutes"] else float("inf")
        print(
            f"  {mode:<9} {r['monday_minutes']:>10.2f} {speed:>6.1f}x {r['http_calls']:>10} {r['jobs']:>5} "
            f"{r['job_rows']:>9,}  {r['boards']}"
        )
    fixed = [r["job_fixed_seconds"] for r in runs.values() if r["jobs"]]
    if fixed:
        per_row = 60.0 / 1000 - 1 / IMPORT_RATE  # monday s a row saves in a job vs mutations at the ceiling
        print(
            f"  a job's fixed cost (start, upload, polling, report): {max(fixed):.1f} monday s; it pays "
            f"for itself from ~{max(fixed) / per_row:,.0f} rows (mutations: 1,000 a minute)"
        )
    for name, ok in checks.items():
        print(f"  {name:<16} {'ok' if ok else 'MISSED'}")
