"""What planners do to a board by hand that the sync itself never does: delete or rename a group,
duplicate an item. monday's own mutations (``delete_group``, ``update_group``, ``duplicate_item``),
so a test edits a board the way a planner's browser does, through the API."""

from __future__ import annotations

import copy
from typing import Any

from . import columns as cols
from .errors import INVALID_ARGUMENT, MondayError
from .state import SandboxState

GROUP_ATTRIBUTES = ("title", "color", "position", "relative_position_after", "relative_position_before")


def delete_group(state: SandboxState, board_id: Any, group_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Delete a group and every item in it (monday deletes a group's items with it; they count no
    more toward the board's limit). Returns (board, the group as it was)."""
    board = state.board(board_id)
    group = state.group(board, group_id)
    for item in state.board_items(board["id"], group["id"], states=("active", "archived")):
        state.delete_item(item["id"])
    board["groups"].remove(group)
    state.mark_board(board["id"])
    return board, {**group, "deleted": True}


def update_group(
    state: SandboxState, board_id: Any, group_id: str, attribute: str, new_value: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Rename (``title``) or recolour a group; position attributes are accepted and ignored."""
    board = state.board(board_id)
    group = state.group(board, group_id)
    if attribute not in GROUP_ATTRIBUTES:
        raise MondayError(f"unknown group attribute {attribute}", INVALID_ARGUMENT, {"attribute": attribute})
    if attribute == "title":
        if not str(new_value).strip():
            raise MondayError("Group title can't be blank", INVALID_ARGUMENT, {"group_id": group_id})
        group["title"] = str(new_value)
    elif attribute == "color":
        group["color"] = str(new_value)
    state.mark_board(board["id"])
    return board, group


def duplicate_item(state: SandboxState, board_id: Any, item_id: Any) -> dict[str, Any]:
    """A copy of an item with every column value and its subitems (as monday's "Duplicate" does),
    in the same group, named "<name> (copy)"; it counts toward the limits like any item."""
    board = state.board(board_id)
    source = state.item(item_id)
    if source["board_id"] != board["id"] or source["state"] != "active":
        raise MondayError(f"Item {item_id} is not on board {board['id']}", INVALID_ARGUMENT, {})
    values = {cid: copy.deepcopy(v) for cid, v in source["column_values"].items()}
    copy_ = state.create_item(board["id"], f"{source['name']} (copy)", None, source["group_id"])
    _fill(state, copy_, values)
    for sid in list(source["subitem_ids"]):
        sub = state.items[sid]
        if sub["state"] != "active":
            continue
        new = state.create_subitem(copy_["id"], sub["name"])
        _fill(state, new, copy.deepcopy(sub["column_values"]))
    copy_["updated_at"] = cols.now_iso()
    state.mark_item(copy_["id"])
    return copy_


def _fill(state: SandboxState, item: dict[str, Any], values: dict[str, Any]) -> None:
    before = state.index.texts(item, values)
    item["column_values"].update(values)
    state.index.moved(item, before)
