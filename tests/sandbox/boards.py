"""Boards, columns and groups of the sandbox state, and the board-spec loader."""

from __future__ import annotations

import copy
import os
import re
import threading
from pathlib import Path
from typing import Any

from . import columns as cols
from .errors import (
    INVALID_ARGUMENT,
    INVALID_BOARD_ID,
    INVALID_COLUMN_ID,
    INVALID_GROUP_ID,
    MondayError,
)

ID_START = 5_000_000_000
_COLUMN_ID_RE = re.compile(r"^[a-z0-9_]{1,40}$")
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _B36[r] + out
    return out or "0"


def _name_column() -> dict[str, Any]:
    return {"id": "name", "title": "Name", "type": "name", "settings": {}, "description": None}


class BoardStore:
    """Board/column/group half of :class:`~tests.sandbox.state.SandboxState`."""

    def __init__(self, max_items_per_board: int = 10_000) -> None:
        self.lock = threading.RLock()
        self.max_items_per_board = max_items_per_board
        self.boards: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.counter = ID_START
        self._board_items: dict[str, list[str]] = {}

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
            "created_at": cols.now_iso(),
        }
        self.boards[bid] = board
        self._board_items[bid] = []
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
            )
            sub_id = sub["id"]
        board["subitem_board_id"] = sub_id
        if not any(c["type"] == "subtasks" for c in board["columns"]):
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

    # -------------------------------------------------------------- columns
    def add_column_spec(self, board_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Add a column from a spec dict unless a column with its id exists."""
        board = self.board(board_id)
        cid = spec.get("id")
        existing = next((c for c in board["columns"] if cid and c["id"] == cid), None)
        if existing is not None:
            self._merge_labels(existing, spec.get("labels"))
            return existing
        return self.add_column(
            board_id,
            str(spec.get("title") or cid),
            str(spec.get("type", "text")),
            column_id=cid,
            labels=spec.get("labels"),
            settings=spec.get("settings"),
            description=spec.get("description"),
            validate_id=False,
        )

    @staticmethod
    def _merge_labels(column: dict[str, Any], labels: Any) -> None:
        if not labels:
            return
        settings = column.setdefault("settings", {})
        if column["type"] == "status":
            have = settings.setdefault("labels", {})
            for lab in labels:
                if lab not in have.values():
                    nxt = max((int(i) for i in have), default=-1) + 1
                    have[str(nxt if nxt != 5 else 6)] = lab
        elif column["type"] == "dropdown":
            have_list = settings.setdefault("labels", [])
            for lab in labels:
                if all(o["name"] != lab for o in have_list):
                    have_list.append({"id": max((o["id"] for o in have_list), default=0) + 1, "name": lab})

    def add_column(
        self,
        board_id: Any,
        title: str,
        col_type: str,
        *,
        column_id: str | None = None,
        labels: Any = None,
        settings: dict[str, Any] | None = None,
        description: str | None = None,
        after_column_id: str | None = None,
        validate_id: bool = True,
    ) -> dict[str, Any]:
        board = self.board(board_id)
        if column_id is None:
            column_id = f"{col_type}_mk{_b36(self.counter)}"
            self.counter += 1
        elif validate_id and not _COLUMN_ID_RE.match(column_id):
            raise MondayError(f"Invalid column id {column_id!r}", INVALID_ARGUMENT, {"column_id": column_id})
        if any(c["id"] == column_id for c in board["columns"]):
            raise MondayError(
                f"Column id {column_id!r} already exists on board",
                INVALID_ARGUMENT,
                {"column_id": column_id},
            )
        column = {
            "id": column_id,
            "title": title,
            "type": col_type,
            "settings": copy.deepcopy(settings) if settings else cols.make_settings(col_type, labels),
            "description": description,
        }
        pos = len(board["columns"])
        if after_column_id is not None:
            idx = next((i for i, c in enumerate(board["columns"]) if c["id"] == after_column_id), None)
            if idx is not None:
                pos = idx + 1
        board["columns"].insert(pos, column)
        return column

    def column(self, board: dict[str, Any], column_id: str) -> dict[str, Any]:
        for c in board["columns"]:
            if c["id"] == column_id:
                return c
        raise MondayError(
            "This column ID doesn't exist for the board",
            INVALID_COLUMN_ID,
            {"column_id": column_id, "board_id": board["id"]},
        )

    # --------------------------------------------------------------- groups
    def create_group(
        self,
        board_id: Any,
        title: str,
        *,
        group_id: str | None = None,
        relative_to: str | None = None,
        after: bool = True,
        at_top: bool = True,
    ) -> dict[str, Any]:
        board = self.board(board_id)
        gid = group_id or f"group_mk{_b36(self.counter)}"
        if group_id is None:
            self.counter += 1
        if any(g["id"] == gid for g in board["groups"]):
            raise MondayError(f"Group {gid} already exists", INVALID_ARGUMENT, {"group_id": gid})
        group = {"id": gid, "title": title, "color": "#579bfc", "archived": False}
        groups = board["groups"]
        if relative_to is not None:
            idx = next((i for i, g in enumerate(groups) if g["id"] == relative_to), None)
            if idx is None:
                raise self._no_group(board, relative_to)
            groups.insert(idx + 1 if after else idx, group)
        elif at_top:
            groups.insert(0, group)  # monday creates new groups at the top
        else:
            groups.append(group)
        return group

    @staticmethod
    def _no_group(board: dict[str, Any], group_id: str) -> MondayError:
        return MondayError(
            f"Group not found (group id {group_id})",
            INVALID_GROUP_ID,
            {"group_id": group_id, "board_id": board["id"]},
        )

    def group(self, board: dict[str, Any], group_id: str | None) -> dict[str, Any]:
        if group_id is None:
            if not board["groups"]:
                return self.create_group(board["id"], "Group Title", group_id="topics")
            return board["groups"][0]
        for g in board["groups"]:
            if g["id"] == group_id:
                return g
        raise self._no_group(board, group_id)


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
