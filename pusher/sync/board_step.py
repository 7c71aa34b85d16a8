"""What one run sends to one board: removals, then creates and updates, then subitems.

``run.py`` decides the order across boards (every archive/delete on every board first); this
module turns one board's outbox rows into batched requests: groups ensured, interrupted creates
adopted by sync key, updates reduced to the changed keys, the capacity guard applied, and a
``moved`` create held back until its line is gone from the old board.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pusher.boards.capacity import BOARD_FULL, over_limit
from pusher.boards.views import Boards
from pusher.bulk.wave import JOB_PENDING, BulkWave
from pusher.monday.operations import ITEM_GONE, Op, Outcome, compact, diff_values
from pusher.run.context import RunContext
from pusher.run.summary import RowError
from pusher.store.outbox import ItemRow, SubitemRow
from pusher.store.push_log import Confirmed
from pusher.sync.adopt import Adopter

MOVE_PENDING = "MOVE_PENDING"  # a moved line's create waits until it is gone from its old board


def item_op(r: ItemRow, board_id: str, subitem_board_id: str | None) -> Op:
    return Op(
        "item",
        r.operation,
        r.sync_key,
        payload_hash=r.payload_hash,
        group_title=r.group_title,
        item_name=r.item_name,
        column_values=r.column_values,
        monday_id=r.monday_item_id,
        board_id=board_id,
        subitem_board_id=subitem_board_id,
    )


def subitem_op(r: SubitemRow, parent_id: str | None, board_id: str | None, sub_board: str | None) -> Op:
    return Op(
        "subitem",
        r.operation,
        r.sync_key,
        payload_hash=r.payload_hash,
        parent_sync_key=r.parent_sync_key,
        item_name=r.item_name,
        column_values=r.column_values,
        monday_id=r.monday_subitem_id,
        monday_parent_id=parent_id,
        board_id=board_id,
        subitem_board_id=sub_board,
    )


class BoardStep:
    def __init__(self, ctx: RunContext, boards: Boards) -> None:
        self.ctx = ctx
        self.boards = boards
        self.adopter = Adopter(ctx, self.prepare_update)
        self.full: dict[str, str] = {}  # board id → why its creates wait (BOARD_FULL)
        self.bulk: BulkWave | None = None  # large create / removal waves as monday jobs (issue 11)
        self.healed: set[str] = set()  # items found gone by hand (issue 21): created again this run

    def defer(self, op: Op, code: str, message: str) -> None:
        """Leave a row in the outbox for a later run (it was not attempted)."""
        self.ctx.summary.defer(RowError(op.entity, op.sync_key, op.operation, code, message, op.board_id))

    def prepare_update(self, op: Op, confirmed_json: str | None, old_name: str | None, move: bool) -> bool:
        """Fill in the changed keys and the move; False when the op needs no request (or cannot go)."""
        try:
            diff = diff_values(op.column_values, confirmed_json)
        except ValueError as exc:
            self.defer(op, "BAD_COLUMN_VALUES", str(exc))
            return False
        if old_name is not None and op.item_name and op.item_name != old_name:
            diff["name"] = op.item_name
        op.send_values = compact(diff) if diff else None
        if op.entity == "item":
            op.move = move
            op.monday_group_id = self.boards.group_id(op.board_id or "", op.group_title)
            if move and op.monday_group_id is None:
                self.defer(op, "GROUP_UNAVAILABLE", f"group {op.group_title!r} is not on the board")
                return False
        if op.send_values is None and not op.move:
            # Nothing differs on monday: confirm the new payload without a request.
            self.ctx.sender.record_ok_without_request(op, "update", op.board_id or "", op.monday_id)
            return False
        return True

    # ------------------------------------------------------------ phase 1
    def removals(self, board_id: str, rows: Sequence[ItemRow]) -> set[str]:
        """Archive / delete ``rows`` on ``board_id``; the sync keys monday confirmed gone."""
        archives: list[Op] = []
        deletes: list[Op] = []
        for r in rows:
            op = item_op(r, board_id, None)
            if not r.monday_item_id:
                self.defer(op, "NO_MONDAY_ID", "the outbox row has no monday_item_id")
            else:
                (archives if r.operation == "archive" else deletes).append(op)
        gone: set[str] = set()
        if self.bulk is not None:
            archives, gone = self.bulk.removals.send(board_id, "archive", archives)
            deletes, deleted = self.bulk.removals.send(board_id, "delete", deletes)
            gone |= deleted
        done = self.ctx.sender.send("archive_items", archives, None, board_id)
        done += self.ctx.sender.send("delete_items", deletes, None, board_id)
        return gone | {op.sync_key for op, res in done if res.status == "ok"}

    # ------------------------------------------------------------ phase 2
    def items(
        self,
        board_id: str,
        rows: Sequence[ItemRow],
        removed: set[str],
        confirmed: Mapping[str, Confirmed],
        planned_subitems: int,
    ) -> None:
        """Creates (after adopting what an interrupted run made) and updates on one board."""
        view = self.boards.view(board_id)
        creates: list[tuple[ItemRow, Op]] = []
        updates: list[Op] = []
        for r in rows:
            op = item_op(r, board_id, view.subitem_board_id)
            if r.operation == "create" and self._job_pending(op):
                continue
            if r.operation == "create":
                was = confirmed.get(r.sync_key)
                if r.change_reason == "moved" and r.sync_key not in removed and was is not None and was.live:
                    self.defer(
                        op,
                        MOVE_PENDING,
                        f"still live on board {was.board_id} (its archive/delete there was not confirmed "
                        "in this run): created here once it is gone, never twice",
                    )
                    continue
                creates.append((r, op))
            elif r.operation != "update":
                self.defer(op, "UNKNOWN_OPERATION", "expected create, update, archive or delete")
            elif not r.monday_item_id:
                self.defer(op, "NO_MONDAY_ID", "the outbox row has no monday_item_id")
            else:
                updates.append(op)
        if creates and self._board_full(board_id, len(creates), planned_subitems):
            for _, op in creates:
                self.defer(op, BOARD_FULL, self.full[board_id])
            creates = []
        titles = [r.group_title for r, _ in creates if r.group_title]
        titles += [r.group_title for r in rows if r.moves_group and r.group_title]
        if titles:
            self.boards.ensure_groups(board_id, titles)
        ready: list[Op] = []
        for r, op in creates:
            op.monday_group_id = self.boards.group_id(board_id, r.group_title)
            if r.group_title and op.monday_group_id is None:
                self.defer(op, "GROUP_UNAVAILABLE", f"group {r.group_title!r} is not on the board")
                continue
            op.send_values = r.column_values
            self.adopter.mark_unresolved(op)
            ready.append(op)
        by_key = {r.sync_key: r for r in rows}
        on_board = self.ctx.log.confirmed_items(board_id) if updates else {}
        sends: list[Op] = []
        for op in updates:
            r = by_key[op.sync_key]
            conf = on_board.get(op.sync_key)
            old_name = conf.item_name if conf else None
            if self.prepare_update(op, r.confirmed_column_values, old_name, r.moves_group):
                sends.append(op)
        if self.bulk is not None and ready:
            sub_board = view.subitem_board_id

            def send_now(ops: list[Op]) -> None:
                ops = self.adopter.before_send(ops)
                self.ctx.sender.send("create_items", ops, board_id, board_id, adopt=self.adopter.adopt)

            ready = self.bulk.take(
                board_id, ready, view, lambda s: subitem_op(s, None, board_id, sub_board), send_now
            )
            if board_id in self.bulk.state.full:
                self.full[board_id] = self.bulk.state.full[board_id]
                for op in ready:
                    self.defer(op, BOARD_FULL, self.full[board_id])
                ready = []
        ready = self.adopter.before_send(ready)
        self.ctx.sender.send("create_items", ready, board_id, board_id, adopt=self.adopter.adopt)
        follow, self.adopter.followups["item"] = self.adopter.followups["item"], []
        self.heal(self.ctx.sender.send("update_items", sends + follow, board_id, board_id))

    def jobs_done(self, wait: bool = False) -> None:
        """Settle the import jobs in flight that finished (``wait``: all of them); the items they
        did not create for sure go by mutation now, on their own board (looked up first when
        their fate is unknown), or wait when monday called the board full."""
        if self.bulk is None:
            return
        by_board: dict[str, list[Op]] = {}
        for op in self.bulk.collect(wait):
            by_board.setdefault(op.board_id or "", []).append(op)
        for board_id, ops in by_board.items():
            if board_id in self.bulk.state.full:
                self.full[board_id] = self.bulk.state.full[board_id]
                for op in ops:
                    self.defer(op, BOARD_FULL, self.full[board_id])
                continue
            ops = self.adopter.before_send(ops)
            self.ctx.sender.send("create_items", ops, board_id, board_id, adopt=self.adopter.adopt)
            follow, self.adopter.followups["item"] = self.adopter.followups["item"], []
            self.heal(self.ctx.sender.send("update_items", follow, board_id, board_id))

    def _job_pending(self, op: Op) -> bool:
        """A row an earlier run's import job may still create: deferred, never sent twice."""
        if self.bulk is None or (op.entity, op.sync_key) not in self.bulk.state.pending:
            return False
        self.defer(
            op, JOB_PENDING, "an import job of an earlier run may still create it; the next run settles it"
        )
        return True

    def _board_full(self, board_id: str, creates: int, subitems: int) -> bool:
        """Whether ``creates`` items (and ``subitems`` subitems) would pass the board's limit."""
        view = self.boards.view(board_id)
        limit = self.ctx.settings.boards.max_items_per_board
        name = f"board {view.name!r} ({board_id})" if view.name else f"board {board_id}"
        why = over_limit(name, view.items_count, creates, limit)
        if why is None and view.subitem_board_id:
            where = f"the subitems board {view.subitem_board_id} of {name}"
            why = over_limit(where, view.subitems_count, subitems, limit)
        if why is not None:
            self.full[board_id] = why
        return why is not None or board_id in self.full

    # ------------------------------------------------------------ phase 3
    def subitems(
        self, board_id: str, sub_board: str, rows: Sequence[SubitemRow], parents: Mapping[str, str]
    ) -> None:
        """Deletes, creates and updates of subitems whose parents are on ``board_id``.
        ``parents``: parent sync key → its live item id (this run's creates included)."""
        creates: list[Op] = []
        updates: list[Op] = []
        deletes: list[Op] = []
        for r in rows:
            parent_id = r.monday_parent_item_id or parents.get(r.parent_sync_key)
            op = subitem_op(r, parent_id, board_id, sub_board)
            if r.operation == "create" and self._job_pending(op):
                continue
            if r.operation == "create":
                if board_id in self.full:
                    self.defer(op, BOARD_FULL, self.full[board_id])
                    continue
                if parent_id is None:
                    self.defer(op, "PARENT_NOT_ON_MONDAY", f"parent {r.parent_sync_key} is not on monday yet")
                    continue
                op.send_values = r.column_values
                self.adopter.mark_unresolved(op)
                creates.append(op)
            elif r.operation not in ("update", "delete"):
                self.defer(op, "UNKNOWN_OPERATION", "expected create, update or delete")
            elif not r.monday_subitem_id:
                self.defer(op, "NO_MONDAY_ID", "the outbox row has no monday_subitem_id")
            elif r.operation == "delete":
                deletes.append(op)
            elif self.prepare_update(op, r.confirmed_column_values, None, False):
                updates.append(op)
        if creates and self._board_full(board_id, 0, len(creates)):
            for op in creates:
                self.defer(op, BOARD_FULL, self.full[board_id])
            creates = []
        self.ctx.sender.send("delete_subitems", deletes, None, board_id)
        creates = self.adopter.before_send(creates)
        self.heal(self.ctx.sender.send("create_subitems", creates, None, board_id, adopt=self.adopter.adopt))
        follow, self.adopter.followups["subitem"] = self.adopter.followups["subitem"], []
        self.heal(self.ctx.sender.send("update_subitems", updates + follow, sub_board, board_id))

    def heal(self, results: Sequence[tuple[Op, Outcome]]) -> None:
        """An update or a subitem create that monday answers "item not found" (deleted by hand): the
        item (a subitem create: its parent) is logged deleted, so the outbox creates the line again
        (Sync runs a second pass for ``healed``); the row's error leaves the summary."""
        gone = [(op, res) for op, res in results if res.status == "error" and res.error_code == ITEM_GONE]
        for op, _ in gone:
            if op.entity == "subitem" and op.operation == "create":
                parent = Op("item", "delete", op.parent_sync_key or "", board_id=op.board_id)
                self.ctx.sender.record_ok_without_request(
                    parent, "delete", op.board_id or "", op.monday_parent_id
                )
                self.healed.add(parent.sync_key)
            else:
                self.ctx.sender.record_ok_without_request(op, "delete", op.board_id or "", op.monday_id)
                self.healed.add(op.parent_sync_key if op.entity == "subitem" else op.sync_key or "")
        keys = {(op.entity, op.sync_key) for op, _ in gone}
        errors = self.ctx.summary.errors
        errors[:] = [e for e in errors if (e.entity, e.sync_key) not in keys or e.code != ITEM_GONE]
