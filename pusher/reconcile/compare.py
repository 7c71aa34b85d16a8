"""The board as it is against what the push log says monday holds: one ``Finding`` per hand edit.

Only items carrying our sync key are looked at, and only the mapped columns: planners' own items
and columns are never drift. Values are compared as monday shows them (``text``): the confirmed
JSON rendered the way monday renders it (the import text form, pusher/bulk/files.py), numbers as
numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pusher.bulk.files import import_text
from pusher.reconcile.board_read import BoardRead, OnBoard
from pusher.store.drift import LoggedItem, LoggedSubitem


@dataclass
class Finding:
    drift_class: str
    entity: str  # item | subitem | group
    board_id: str
    sync_key: str | None
    monday_id: str | None
    detail: str | None = None
    before: str | None = None
    after: str | None = None
    logged: LoggedItem | LoggedSubitem | None = None
    on_board: OnBoard | None = None
    changed: dict[str, str] = field(default_factory=dict)  # column id → the board's text
    subitem_keys: dict[str, str] = field(default_factory=dict)  # an orphan's subitems: monday id → sync key


def same_text(want: str, got: str, column_type: str | None) -> bool:
    if column_type == "numbers":
        try:
            return float(want or "nan") == float(got or "nan") or (want.strip() == got.strip() == "")
        except ValueError:
            pass
    return want.strip() == got.strip()


def changed_columns(
    logged_json: str | None, on_board: OnBoard, types: Mapping[str, str | None], skip: str
) -> dict[str, tuple[str, str]]:
    """column id → (confirmed text, board text) for each mapped column that differs."""
    try:
        values: dict[str, Any] = json.loads(logged_json) if logged_json else {}
    except ValueError:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for cid, ctype in types.items():
        if cid == skip or cid not in values:
            continue
        try:
            want = import_text(values[cid], ctype)
        except ValueError:
            continue
        got = on_board.texts.get(cid, "")
        if not same_text(want, got, ctype):
            out[cid] = (want, got)
    return out


@dataclass
class Comparer:
    """Compares one customer's confirmed state with the boards read (``compare`` per board)."""

    item_types: Mapping[str, str | None]  # mapped item column id → monday type
    subitem_types: Mapping[str, str | None]
    item_key_column: str
    subitem_key_column: str
    ignore_keys: frozenset[str] = frozenset()  # sync keys that are not lines (a setup placeholder)

    def compare(
        self,
        read: BoardRead,
        items: Sequence[LoggedItem],
        subitems: Sequence[LoggedSubitem],
        groups: Mapping[str, str],
        others: frozenset[str],
        our_groups: frozenset[str],
    ) -> tuple[list[Finding], list[LoggedItem]]:
        """Findings on ``read`` for this customer's ``items`` (logged on the board, live or not),
        and the live ones the read did not find (the caller asks monday where they went).
        ``groups``: group id → title the log knows on the board; ``others``: sync keys of other
        customers; ``our_groups``: ids of this customer's groups (an unknown key found in one of
        them is ours)."""
        b = read.board_id
        found: list[Finding] = []
        logged = {i.sync_key: i for i in items}
        by_key: dict[str, list[OnBoard]] = {}
        for item in read.items:
            key = item.texts.get(self.item_key_column, "").strip()
            if key and key not in self.ignore_keys:
                by_key.setdefault(key, []).append(item)
        subs_of: dict[str, list[LoggedSubitem]] = {}
        for s in subitems:
            subs_of.setdefault(s.monday_parent_id or "", []).append(s)

        wanted = {i.monday_group_id for i in items if i.live}
        for gid, title in sorted(groups.items()):
            if gid not in wanted:  # no line of ours is in it: deleted or renamed, it is not drift
                continue
            now = read.groups.get(gid)
            if now is None:
                found.append(Finding("group_deleted", "group", b, title, gid, before=title))
            elif now != title:
                found.append(Finding("group_renamed", "group", b, title, gid, before=title, after=now))

        missing: list[LoggedItem] = []
        for key, mine in logged.items():
            copies = by_key.get(key, [])
            live_copy = next((c for c in copies if mine.live and c.monday_id == mine.monday_id), None)
            if live_copy is not None:
                found += self._item(b, mine, live_copy, subs_of.get(live_copy.monday_id, []))
                for dup in copies:
                    if dup is not live_copy:
                        found.append(self._unknown("item_duplicate", b, key, dup, mine))
                continue
            if mine.live:
                missing.append(mine)
            for n, other in enumerate(copies):  # the first copy takes the line's place, the rest are extra
                found.append(
                    self._unknown(
                        "item_orphan" if n == 0 and mine.live else "item_duplicate", b, key, other, mine
                    )
                )
        for key, copies in sorted(by_key.items()):
            if key in logged or key in others:
                continue
            for n, other in enumerate(copies):
                if other.group_id in our_groups:
                    cls = "item_orphan" if n == 0 else "item_duplicate"
                    found.append(self._unknown(cls, b, key, other, None))
        return found, missing

    def _unknown(self, cls: str, b: str, key: str, item: OnBoard, mine: LoggedItem | None) -> Finding:
        why = "a copy of a line the log knows" if mine is not None else "a sync key the log does not know"
        found = Finding(cls, "item", b, key, item.monday_id, why, None, item.name, mine, item)
        if cls == "item_orphan":  # adopted with the subitems it carries (a copy carries the sizes)
            found.subitem_keys = {
                s.monday_id: s.texts.get(self.subitem_key_column, "").strip() for s in item.subitems
            }
        return found

    def _item(self, b: str, mine: LoggedItem, item: OnBoard, subs: Sequence[LoggedSubitem]) -> list[Finding]:
        out: list[Finding] = []
        if (item.group_title or "") != (mine.group_title or ""):
            # another group, or its own group renamed
            kind = "item_moved" if item.group_id != mine.monday_group_id else "group_renamed"
            out.append(
                Finding(
                    kind,
                    "item",
                    b,
                    mine.sync_key,
                    item.monday_id,
                    "group",
                    mine.group_title,
                    item.group_title,
                    mine,
                    item,
                )
            )
        if mine.item_name is not None and item.name != mine.item_name:
            out.append(
                Finding(
                    "item_renamed",
                    "item",
                    b,
                    mine.sync_key,
                    item.monday_id,
                    "name",
                    mine.item_name,
                    item.name,
                    mine,
                    item,
                )
            )
        for cid, (want, got) in changed_columns(
            mine.column_values, item, self.item_types, self.item_key_column
        ).items():
            out.append(
                Finding(
                    "column_changed",
                    "item",
                    b,
                    mine.sync_key,
                    item.monday_id,
                    cid,
                    want,
                    got,
                    mine,
                    item,
                    {cid: got},
                )
            )
        on_board = {s.monday_id: s for s in item.subitems}
        for sub in subs:
            now = on_board.pop(sub.monday_id or "", None)
            if now is None:
                out.append(
                    Finding(
                        "subitem_deleted",
                        "subitem",
                        b,
                        sub.sync_key,
                        sub.monday_id,
                        None,
                        sub.item_name,
                        None,
                        sub,
                    )
                )
                continue
            diff = changed_columns(sub.column_values, now, self.subitem_types, self.subitem_key_column)
            if sub.item_name is not None and now.name != sub.item_name:
                out.append(
                    Finding(
                        "subitem_changed",
                        "subitem",
                        b,
                        sub.sync_key,
                        sub.monday_id,
                        "name",
                        sub.item_name,
                        now.name,
                        sub,
                        now,
                    )
                )
            for cid, (want, got) in diff.items():
                out.append(
                    Finding(
                        "subitem_changed",
                        "subitem",
                        b,
                        sub.sync_key,
                        sub.monday_id,
                        cid,
                        want,
                        got,
                        sub,
                        now,
                        {cid: got},
                    )
                )
        for extra in on_board.values():
            key = extra.texts.get(self.subitem_key_column) or None
            out.append(
                Finding(
                    "subitem_added",
                    "subitem",
                    b,
                    key,
                    extra.monday_id,
                    f"under {mine.sync_key}",
                    None,
                    extra.name,
                    mine,
                    extra,
                )
            )
        return out


def gone(mine: LoggedItem, state: tuple[str, str | None] | None, board_id: str) -> Finding:
    """A live item the board read did not find, by what monday says of its id."""
    if state is not None and state[0] == "archived":
        cls, after = "item_archived", "archived"
    elif state is not None and state[0] == "active" and state[1] not in (None, board_id):
        cls, after = "item_elsewhere", f"on board {state[1]}"
    else:
        cls, after = "item_deleted", "deleted" if state is not None else "not found"
    return Finding(cls, "item", board_id, mine.sync_key, mine.monday_id, None, "live", after, mine)


def board_missing(board_id: str) -> Finding:
    """A board the push log says holds live items that monday does not return: deleted (it sits
    in monday's trash for 30 days) or out of the token's reach. Reported only: a person decides."""
    return Finding(
        "board_missing",
        "board",
        board_id,
        None,
        board_id,
        "monday returns no such board (deleted, or the token's user cannot see it): restore it from "
        "monday's trash, or share it with the token's user; a board that is gone for good needs a "
        "new board in monday.yml and the log's lines sent again",
        "board",
        "not found",
    )
