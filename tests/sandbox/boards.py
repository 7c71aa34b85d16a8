"""Boards of the sandbox state (created or reconciled from a board spec), and the board-spec loader."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from . import columns as cols
from .board_layout import BoardLayout
from .errors import INVALID_ARGUMENT, INVALID_BOARD_ID, MondayError

ID_START = 5_000_000_000


def _name_column() -> dict[str, Any]:
    return {"id": "name", "title": "Name", "type": "name", "settings": {}, "description": None}


class BoardStore(BoardLayout):
    """Board/column/group half of :class:`~tests.sandbox.state.SandboxState`.

    Besides the boards it keeps what makes big boards cheap: per board the item ids in creation
    order and the number of items counting toward ``max_items_per_board`` (everything not
    deleted), and which boards and items changed since the last save (see ``persist.py``).
    """

    def __init__(self, max_items_per_board: int = 10_000) -> None:
        self.lock = threading.RLock()
        self.max_items_per_board = max_items_per_board
        self.boards: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.counter = ID_START
        self._board_items: dict[str, list[str]] = {}
        self._live_counts: dict[str, int] = {}
        self._dirty_boards: set[str] = set()
        self._dirty_items: set[str] = set()

    # ---------------------------------------------------------- bookkeeping
    def mark_board(self, board_id: str) -> None:
        """Record that a board (columns, groups, labels, name, state) changed."""
        self._dirty_boards.add(board_id)

    def mark_item(self, item_id: str) -> None:
        self._dirty_items.add(item_id)

    def count_items(self, board_id: str) -> int:
        """Items counting toward the per-board cap: active and archived (not deleted)."""
        return self._live_counts.get(board_id, 0)

    def _count(self, board_id: str, delta: int) -> None:
        self._live_counts[board_id] = self._live_counts.get(board_id, 0) + delta

    # ------------------------------------------------------------------ ids
    def next_id(self) -> str:
        self.counter += 1
        return str(self.counter)

    def _bump_counter(self, some_id: str) -> None:
        if some_id.isdigit() and int(some_id) >= self.counter:
            self.counter = int(some_id) + 1

    # --------------------------------------------------------------- boards
    def board(self, board_id: Any) -> dict[str, Any]:
        board = self.boards.get(str(board_id))
        if board is None or board.get("state") == "deleted":
            raise MondayError(
                f"Board not found (board id {board_id})",
                INVALID_BOARD_ID,
                {"board_id": str(board_id)},
            )
        return board

    def create_board(
        self,
        name: str,
        *,
        board_id: str | None = None,
        kind: str = "public",
        columns: list[dict[str, Any]] | None = None,
        groups: list[dict[str, Any]] | None = None,
        subitem_columns: list[dict[str, Any]] | None = None,
        subitem_board_id: str | None = None,
        parent_board_id: str | None = None,
        description: str | None = None,
        workspace_id: str | None = None,
        folder_id: str | None = None,
        created_from_board_id: str | None = None,
    ) -> dict[str, Any]:
        bid = str(board_id) if board_id is not None else self.next_id()
        if bid in self.boards:
            raise MondayError(f"Board {bid} already exists", INVALID_ARGUMENT, {"board_id": bid})
        self._bump_counter(bid)
        board: dict[str, Any] = {
            "id": bid,
            "name": name,
            "kind": kind,
            "state": "active",
            "description": description,
            "type": "sub_items_board" if parent_board_id else "board",
            "columns": [_name_column()],
            "groups": [],
            "subitem_board_id": None,
            "parent_board_id": parent_board_id,
            "workspace_id": None if workspace_id is None else str(workspace_id),
            "folder_id": None if folder_id is None else str(folder_id),
            "created_from_board_id": created_from_board_id,
            "created_at": cols.now_iso(),
        }
        self.boards[bid] = board
        self._board_items[bid] = []
        self.mark_board(bid)
        for g in groups or [{"id": "topics", "title": "Subitems" if parent_board_id else "Group Title"}]:
            self.create_group(bid, g["title"], group_id=g.get("id"), at_top=False)
        for c in columns or []:
            self.add_column_spec(bid, c)
        if subitem_columns is not None or subitem_board_id is not None:
            self.ensure_subitem_board(board, subitem_board_id, subitem_columns or [])
        return board

    def ensure_board(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Create the board described by a board-spec entry, or reconcile it."""
        bid = str(spec["id"]) if spec.get("id") is not None else None
        name = str(spec.get("name") or f"Board {bid or ''}".strip())
        board = (
            self.boards.get(bid)
            if bid
            else next(
                (b for b in self.boards.values() if b["name"] == name and not b["parent_board_id"]),
                None,
            )
        )
        if board is None:
            return self.create_board(
                name,
                board_id=bid,
                kind=spec.get("kind", "public"),
                columns=spec.get("columns") or [],
                groups=spec.get("groups"),
                subitem_columns=spec.get("subitem_columns"),
                subitem_board_id=spec.get("subitem_board_id"),
                description=spec.get("description"),
            )
        board["name"] = name
        board["state"] = "active"
        self.mark_board(board["id"])
        for g in spec.get("groups") or []:
            if not any(x["id"] == g.get("id") for x in board["groups"]):
                self.create_group(board["id"], g["title"], group_id=g.get("id"), at_top=False)
        for c in spec.get("columns") or []:
            self.add_column_spec(board["id"], c)
        if spec.get("subitem_columns") is not None or spec.get("subitem_board_id") is not None:
            self.ensure_subitem_board(board, spec.get("subitem_board_id"), spec.get("subitem_columns") or [])
        return board

    def ensure_subitem_board(
        self,
        board: dict[str, Any],
        subitem_board_id: Any = None,
        subitem_columns: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Return the board's subitems board, creating it (monday does this lazily)."""
        sub_id = board.get("subitem_board_id")
        if sub_id is None and subitem_board_id is not None and str(subitem_board_id) in self.boards:
            sub_id = str(subitem_board_id)
        if sub_id is None:
            sub = self.create_board(
                f"Subitems of {board['name']}",
                board_id=str(subitem_board_id) if subitem_board_id is not None else None,
                parent_board_id=board["id"],
                kind=board.get("kind", "public"),
                workspace_id=board.get("workspace_id"),
                folder_id=board.get("folder_id"),
            )
            sub_id = sub["id"]
        if board.get("subitem_board_id") != sub_id:
            self.mark_board(board["id"])
        board["subitem_board_id"] = sub_id
        if not any(c["type"] == "subtasks" for c in board["columns"]):
            self.mark_board(board["id"])
            board["columns"].insert(
                1,
                {
                    "id": "subitems",
                    "title": "Subitems",
                    "type": "subtasks",
                    "settings": {
                        "allowMultipleItems": True,
                        "itemTypeName": "column.subtasks.title",
                        "displayType": "BOARD_INLINE",
                        "boardIds": [int(sub_id) if sub_id.isdigit() else sub_id],
                    },
                    "description": None,
                },
            )
        for c in subitem_columns or []:
            self.add_column_spec(sub_id, c)
        return self.boards[sub_id]

    def set_board_state(self, board_id: Any, state: str) -> dict[str, Any]:
        """Archive or delete a board (its subitems board goes with it); items stay as they are."""
        board = self.board(board_id)
        for bid in (board["id"], board.get("subitem_board_id")):
            if bid is not None and bid in self.boards:
                self.boards[bid]["state"] = state
                self.mark_board(bid)
        return board


def load_board_spec(source: str | os.PathLike[str] | dict[str, Any] | list[Any]) -> list[dict[str, Any]]:
    """Read a board spec (YAML path, or already-parsed data) into a list of boards."""
    data: Any = source
    if isinstance(source, str | os.PathLike):
        import yaml

        data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("boards", [data] if "name" in data or "id" in data else [])
    if not isinstance(data, list):
        raise ValueError("board spec must be a list of boards or {boards: [...]}")
    return data
