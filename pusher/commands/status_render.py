"""``python -m pusher status`` as text: the report ``status.collect`` reads, one section a table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pusher.boards.capacity import render_plan

# Why an outbox row is still there, in the order the report lists them.
WAITING = {
    "parked": "parked (failed {n}+ times in a row)",
    "failed": "failed, the next run retries",
    "board_not_made": "waiting for its board to be made",
    "board_full": "waiting for room on its board (monday's items limit)",
    "parent_waiting": "waiting for its parent item",
    "not_attempted": "not attempted yet (run the pusher)",
}


def _short(value: Any, n: int = 80) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else str(value or "")


def render(report: dict[str, Any], max_rows: int = 20) -> str:
    lines = ["order-sync status"]
    lines.append(
        f"  last runs ({len(report['runs'])}):" if report["runs"] else "  last runs: none logged yet"
    )
    for r in report["runs"]:
        lines.append(
            f"    {_when(r['ended_at'])}  {_short(r['customer_name'], 30):<30} batches {r['batches']}, "
            f"ok {r['ok'] or 0}, errors {r['error'] or 0}, unknown {r['unknown'] or 0}"
            + (f", pending {r['pending']}" if r.get("pending") else "")
            + f"  run {r['run_id']}"
        )
    if report["active_batches"]:
        lines.append(
            f"  batches in flight or interrupted: {report['active_batches']} (VW_MON_ActiveBatches; "
            "the next run resolves them through the sync key)"
        )
    total = sum(int(r["n"]) for r in report["backlog"])
    lines.append(
        f"  backlog: {total} operation(s) in the outbox" if total else "  backlog: the outbox is empty"
    )
    for r in report["backlog"]:
        lines.append(
            f"    {_short(r['customer_name'], 30):<30} {r['entity'] + '.' + str(r['operation']):<16} {r['n']}"
        )
    if total:
        lines.append("  why they are still there:")
    for r in report.get("accounting") or []:
        why = WAITING[r["state"]].format(n=report["parked_after"])
        lines.append(f"    {_short(r['customer_name'], 30):<30} {r['entity']:<8} {r['n']:>6}  {why}")
    n_err = sum(int(r["n"]) for r in report["errors"])
    lines.append(f"  errors: {n_err} row(s) whose last push failed" if n_err else "  errors: none")
    for r in report["errors"]:
        lines.append(
            f"    {r['entity']:<8} {str(r['error_code']):<28} {r['n']:>5}  e.g. {_short(r['sample_message'])}"
        )
    lines += render_plan(report.get("capacity"))
    parked = report["parked"]
    lines.append(
        f"  parked (failed {report['parked_after']}+ times in a row): {len(parked)}"
        + (" — fix the data or the board, then rerun (see README, Operating it)" if parked else "")
    )
    for r in parked[:max_rows]:
        lines.append(
            f"    {r['entity']:<8} {r['sync_key']}  {_short(r['customer_name'], 24)}  {r['operation']} "
            f"x{r['attempts']}  {r['error_code']}: {_short(r['error_message'], 60)}"
        )
    if len(parked) > max_rows:
        lines.append(f"    … and {len(parked) - max_rows} more (ERR_MON_CustMasterSchedule[_Subitems])")
    lines += render_warnings(report.get("warnings"))
    found = report.get("drift") or []
    lines.append("  drift (last reconcile, MON_Drift):" if found else "  drift: no reconcile found any")
    for r in found:
        lines.append(
            f"    {_short(r['customer_name'], 24):<24} {_when(r['found_at'])}  {r['drift_class']:<16} "
            f"{r['n']:>5}  {r['action']}"
        )
    return "\n".join(lines)


def render_warnings(warned: dict[str, Any] | None) -> list[str]:
    if not warned or not warned["total"]:
        return ["  warnings: no value cut to monday's limits"]
    lines = [f"  warnings: {warned['total']} value(s) sent cut to monday's limits (WARN_ORDERS_UNIFIED)"]
    lines += [f"    {_short(r['column_name'], 30):<30} {r['n']:>6}" for r in warned["by_column"]]
    lines += [f"    e.g. {r['record_uuid']}  {_short(r['reason'], 100)}" for r in warned["samples"]]
    return lines
