"""Boards made through the API: ``create_board`` (its default items) and ``duplicate_board``.

``duplicate_board`` copies the board's columns (same ids, titles, types, settings such as status
and dropdown labels, same order), its groups (same ids, titles and colours: group ids are only
unique within a board and monday keeps them on a duplicate) and its subitems board with that
board's columns and groups. ``duplicate_board_with_structure`` copies no items; the two
``*_with_pulses*`` types copy the items that are not deleted, with their subitems (the sandbox
has no updates to copy). The copy is made at once, so ``is_async`` is always false.
"""

from __future__ import annotations

import copy
from typing import Any

from . import columns as cols
from .errors import INVALID_ARGUMENT, INVALID_BOARD_ID, MondayError
from .state import SandboxState

DEFAULT_ITEM_NAMES = ("Item 1", "Item 2", "Item 3")
DUPLICATE_TYPES = (
    "duplicate_board_with_structure",
    "duplicate_board_with_pulses",
    "duplicate_board_with_pulses_and_updates",
)


def create_board(
    state: SandboxState,
    name: str,
    *,
    kind: str = "public",
    description: str | None = None,
    workspace_id: Any = None,
    folder_id: Any = None,
    empty: bool = False,
) -> dict[str, Any]:
    """A new board with the default group; unless ``empty``, with monday's default items in it."""
    if not isinstance(name, str) or not name.strip():
        raise MondayError("Board name can't be empty", INVALID_ARGUMENT, {"board_name": name})
    board = state.create_board(
        name, kind=kind, description=description, workspace_id=workspace_id, folder_id=folder_id
    )
    if not empty:
        for item_name in DEFAULT_ITEM_NAMES:
            state.create_item(board["id"], item_name)
    return board


def _copy_groups(source: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": g["id"], "title": g["title"]} for g in source["groups"]]


def _copy_layout(source: dict[str, Any], target: dict[str, Any], sub_id: str | None) -> None:
    """Columns (ids, order, settings) and group colours of ``source`` onto ``target``."""
    columns = []
    for column in source["columns"]:
        new = copy.deepcopy(column)
        if new["type"] == "subtasks":
            if sub_id is None:
                continue
            new["settings"]["boardIds"] = [int(sub_id) if sub_id.isdigit() else sub_id]
        columns.append(new)
    target["columns"] = columns
    colours = {g["id"]: g.get("color") for g in source["groups"]}
    for group in target["groups"]:
        group["color"] = colours.get(group["id"]) or group["color"]


def duplicate_board(
    state: SandboxState,
    board_id: Any,
    duplicate_type: str,
    *,
    name: str | None = None,
    workspace_id: Any = None,
    folder_id: Any = None,
) -> dict[str, Any]:
    """The new board (see the module docstring for what is copied)."""
    source = state.board(board_id)
    if source.get("parent_board_id"):
        raise MondayError(
            "A subitems board can't be duplicated on its own", INVALID_BOARD_ID, {"board_id": source["id"]}
        )
    if duplicate_type not in DUPLICATE_TYPES:
        raise MondayError(f"Unknown duplicate_type {duplicate_type}", INVALID_ARGUMENT, {})
    where = {
        "workspace_id": source.get("workspace_id") if workspace_id is None else str(workspace_id),
        "folder_id": source.get("folder_id") if folder_id is None else str(folder_id),
    }
    new_name = name if name else f"Duplicate of {source['name']}"
    board = state.create_board(
        new_name,
        kind=source.get("kind", "public"),
        description=source.get("description"),
        groups=_copy_groups(source),
        created_from_board_id=source["id"],
        **where,
    )
    source_sub = state.boards.get(source.get("subitem_board_id") or "")
    sub = None
    if source_sub is not None:
        sub = state.create_board(
            f"Subitems of {new_name}",
            kind=board["kind"],
            groups=_copy_groups(source_sub),
            parent_board_id=board["id"],
            created_from_board_id=source_sub["id"],
            **where,
        )
        _copy_layout(source_sub, sub, None)
        board["subitem_board_id"] = sub["id"]
    _copy_layout(source, board, sub["id"] if sub else None)
    if duplicate_type != "duplicate_board_with_structure":
        _copy_items(state, source, board, sub)
    return board


def _clone(state: SandboxState, item: dict[str, Any], board_id: str, parent_id: str | None) -> dict[str, Any]:
    now = cols.now_iso()
    new = {
        **copy.deepcopy(item),
        "id": state.next_id(),
        "board_id": board_id,
        "parent_item_id": parent_id,
        "subitem_ids": [],
        "created_at": now,
        "updated_at": now,
    }
    state.insert_item(new)
    return new


def _copy_items(
    state: SandboxState, source: dict[str, Any], board: dict[str, Any], sub: dict[str, Any] | None
) -> None:
    for item in state.board_items(source["id"], states=("active", "archived")):
        new = _clone(state, item, board["id"], None)
        if sub is None:
            continue
        for sid in item["subitem_ids"]:
            subitem = state.items[sid]
            if subitem["state"] != "deleted":
                new["subitem_ids"].append(_clone(state, subitem, sub["id"], new["id"])["id"])
