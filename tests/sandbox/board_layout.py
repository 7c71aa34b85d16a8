"""Columns and groups on the sandbox's boards: adding, reconciling labels, looking up."""

from __future__ import annotations

import copy
import re
from typing import Any

from . import columns as cols
from .errors import INVALID_ARGUMENT, INVALID_COLUMN_ID, INVALID_GROUP_ID, MondayError

_COLUMN_ID_RE = re.compile(r"^[a-z0-9_]{1,40}$")
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _B36[r] + out
    return out or "0"


class BoardLayout:
    """Column/group part of :class:`~tests.sandbox.boards.BoardStore`, which supplies
    the board lookup and the id counter that new column and group ids are drawn from."""

    counter: int

    def board(self, board_id: Any) -> dict[str, Any]:
        raise NotImplementedError

    def mark_board(self, board_id: str) -> None:
        raise NotImplementedError

    # -------------------------------------------------------------- columns
    def add_column_spec(self, board_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Add a column from a spec dict unless a column with its id exists."""
        board = self.board(board_id)
        cid = spec.get("id")
        existing = next((c for c in board["columns"] if cid and c["id"] == cid), None)
        if existing is not None:
            self._merge_labels(existing, spec.get("labels"))
            self.mark_board(board["id"])
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
        self.mark_board(board["id"])
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
        self.mark_board(board["id"])
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
