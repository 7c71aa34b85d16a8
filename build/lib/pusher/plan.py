"""``--dry-run``: what a run would send, from the outbox and the log alone (no HTTP at all)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .config import Settings
from .operations import diff_values
from .outbox import ItemRow, SubitemRow
from .summary import Plan
from .writeback import PushLog


def _show(value: Any, limit: int = 60) -> str:
    text = (
        "∅"
        if value is None
        else json.dumps(value, ensure_ascii=False)
        if not isinstance(value, str)
        else value
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_plan(
    settings: Settings, items: Sequence[ItemRow], subitems: Sequence[SubitemRow], log: PushLog
) -> Plan:
    plan = Plan(settings.customer if not items else items[0].customer_name, settings.board_id)
    confirmed = log.confirmed_items(settings.board_id)
    known_groups = log.known_groups(settings.board_id)
    group_of = {key: c.group_title or "" for key, c in confirmed.items()}
    needed: set[str] = set()
    for r in items:
        group = r.group_title or ""
        group_of[r.sync_key] = group
        plan.totals[f"item.{r.operation}"] += 1
        plan.per_group[("item", r.operation, group)] += 1
        if r.operation == "create" or r.moves_group:
            needed.add(group)
        if r.operation == "update" and len(plan.diffs) < settings.diff_samples:
            if r.moves_group:
                plan.diffs.append((r.sync_key, "group", r.confirmed_group_title, r.group_title))
            try:
                changed = diff_values(r.column_values, r.confirmed_column_values)
                old = json.loads(r.confirmed_column_values) if r.confirmed_column_values else {}
            except ValueError:
                changed, old = {}, {}
            for column, new in changed.items():
                if len(plan.diffs) >= settings.diff_samples:
                    break
                plan.diffs.append((r.sync_key, column, _show(old.get(column)), _show(new)))
    for s in subitems:
        group = group_of.get(s.parent_sync_key, "(parent not yet on monday)")
        plan.totals[f"subitem.{s.operation}"] += 1
        plan.per_group[("subitem", s.operation, group)] += 1
    plan.groups_to_create = sorted(t for t in needed if t and t not in known_groups)
    archives = plan.totals.get("item.archive", 0)
    if archives:
        live = sum(1 for c in confirmed.values() if c.live)
        plan.notes.append(
            f"archives {archives} of {live} live items (limit {settings.max_archive_share:.0%}"
            f"{', overridden by --force' if settings.force else ''})"
        )
    return plan
