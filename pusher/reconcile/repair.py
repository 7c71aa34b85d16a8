"""``--repair``: findings → push-log rows the state models already read, so the outbox re-emits
exactly what puts the board back (docs/CONTRACT.md, "Reconcile"). Every row is an ``outcome`` /
``ok`` of this run with ``idempotency_key`` ``reconcile:<class>``; none is an intent, so nothing is
replayed.

- item deleted / archived: operation ``delete`` / ``archive`` → not live (archived still counts on
  its board, deleted does not), the outbox creates the line again with its subitems (their logged
  parent is no longer the live item, so they count as absent);
- item moved, renamed, columns changed (and its group renamed): one ``update`` with the group,
  name and column texts the board shows and a payload hash no line has → the outbox emits an
  update: the changed columns, the name and the move back;
- subitem deleted: ``delete`` → created again; subitem changed: ``update`` with the board's texts
  → its JSON differs from what would be sent → updated;
- item duplicate: ``adopt`` under ``<key>#duplicate:<id>``, a key no line has → the outbox archives
  it as vanished (``sync.on_cancel: archive``);
- item orphan (our key, the log knows no live item for it): ``adopt`` under its key → updated to
  the source, archived when the source no longer has it; its subitems are adopted with it (under
  their own key when it is one of the line's sizes, else as added by hand), so a planner's copy of
  a deleted item keeps its sizes instead of getting them a second time;
- subitem added by hand under our item: ``adopt`` under ``<parent>|<name>#added:<id>``, a size no
  line has → the outbox deletes it (leave it out of ``reconcile.repair`` to let planners add some);
- group deleted: nothing to log: a create into it finds no such group on the board and makes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from pusher.reconcile.compare import Finding
from pusher.store.drift import LoggedItem, LoggedSubitem
from pusher.store.push_log import LogEvent

ITEM_UPDATE_CLASSES = ("item_moved", "group_renamed", "item_renamed", "column_changed")


def drift_hash(*parts: str | None) -> str:
    """A payload hash no source line has: the outbox sees the item as changed."""
    return hashlib.sha256("\x1f".join(["reconcile", *(p or "" for p in parts)]).encode("utf-8")).hexdigest()


def _values(logged_json: str | None, changed: dict[str, str]) -> str | None:
    try:
        values = json.loads(logged_json) if logged_json else {}
    except ValueError:
        values = {}
    values.update(changed)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _event(cls: str, entity: str, key: str, operation: str, board_id: str, **fields: object) -> LogEvent:
    ev = LogEvent(entity, key, operation, "outcome", "ok", board_id=board_id, **fields)  # type: ignore[arg-type]
    ev.idempotency_key = f"reconcile:{cls}"[:64]
    return ev


def _adopt_subitems(f: Finding, key: str, run_id: str) -> list[LogEvent]:
    """An orphan's subitems, adopted with it: under their sync key when it is one of this line's
    sizes (the outbox then updates, keeps or deletes each as the source says), else under a size no
    line has (deleted). Without this a copy's sizes would be created a second time beside its own."""
    assert f.on_board is not None
    out: list[LogEvent] = []
    seen: set[str] = set()
    for sub in f.on_board.subitems:
        sub_key = f.subitem_keys.get(sub.monday_id, "")
        if not sub_key.startswith(key + "|") or sub_key in seen:
            sub_key = f"{key}|{sub.name}#added:{sub.monday_id}"
        seen.add(sub_key)
        out.append(
            _event(
                "item_orphan",
                "subitem",
                sub_key,
                "adopt",
                f.board_id,
                parent_sync_key=key,
                payload_hash=drift_hash(run_id, sub_key),
                item_name=sub.name,
                column_values=json.dumps(sub.texts, ensure_ascii=False, separators=(",", ":")),
                monday_id=sub.monday_id,
                monday_parent_id=f.on_board.monday_id,
            )
        )
    return out


