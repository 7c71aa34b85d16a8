"""Read a whole board as it is: every active item (paged with cursors, paced like every request)
with its name, group, the mapped columns and its subitems; and where missing items went."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pusher.monday import operations as ops
from pusher.run.sender import Sender

PAGE = 500  # monday's maximum items_page limit
STATES_CHUNK = 100  # monday's maximum ids for items(ids:)


@dataclass
class OnBoard:
    """An item or subitem as the board shows it: column id → text."""

    monday_id: str
    name: str
    group_id: str | None = None
    group_title: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    subitems: list[OnBoard] = field(default_factory=list)


@dataclass
class BoardRead:
    board_id: str
    groups: dict[str, str] = field(default_factory=dict)  # group id → title
    items: list[OnBoard] = field(default_factory=list)
    requests: int = 0


def _on_board(raw: dict[str, Any]) -> OnBoard:
    group = raw.get("group") or {}
    return OnBoard(
        str(raw["id"]),
        str(raw.get("name") or ""),
        None if group.get("id") is None else str(group["id"]),
        group.get("title"),
        {str(c["id"]): str(c.get("text") or "") for c in raw.get("column_values") or []},
        [_on_board(s) for s in raw.get("subitems") or [] if s and s.get("state") in (None, "active")],
    )


def read_board(
    sender: Sender, board_id: str, columns: Sequence[str], subcolumns: Sequence[str], page: int = PAGE
) -> BoardRead:
    """Every active item of ``board_id``, ``page`` at a time."""
    out = BoardRead(board_id)
    resp = sender.call(ops.read_board_items(board_id, page, columns, subcolumns))
    out.requests += 1
    boards = (resp.data or {}).get("boards") or []
    if not boards or boards[0] is None:
        return out
    out.groups = {str(g["id"]): str(g["title"]) for g in boards[0].get("groups") or []}
    items_page = boards[0].get("items_page") or {}
    while True:
        out.items += [_on_board(i) for i in items_page.get("items") or [] if i]
        cursor = items_page.get("cursor")
        if not cursor:
            return out
        resp = sender.call(ops.read_board_items(board_id, page, columns, subcolumns, cursor))
        out.requests += 1
        items_page = (resp.data or {}).get("next_items_page") or {}


def item_states(sender: Sender, ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """monday id → (state, board id) for the ids monday still knows (archived, deleted, active)."""
    found: dict[str, tuple[str, str | None]] = {}
    for i in range(0, len(ids), STATES_CHUNK):
        resp = sender.call(ops.item_states(ids[i : i + STATES_CHUNK]))
        for item in (resp.data or {}).get("items") or []:
            if item:
                board = (item.get("board") or {}).get("id")
                found[str(item["id"])] = (str(item.get("state") or ""), None if board is None else str(board))
    return found
