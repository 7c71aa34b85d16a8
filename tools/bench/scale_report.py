"""The scale benchmark's tables: per sync what the sandbox saw, the floor and the pusher's CPU, and
issue 22's targets against the figures (printed, never asserted)."""

from __future__ import annotations

import argparse
import os
from collections import Counter
from dataclasses import dataclass, field

IMPORT_RATE = 200.0  # rows a monday second the sandbox imports (its default; monday documents none)

DAILY_CALLS = {"Standard": 1_000, "Pro": 10_000, "Enterprise": 25_000}
# issue 22, monday minutes: a first sync with jobs side by side; one job at a time, times the floor;
# a 5 % change (with subitems, in column mode) no slower than before the pipeline
SIDE_BY_SIDE_MINUTES = 25.0
QUEUE_OVER_FLOOR = 1.15
CHANGE_MINUTES = {"subitems": 15.0, "column": 2.7}


@dataclass
class Figures:
    """What one sync did, read from the sandbox before and after it."""

    label: str
    seconds: float
    window: float
    exit_code: int
    item_boards: int = 0
    subitem_boards: int = 0
    boards_made: int = 0
    items: int = 0
    subitems: int = 0
    archived: int = 0
    fullest: tuple[str, int] = ("", 0)
    mutations: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    rate_limited: int = 0
    created: int = 0  # items and subitems that became live in this sync
    jobs: int = 0  # import jobs started
    job_rows: int = 0  # rows in their files
    cpu_seconds: float = 0.0  # the pusher process's user + system time
    sandbox_cpu_seconds: float = 0.0  # the bench process's (the sandbox standing in for monday)
    timeline: tuple[float, float, float] | None = None  # monday s: first file in, last file in, last job end

    @property
    def monday_minutes(self) -> float:
        return self.seconds / self.window

    @property
    def floor_minutes(self) -> float:
        """The created rows at the import rate, in monday minutes."""
        return self.created / IMPORT_RATE / 60.0


def render(figs: list[Figures], args: argparse.Namespace, title: str = "scale bench") -> str:
    lines = [
        f"\n{title}: {args.lines:,} lines, {args.customers} customer(s), {args.seasons} seasons, "
        "orders of 1-6 lines; "
        f"monday's minute = {60 / args.scale:g} s (scale {args.scale:g}); imports at 200 rows a monday "
        f"second; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
    ]
    head = ("", "boards made", "boards (items/subitems)", "live items", "live subitems", "archived")
    head += ("fullest board", "mutations", "jobs (rows)", "HTTP calls", "429s", "monday minutes")
    head += ("floor", "x floor", "pusher CPU s", "sandbox CPU s", "wall", "exit")
    rows = [head]
    for f in figs:
        rows.append(
            (
                f.label,
                f"{f.boards_made}",
                f"{f.item_boards}/{f.subitem_boards}",
                f"{f.items:,}",
                f"{f.subitems:,}",
                f"{f.archived:,}",
                f"{f.fullest[1]:,} ({f.fullest[0]})",
                f"{sum(f.mutations.values()):,}",
                f"{f.jobs} ({f.job_rows:,})",
                f"{f.calls:,}",
                f"{f.rate_limited}",
                f"{f.monday_minutes:.1f}",
                f"{f.floor_minutes:.1f}",
                f"{f.monday_minutes / f.floor_minutes:.2f}" if f.floor_minutes else "-",
                f"{f.cpu_seconds:.1f}",
                f"{f.sandbox_cpu_seconds:.1f}",
                f"{f.seconds:.0f}s",
                f"{f.exit_code}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    for f in figs:
        kinds = ", ".join(f"{k} {n:,}" for k, n in f.mutations.most_common())
        days = ", ".join(f"{plan} {f.calls / n:.1f}" for plan, n in DAILY_CALLS.items())
        lines.append(f"  {f.label}: {kinds or 'no mutation'}; days of daily calls: {days}")
        if f.timeline:
            first, last, end = (t / 60.0 for t in f.timeline)
            lines.append(
                f"  {f.label}: first file uploaded at {first:.1f}, last at {last:.1f}, last job ended at "
                f"{end:.1f}, push ended at {f.monday_minutes:.1f} monday minutes"
            )
        if f.sandbox_cpu_seconds > 0.8 * f.seconds:
            lines.append(
                f"  {f.label}: the sandbox's CPU ({f.sandbox_cpu_seconds:.0f} s of {f.seconds:.0f} s) bound "
                "this run, not monday's pace: rerun with a smaller --scale for monday's figure"
            )
    return "\n".join(lines)


def verdict(figs: list[Figures]) -> str:
    """Issue 22's targets, each with the figure it was measured by."""
    by = {f.label: f for f in figs}
    out = ["\ntargets (issue 22, monday minutes):"]

    def line(name: str, value: str, target: str, ok: bool) -> None:
        out.append(f"  {name:<44} {value:<28} target {target:<16} {'ok' if ok else 'MISSED'}")

    mutations = by.get("subitems: first sync, mutations")
    for run, name in (("side_by_side", "jobs side by side"), ("queue", "one job at a time")):
        f = by.get(f"subitems: first sync, {run}")
        if f is None:
            continue
        if run == "side_by_side":
            line(f"first sync, {name}", f"{f.monday_minutes:.1f}", f"≤ {SIDE_BY_SIDE_MINUTES:g}",
                 f.monday_minutes <= SIDE_BY_SIDE_MINUTES)  # fmt: skip
        else:
            ratio = f.monday_minutes / f.floor_minutes if f.floor_minutes else float("inf")
            line(f"first sync, {name}", f"{f.monday_minutes:.1f} = {ratio:.2f}x floor {f.floor_minutes:.1f}",
                 f"≤ {QUEUE_OVER_FLOOR:g}x floor", ratio <= QUEUE_OVER_FLOOR)  # fmt: skip
        if mutations is not None and f.monday_minutes:
            speed = mutations.monday_minutes / f.monday_minutes
            line(f"  vs the mutation path ({mutations.monday_minutes:.1f})", f"{speed:.1f}x faster",
                 "(8x held-out)", speed >= 8)  # fmt: skip
    for mode, limit in CHANGE_MINUTES.items():
        f = next((f for f in figs if f.label.startswith(f"{mode}: after")), None)
        if f is not None:
            ok = f.monday_minutes <= limit
            line(f"{mode}: a 5 % change", f"{f.monday_minutes:.2f}", f"≤ {limit:g}", ok)
    return "\n".join(out)
