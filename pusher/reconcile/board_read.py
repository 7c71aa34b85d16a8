"""Read a whole board as it is: every active item (paged with cursors, paced like every request)
with its name, group and the mapped columns, then every active subitem from the subitems board
(with its parent), and where missing items went.

Subitems are read from their own board, not nested under the items: monday prices a nested list
that has no limit as 1,000 elements, so ``subitems`` under a page of 500 items would cost ~9.5M
points, past the 5M a single query may cost (tests/sandbox/README.md, "Read complexity"; README,
``make bench-reconcile``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pusher.boards.setup import subitems_board_of
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
    found: bool = True  # False: monday has no such board (deleted, or the token cannot see it)
    groups: dict[str, str] = field(default_factory=dict)  # group id → title
    items: list[OnBoard] = field(default_factory=list)
    subitem_board_id: str | None = None
    requests: int = 0


def _on_board(raw: dict[str, Any]) -> OnBoard:
    group = raw.get("group") or {}
    return OnBoard(
        str(raw["id"]),
        str(raw.get("name") or ""),
        None if group.get("id") is None else str(group["id"]),
        group.get("title"),
        {str(c["id"]): str(c.get("text") or "") for c in raw.get("column_values") or []},
    )


def _pages(sender: Sender, first: ops.Request, next_page: Any, out: BoardRead) -> Iterator[dict[str, Any]]:
    """Every item of the pages a first request starts (``None`` first: the board is gone)."""
    resp = sender.call(first)
    out.requests += 1
    boards = (resp.data or {}).get("boards") or []
    if not boards or boards[0] is None:
        out.found = False
        return
    page = boards[0]
    yield {"board": page}
    items_page = page.get("items_page") or {}
    while True:
        for raw in items_page.get("items") or []:
            if raw and raw.get("state") in (None, "active"):
                yield raw
        cursor = items_page.get("cursor")
        if not cursor:
            return
        resp = sender.call(next_page(cursor))
        out.requests += 1
        items_page = (resp.data or {}).get("next_items_page") or {}


def read_board(
    sender: Sender, board_id: str, columns: Sequence[str], subcolumns: Sequence[str], page: int = PAGE
) -> BoardRead:
    """Every active item of ``board_id`` and its active subitems, ``page`` at a time."""
    out = BoardRead(board_id)
    for raw in _pages(
        sender,
        ops.read_board_items(board_id, page, columns),
        lambda c: ops.read_board_items(board_id, page, columns, c),
        out,
    ):
        if "board" in raw:
            out.groups = {str(g["id"]): str(g["title"]) for g in raw["board"].get("groups") or []}
            out.subitem_board_id = subitems_board_of(raw["board"].get("columns") or [])
        else:
            out.items.append(_on_board(raw))
    if not out.found or out.subitem_board_id is None:
        return out
    parents = {i.monday_id: i for i in out.items}
    sub_board, subs = out.subitem_board_id, BoardRead(out.subitem_board_id)
    for raw in _pages(
        sender,
        ops.read_board_subitems(sub_board, page, subcolumns),
        lambda c: ops.read_board_subitems(sub_board, page, subcolumns, c),
        subs,
    ):
        parent = parents.get(str((raw.get("parent_item") or {}).get("id")))
        if parent is not None and "board" not in raw:
            parent.subitems.append(_on_board(raw))
    out.requests += subs.requests
    return out


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
