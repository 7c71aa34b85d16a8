"""The monday boards as one run needs them: checked once, groups by title, missing groups created."""

from __future__ import annotations

from collections.abc import Iterable

from . import operations as ops_mod
from .batches import Sender, group_hash
from .config import Settings
from .errors import ConfigError
from .operations import Op
from .writeback import PushLog


class Boards:
    def __init__(self, settings: Settings, sender: Sender, push_log: PushLog) -> None:
        self.s = settings
        self.sender = sender
        self.log = push_log
        self.groups: dict[str, str] = {}  # title → group id on the item board (first active one)
        self.items_count: dict[str, int | None] = {}  # board id → items_count from the read

    def read(self) -> None:
        """One read of the item (and subitems) board: both exist, both carry the sync-key column."""
        ids = [self.s.board_id] + ([self.s.subitem_board_id] if self.s.subitem_board_id else [])
        resp = self.sender.call(ops_mod.read_board(ids))
        boards = {str(b["id"]): b for b in (resp.data or {}).get("boards") or [] if b}
        for bid, column, what in (
            (self.s.board_id, self.s.item_sync_key_column, "board"),
            (self.s.subitem_board_id, self.s.subitem_sync_key_column, "subitems board"),
        ):
            if bid is None:
                continue
            board = boards.get(bid)
            if board is None:
                raise ConfigError(f"monday {what} {bid} not found or not accessible with this token")
            if column not in {c.get("id") for c in board.get("columns") or []}:
                raise ConfigError(f"{what} {bid} has no sync-key column {column!r} (see monday.yml)")
            count = board.get("items_count")
            self.items_count[bid] = int(count) if str(count).isdigit() else None
        for group in boards[self.s.board_id].get("groups") or []:
            if not group.get("archived") and not group.get("deleted"):
                self.groups.setdefault(group["title"], str(group["id"]))

    def group_id(self, title: str | None) -> str | None:
        return self.groups.get(title or "")

    def ensure_groups(self, titles: Iterable[str]) -> None:
        """Adopt a group with the same title (logged once), else create it (one batched request)."""
        known = self.log.known_groups(self.s.board_id)
        missing: list[Op] = []
        for title in sorted(set(titles)):
            op = Op("group", "create", title, payload_hash=group_hash(title), group_title=title)
            gid = self.groups.get(title)
            if gid is None:
                missing.append(op)
            elif known.get(title) != gid:
                self.sender.record_ok_without_request(op, "adopt", self.s.board_id, gid, monday_group_id=gid)
        board = self.s.board_id
        for op, res in self.sender.send("create_group", missing, board, board):
            if res.status == "ok" and res.monday_id:
                self.groups[op.group_title or ""] = res.monday_id