def repair_events(findings: Sequence[Finding], classes: Iterable[str], run_id: str) -> list[LogEvent]:
    """The push-log rows for the findings whose class is repaired (``reconcile.repair``)."""
    allowed = set(classes)
    events: list[LogEvent] = []
    updates: dict[str, list[Finding]] = {}
    adopted: set[str] = set()
    for f in findings:
        if f.drift_class not in allowed:
            continue
        if f.drift_class in ITEM_UPDATE_CLASSES and f.entity == "item":
            updates.setdefault(f.sync_key or "", []).append(f)
        elif f.drift_class in ("item_deleted", "item_archived") and isinstance(f.logged, LoggedItem):
            m = f.logged
            if m.sync_key in adopted:
                continue  # a copy on the board takes its place (item_orphan)
            events.append(
                _event(
                    f.drift_class,
                    "item",
                    m.sync_key,
                    "delete" if f.drift_class == "item_deleted" else "archive",
                    f.board_id,
                    payload_hash=m.payload_hash,
                    group_title=m.group_title,
                    item_name=m.item_name,
                    column_values=m.column_values,
                    monday_id=m.monday_id,
                    monday_group_id=m.monday_group_id,
                )
            )
        elif f.drift_class in ("item_duplicate", "item_orphan") and f.on_board is not None:
            item = f.on_board
            key = f.sync_key or ""
            if f.drift_class == "item_duplicate":
                key = f"{key}#duplicate:{item.monday_id}"
            else:
                adopted.add(key)
                events = [e for e in events if not (e.entity == "item" and e.sync_key == key)]
            events.append(
                _event(
                    f.drift_class,
                    "item",
                    key,
                    "adopt",
                    f.board_id,
                    payload_hash=drift_hash(run_id, key),
                    group_title=item.group_title,
                    item_name=item.name,
                    column_values=json.dumps(item.texts, ensure_ascii=False, separators=(",", ":")),
                    monday_id=item.monday_id,
                    monday_group_id=item.group_id,
                )
            )
            if f.drift_class == "item_orphan":
                events += _adopt_subitems(f, key, run_id)
        elif f.drift_class == "subitem_deleted" and isinstance(f.logged, LoggedSubitem):
            s = f.logged
            events.append(
                _event(
                    f.drift_class,
                    "subitem",
                    s.sync_key,
                    "delete",
                    f.board_id,
                    parent_sync_key=s.parent_sync_key,
                    payload_hash=s.payload_hash,
                    item_name=s.item_name,
                    column_values=s.column_values,
                    monday_id=s.monday_id,
                    monday_parent_id=s.monday_parent_id,
                )
            )
        elif f.drift_class == "subitem_added" and isinstance(f.logged, LoggedItem) and f.on_board is not None:
            parent, sub = f.logged, f.on_board
            key = f"{parent.sync_key}|{sub.name}#added:{sub.monday_id}"
            events.append(
                _event(
                    f.drift_class,
                    "subitem",
                    key,
                    "adopt",
                    f.board_id,
                    parent_sync_key=parent.sync_key,
                    payload_hash=drift_hash(run_id, key),
                    item_name=sub.name,
                    column_values=json.dumps(sub.texts, ensure_ascii=False, separators=(",", ":")),
                    monday_id=sub.monday_id,
                    monday_parent_id=parent.monday_id,
                )
            )
        elif f.drift_class == "subitem_changed" and isinstance(f.logged, LoggedSubitem):
            updates.setdefault("subitem:" + f.logged.sync_key, []).append(f)
    for key, group in updates.items():
        first = group[0]
        changed: dict[str, str] = {}
        for f in group:
            changed.update(f.changed)
        if isinstance(first.logged, LoggedSubitem):
            s = first.logged
            events.append(
                _event(
                    "subitem_changed",
                    "subitem",
                    s.sync_key,
                    "update",
                    first.board_id,
                    parent_sync_key=s.parent_sync_key,
                    payload_hash=drift_hash(run_id, s.sync_key),
                    item_name=s.item_name,
                    column_values=_values(s.column_values, changed),
                    monday_id=s.monday_id,
                    monday_parent_id=s.monday_parent_id,
                )
            )
            continue
        m = first.logged
        assert isinstance(m, LoggedItem) and first.on_board is not None
        item = first.on_board
        moved = any(f.drift_class in ("item_moved", "group_renamed") for f in group)
        renamed = any(f.drift_class == "item_renamed" for f in group)
        events.append(
            _event(
                "+".join(sorted({f.drift_class for f in group})),
                "item",
                key,
                "update",
                first.board_id,
                payload_hash=drift_hash(run_id, key),
                group_title=item.group_title if moved else m.group_title,
                item_name=item.name if renamed else m.item_name,
                column_values=_values(m.column_values, changed),
                monday_id=m.monday_id,
                monday_group_id=item.group_id if moved else m.monday_group_id,
            )
        )
    return events
