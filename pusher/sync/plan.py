"""``--dry-run``: what a run would send, from the outbox and the log alone (no HTTP at all):
per operation, per group, per board, and dbt's capacity plan of those boards (``MON_BoardCapacity``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pusher.boards.capacity import read_plan, render_plan
from pusher.config.settings import Settings
from pusher.monday.operations import diff_values
from pusher.run.summary import Plan
from pusher.store.database import Database
from pusher.store.outbox import ItemRow, SubitemRow
from pusher.store.push_log import PushLog


def _show(value: Any, limit: int = 60) -> str:
    text = (
        "∅"
        if value is None
        else json.dumps(value, ensure_ascii=False)
        if not isinstance(value, str)
        else value
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _board(board_id: str | None, name: str | None, fallback: str | None) -> str:
    if board_id or name:
        return f"{name or ''} ({board_id or 'not made yet'})".strip()
    return f"({fallback})" if fallback else "(no board)"


def build_plan(
    settings: Settings,
    items: Sequence[ItemRow],
    subitems: Sequence[SubitemRow],
    log: PushLog,
    db: Database | None = None,
) -> Plan:
    plan = Plan(settings.customer if not items else items[0].customer_name, settings.board_id)
    confirmed = log.confirmed_items()
    group_of = {key: c.group_title or "" for key, c in confirmed.items()}
    needed: set[tuple[str | None, str]] = set()  # (board id, group title)
    for r in items:
        group = r.group_title or ""
        group_of[r.sync_key] = group
        plan.totals[f"item.{r.operation}"] += 1
        plan.per_group[("item", r.operation, group)] += 1
        board = r.board_id or (None if r.board_name else settings.board_id)
        plan.per_board[_board(board, r.board_name, settings.board_id)][f"item.{r.operation}"] += 1
        if r.operation == "create" or r.moves_group:
            needed.add((board, group))
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
        board = s.board_id or (None if s.board_name else settings.board_id)
        plan.per_board[_board(board, s.board_name, settings.board_id)][f"subitem.{s.operation}"] += 1
    known: dict[str | None, dict[str, str]] = {}
    for board, title in needed:
        if board not in known:
            known[board] = log.known_groups(board) if board else {}
        if title and title not in known[board]:
            plan.groups_to_create.append(title)
    plan.groups_to_create = sorted(set(plan.groups_to_create))
    removals = plan.totals.get("item.archive", 0) + plan.totals.get("item.delete", 0)
    if removals:
        live = sum(1 for c in confirmed.values() if c.live)
        plan.notes.append(
            f"archives and deletes {removals} of {live} live items (limit {settings.max_archive_share:.0%}"
            f"{', overridden by --force' if settings.force else ''})"
        )
    unmade = sorted(
        {r.board_name for r in items if r.operation == "create" and not r.board_id and r.board_name}
    )
    if unmade:
        how = (
            "made (or found by name) on the run, boards.auto_create is on"
            if settings.boards.auto_create
            else "boards.auto_create is off: unless the push log already knows them, a run leaves "
            "their rows in the outbox and exits 2 (set boards.auto_create: true, or `python -m pusher "
            "board create`)"
        )
        plan.notes.append(f"{len(unmade)} board(s) not made yet ({', '.join(unmade)}): {how}")
    if db is not None:
        names = {r.board_name for r in items} | {s.board_name for s in subitems}
        plan.capacity = render_plan(read_plan(db, {n for n in names if n}))
    return plan
