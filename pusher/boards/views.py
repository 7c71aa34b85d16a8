"""The monday boards as one run needs them: read once, groups by title, missing groups created.

A customer's lines may sit on many boards (routes, overflow: docs/CONTRACT.md, issue 10); each
board and its subitems board is read once per run (sync-key column, groups, items_count).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pusher.errors import ConfigError
from pusher.monday import operations as ops_mod
from pusher.monday.operations import Op
from pusher.run.context import RunContext
from pusher.run.sender import group_hash

READ_CHUNK = 25  # monday's boards(ids:) answers at most 25 boards unless told otherwise


@dataclass
class BoardView:
    """One item board (and its subitems board) as the read found it."""

    board_id: str
    subitem_board_id: str | None = None
    name: str | None = None
    items_count: int | None = None
    subitems_count: int | None = None
    groups: dict[str, str] = field(default_factory=dict)  # title → group id (first active one)


def _count(value: object) -> int | None:
    return int(str(value)) if str(value).isdigit() else None


class Boards:
    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.views: dict[str, BoardView] = {}

    def read(self, pairs: Sequence[tuple[str, str | None]]) -> None:
        """One read per 25 boards not read yet: every item board and subitems board exists and
        carries the sync-key column."""
        pairs = [(b, s) for b, s in pairs if b not in self.views or self.views[b].subitem_board_id != s]
        if not pairs:
            return
        ids = list(dict.fromkeys([b for b, _ in pairs] + [s for _, s in pairs if s]))
        found: dict[str, dict] = {}
        for i in range(0, len(ids), READ_CHUNK):
            resp = self.ctx.sender.call(ops_mod.read_board(ids[i : i + READ_CHUNK]))
            found.update({str(b["id"]): b for b in (resp.data or {}).get("boards") or [] if b})
        for board_id, sub_id in pairs:
            view = BoardView(board_id, sub_id)
            for bid, column, what in (
                (board_id, self.ctx.settings.item_sync_key_column, "board"),
                (sub_id, self.ctx.settings.subitem_sync_key_column, "subitems board"),
            ):
                if bid is None:
                    continue
                board = found.get(bid)
                if board is None:
                    raise ConfigError(f"monday {what} {bid} not found or not accessible with this token")
                if column not in {c.get("id") for c in board.get("columns") or []}:
                    raise ConfigError(f"{what} {bid} has no sync-key column {column!r} (see monday.yml)")
                if bid == board_id:
                    view.items_count, view.name = _count(board.get("items_count")), board.get("name")
                else:
                    view.subitems_count = _count(board.get("items_count"))
            for group in found[board_id].get("groups") or []:
                if not group.get("archived") and not group.get("deleted"):
                    view.groups.setdefault(group["title"], str(group["id"]))
            self.views[board_id] = view

    def view(self, board_id: str) -> BoardView:
        return self.views[board_id]

    def group_id(self, board_id: str, title: str | None) -> str | None:
        view = self.views.get(board_id)
        return view.groups.get(title or "") if view is not None else None

    def ensure_groups(self, board_id: str, titles: Iterable[str]) -> None:
        """Adopt a group with the same title (logged once), else create it (one batched request)."""
        view = self.views[board_id]
        known = self.ctx.log.known_groups(board_id)
        missing: list[Op] = []
        for title in sorted(set(titles)):
            op = Op("group", "create", title, payload_hash=group_hash(title), group_title=title)
            gid = view.groups.get(title)
            if gid is None:
                missing.append(op)
            elif known.get(title) != gid:
                self.ctx.sender.record_ok_without_request(op, "adopt", board_id, gid, monday_group_id=gid)
        for op, res in self.ctx.sender.send("create_group", missing, board_id, board_id):
            if res.status == "ok" and res.monday_id:
                view.groups[op.group_title or ""] = res.monday_id
