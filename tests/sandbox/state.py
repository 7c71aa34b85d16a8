"""In-memory board/item state of the sandbox (persistence in ``persist.py``).

All public methods must be called with ``state.lock`` held when used from
several threads (the HTTP server holds it for a whole request).
"""

from __future__ import annotations

import json
from typing import Any

from . import columns as cols
from .boards import load_board_spec
from .column_render import render_text
from .errors import (
    COLUMN_VALUE,
    INVALID_ITEM_ID,
    ITEM_NAME_TOO_LONG,
    ITEMS_LIMIT,
    MondayError,
)
from .item_index import INDEXED_TYPES, ValueIndex, creation_order
from .persist import Persistence

__all__ = ["SandboxState", "load_board_spec"]
ITEM_NAME_MAX = 255


class SandboxState(Persistence):
    """Boards, columns, groups and items; see ``to_dict`` for the JSON layout."""

    def __init__(self, max_items_per_board: int = 10_000) -> None:
        self.index = ValueIndex(self.column_text)
        super().__init__(max_items_per_board)

    # ---------------------------------------------------------------- items
    def item(self, item_id: Any, *, allow_deleted: bool = False) -> dict[str, Any]:
        item = self.items.get(str(item_id))
        if item is None or (item["state"] == "deleted" and not allow_deleted):
            raise MondayError(
                f"Item not found (item id {item_id})", INVALID_ITEM_ID, {"item_id": str(item_id)}
            )
        return item

    def board_items(
        self, board_id: str, group_id: str | None = None, states: tuple[str, ...] = ("active",)
    ) -> list[dict[str, Any]]:
        out = []
        for iid in self._board_items.get(board_id, []):
            item = self.items[iid]
            if item["state"] in states and (group_id is None or item["group_id"] == group_id):
                out.append(item)
        return out

    def find_by_values(
        self, board_id: str, by_values: list[dict[str, Any]], group_id: str | None = None
    ) -> list[dict[str, Any]] | None:
        """Active items matching every ``{column_id, column_values}`` (any of the values), in
        creation order, through the value index; None when no column in it is indexable."""
        board = self.boards[board_id]
        found: set[str] | None = None
        for spec in by_values:
            cid = str(spec["column_id"])
            if self.column(board, cid)["type"] not in INDEXED_TYPES:
                continue
            raw = spec.get("column_values")
            wanted = [
                str(v) for v in (raw if isinstance(raw, list | tuple) else [raw] if raw is not None else [])
            ]
            ids = self.index.lookup(board_id, cid, wanted, self._board_items.get(board_id, []), self.items)
            found = ids if found is None else found & ids
        if found is None:
            return None
        out = []
        for iid in sorted(found, key=creation_order):
            item = self.items[iid]
            if item["state"] == "active" and (group_id is None or item["group_id"] == group_id):
                out.append(item)
        return out

    @staticmethod
    def check_name(name: Any) -> str:
        if not isinstance(name, str) or not name.strip() or len(name) > ITEM_NAME_MAX:
            length = len(name) if isinstance(name, str) else 0
            raise MondayError(
                f"Item name must be between 1 and {ITEM_NAME_MAX} characters (got {length})",
                ITEM_NAME_TOO_LONG,
                {"item_name_length": length},
            )
        return name

    @staticmethod
    def parse_column_values(raw: Any) -> dict[str, Any]:
        """Decode the ``column_values`` argument (JSON string or object)."""
        if raw is None or raw == "":
            return {}
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise MondayError(
                    f"column_values is not valid JSON: {exc.msg}",
                    COLUMN_VALUE,
                    {"column_values": raw[:200]},
                ) from None
        if not isinstance(raw, dict):
            raise MondayError("column_values must be a JSON object", COLUMN_VALUE, {})
        return raw

    def _plan_values(
        self, board: dict[str, Any], values: dict[str, Any], create_labels: bool
    ) -> tuple[str | None, dict[str, Any], list[cols.Commit]]:
        """Validate every value first, so a bad one changes nothing."""
        new_name: str | None = None
        planned: dict[str, Any] = {}
        commits: list[cols.Commit] = []
        for cid, raw in values.items():
            if cid == "name":
                new_name = self.check_name(raw)
                continue
            column = self.column(board, cid)
            stored, commit = cols.normalize(column, raw, bool(create_labels))
            planned[cid] = stored
            if commit is not None:
                commits.append(commit)
        return new_name, planned, commits

    def _apply(
        self, item: dict[str, Any], name: str | None, planned: dict[str, Any], commits: list[cols.Commit]
    ) -> None:
        before = self.index.texts(item, [*planned, *(["name"] if name is not None else [])])
        for commit in commits:
            commit()
        if commits:
            self.mark_board(item["board_id"])
        if name is not None:
            item["name"] = name
        for cid, stored in planned.items():
            if stored is None:
                item["column_values"].pop(cid, None)
            else:
                item["column_values"][cid] = stored
        item["updated_at"] = cols.now_iso()
        self.index.moved(item, before)
        self.mark_item(item["id"])

    def _new_item(
        self,
        board: dict[str, Any],
        name: Any,
        column_values: Any,
        group_id: str | None,
        create_labels: bool,
        parent_item_id: str | None = None,
    ) -> dict[str, Any]:
        self.check_name(name)
        values = self.parse_column_values(column_values)
        group = self.group(board, group_id)
        new_name, planned, commits = self._plan_values(board, values, create_labels)
        if self.max_items_per_board and self.count_items(board["id"]) >= self.max_items_per_board:
            raise MondayError(
                f"You have exceeded the limit of {self.max_items_per_board:,} items per board",
                ITEMS_LIMIT,
                {"board_id": board["id"], "limit": self.max_items_per_board},
            )
        now = cols.now_iso()
        item: dict[str, Any] = {
            "id": self.next_id(),
            "board_id": board["id"],
            "group_id": group["id"],
            "name": name,
            "column_values": {},
            "state": "active",
            "parent_item_id": parent_item_id,
            "subitem_ids": [],
            "created_at": now,
            "updated_at": now,
        }
        self.items[item["id"]] = item
        self._board_items.setdefault(board["id"], []).append(item["id"])
        self._count(board["id"], 1)
        self.index.added(item)
        self._apply(item, new_name, planned, commits)
        return item

    def insert_item(self, item: dict[str, Any]) -> None:
        """Add a fully formed item (a copy made by ``duplicate_board``)."""
        self._put_item(item)
        self.index.added(item)
        self.mark_item(item["id"])

    def create_item(
        self,
        board_id: Any,
        item_name: Any,
        column_values: Any = None,
        group_id: str | None = None,
        create_labels: bool = False,
    ) -> dict[str, Any]:
        return self._new_item(self.board(board_id), item_name, column_values, group_id, create_labels)

    def create_subitem(
        self, parent_item_id: Any, item_name: Any, column_values: Any = None, create_labels: bool = False
    ) -> dict[str, Any]:
        parent = self.item(parent_item_id)
        if parent.get("parent_item_id"):
            raise MondayError("Subitems can't have subitems", INVALID_ITEM_ID, {"item_id": parent["id"]})
        sub_board = self.ensure_subitem_board(self.board(parent["board_id"]))
        item = self._new_item(sub_board, item_name, column_values, None, create_labels, parent["id"])
        parent["subitem_ids"].append(item["id"])
        self.mark_item(parent["id"])
        return item

    def change_column_values(
        self, board_id: Any, item_id: Any, column_values: Any, create_labels: bool = False
    ) -> dict[str, Any]:
        board = self.board(board_id)
        item = self.item(item_id)
        if item["board_id"] != board["id"]:
            raise MondayError(
                f"Item {item['id']} does not belong to board {board['id']}",
                INVALID_ITEM_ID,
                {"item_id": item["id"], "board_id": board["id"]},
            )
        values = self.parse_column_values(column_values)
        name, planned, commits = self._plan_values(board, values, create_labels)
        self._apply(item, name, planned, commits)
        return item

    def archive_item(self, item_id: Any) -> dict[str, Any]:
        item = self.item(item_id)
        item["state"] = "archived"
        item["updated_at"] = cols.now_iso()
        self.mark_item(item["id"])
        return item

    def delete_item(self, item_id: Any) -> dict[str, Any]:
        item = self.item(item_id)
        for one in [item, *(self.items[s] for s in item["subitem_ids"])]:
            if one["state"] != "deleted":
                self._count(one["board_id"], -1)
            one["state"] = "deleted"
            self.mark_item(one["id"])
        item["updated_at"] = cols.now_iso()
        return item

    def move_item_to_group(self, item_id: Any, group_id: str) -> dict[str, Any]:
        item = self.item(item_id)
        group = self.group(self.board(item["board_id"]), group_id)
        item["group_id"] = group["id"]
        item["updated_at"] = cols.now_iso()
        self.mark_item(item["id"])
        return item

    def column_text(self, item: dict[str, Any], column_id: str) -> str:
        if column_id == "name":
            return str(item["name"])
        board = self.boards[item["board_id"]]
        column = self.column(board, column_id)
        if column["type"] == "subtasks":
            return ", ".join(
                self.items[s]["name"] for s in item["subitem_ids"] if self.items[s]["state"] == "active"
            )
        return render_text(column, item["column_values"].get(column_id))
