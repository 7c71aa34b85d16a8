"""The loop for one customer: groups, then item creates/updates/archives, then subitems.

1. read the item outbox (and, when it is empty, the subitem outbox: "nothing to send");
2. refuse when the archives exceed ``sync.max_archive_share`` of the live items (``--force``);
3. read the board once; adopt groups with the needed titles, create the missing ones;
4. creates (after adopting those an interrupted run already made), updates (changed keys only,
   plus a move when the group changed), archives: each in batches of aliased mutations;
5. read the subitem outbox (its parent ids now resolve through the log) and send deletes, creates,
   updates the same way.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from . import capacity
from .adopt import Adopter
from .batches import Sender
from .board import Boards
from .client import MondayClient
from .config import Settings
from .connection import Database
from .errors import ConfigError, LimitStop, RefusedError
from .operations import Op, compact, diff_values
from .outbox import ItemRow, SubitemRow, read_items, read_subitems
from .pacing import Pacer
from .plan import build_plan
from .progress import Progress
from .summary import RowError, Summary
from .writeback import PushLog

# Fewer subitem deletions than this in one run are ordinary size changes, never refused.
MIN_GUARDED_DELETES = 10

log = logging.getLogger(__name__)


class Sync:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        client: MondayClient | None = None,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        out: Callable[[str], None] = print,
        run_id: str | None = None,
    ) -> None:
        self.s = settings
        self.db = db
        self.client = client
        self.sleep = sleep
        self.out = out
        self.run_id = run_id or str(uuid.uuid4())
        self.pacer = pacer or Pacer(
            mutation_cost=settings.mutation_cost,
            max_query_complexity=settings.max_query_complexity,
            requests_per_minute=settings.requests_per_minute,
            max_wait=settings.max_limit_wait,
            sleep=sleep,
        )

    # ------------------------------------------------------------------ run
    def run(self) -> Summary:
        started = time.monotonic()
        s = self.s
        items = read_items(self.db, s.customer, s.filters)
        subitems: list[SubitemRow] | None = None
        if not items:
            subitems = read_subitems(self.db, s.customer, set() if s.filters.active else None)
        first: Any = items[0] if items else (subitems[0] if subitems else None)
        customer = first.customer_name if first is not None else s.customer
        self.log = PushLog(self.db, self.run_id, customer)
        self.summary = Summary(customer, s.board_id, dry_run=s.dry_run)
        self.summary.outbox_rows = len(items) + len(subitems or [])
        parents = {r.sync_key for r in items} if s.filters.active else None

        if s.dry_run:
            if subitems is None:
                subitems = read_subitems(self.db, s.customer, parents)
            self.out(build_plan(s, items, subitems, self.log).render())
            self._archive_guard(items)
            self._delete_guard(subitems)
            return self.summary
        self._archive_guard(items)
        if self.client is None:  # even with nothing to send: a missing token should not go unnoticed
            self.client = MondayClient(
                s.api_url, s.api_version, connect_timeout=s.connect_timeout, read_timeout=s.read_timeout
            )
        if not items and not subitems:
            return self._finish(started)
        self.sender = Sender(s, self.client, self.pacer, self.log, self.summary, self.sleep)
        self.sender.progress = Progress(self.summary, out=self.out)
        self.boards = Boards(s, self.sender, self.log)
        self.adopter = Adopter(s, self.sender, self.log, self.summary, self._prepare_update)
        try:
            self.log.load_history("item")
            self.log.load_history("subitem")
            self.boards.read()
            creates = sum(1 for r in items if r.operation == "create")
            capacity.check(s.board_id, "board", self.boards.items_count.get(s.board_id), creates)
            if items:
                self.boards.ensure_groups(
                    r.group_title
                    for r in items
                    if r.group_title and (r.operation == "create" or r.moves_group)
                )
                self._items(items)
            if subitems is None:
                subitems = read_subitems(self.db, s.customer, parents)
                self.summary.outbox_rows += len(subitems)
            self._delete_guard(subitems)
            self._subitems(subitems)
        except LimitStop as exc:
            self.summary.stopped = str(exc)
        return self._finish(started)

    def _finish(self, started: float) -> Summary:
        if getattr(self, "sender", None) is not None and self.sender.progress is not None:
            self.sender.progress.close()
        self.summary.seconds = time.monotonic() - started
        self.summary.http_calls = self.client.http_calls if self.client else 0
        self.summary.paced_seconds = self.pacer.paced
        self.summary.limit_wait_seconds = self.pacer.waited
        return self.summary

    def _archive_guard(self, items: list[ItemRow]) -> None:
        archives = sum(1 for r in items if r.operation == "archive")
        if not archives:
            return
        live = sum(1 for c in self.log.confirmed_items(self.s.board_id).values() if c.live)
        share = archives / live if live else float("inf")
        if share > self.s.max_archive_share and not self.s.force:
            raise RefusedError(
                f"refusing to archive {archives} of {live} live items ({share:.0%} > "
                f"sync.max_archive_share {self.s.max_archive_share:.0%}); "
                "check the source, or rerun with --force"
            )

    def _delete_guard(self, rows: list[SubitemRow]) -> None:
        """Sizes blanked wholesale (a broken extract) must not read as "delete every subitem".
        Deletions below MIN_GUARDED_DELETES are ordinary size changes and always go."""
        deletes = sum(1 for r in rows if r.operation == "delete")
        if deletes < MIN_GUARDED_DELETES or self.s.force:
            return
        relation = self.db.relation("MON_CustMasterSchedule_Subitems")
        ((live,),) = self.db.query(
            f"SELECT COUNT(*) FROM {relation} WHERE customer_name = ? AND is_live = ?",
            [self.s.customer, True],
        )
        share = deletes / live if live else float("inf")
        if share > self.s.max_archive_share:
            raise RefusedError(
                f"refusing to delete {deletes} of {live} live subitems ({share:.0%} > "
                f"sync.max_archive_share {self.s.max_archive_share:.0%}): were the sizes blanked at "
                "the source? check ORDERS_UNIFIED, or rerun with --force"
            )

    def _defer(self, op: Op, code: str, message: str) -> None:
        """Leave a row in the outbox for a later run (it was not attempted)."""
        self.summary.deferred.append(RowError(op.entity, op.sync_key, op.operation, code, message))

    def _prepare_update(self, op: Op, confirmed_json: str | None, old_name: str | None, move: bool) -> bool:
        """Fill in the changed keys and the move; False when the op needs no request (or cannot go)."""
        try:
            diff = diff_values(op.column_values, confirmed_json)
        except ValueError as exc:
            self._defer(op, "BAD_COLUMN_VALUES", str(exc))
            return False
        if old_name is not None and op.item_name and op.item_name != old_name:
            diff["name"] = op.item_name
        op.send_values = compact(diff) if diff else None
        if op.entity == "item":
            op.move = move
            op.monday_group_id = self.boards.group_id(op.group_title)
            if move and op.monday_group_id is None:
                self._defer(op, "GROUP_UNAVAILABLE", f"group {op.group_title!r} is not on the board")
                return False
        if op.send_values is None and not op.move:
            # Nothing differs on monday: confirm the new payload without a request.
            self.sender.record_ok_without_request(op, "update", self.s.board_id, op.monday_id)
            return False
        return True

    # ---------------------------------------------------------------- items
    def _items(self, rows: list[ItemRow]) -> None:
        confirmed = self.log.confirmed_items(self.s.board_id)
        creates: list[Op] = []
        updates: list[Op] = []
        archives: list[Op] = []
        for r in rows:
            op = Op(
                "item",
                r.operation,
                r.sync_key,
                payload_hash=r.payload_hash,
                group_title=r.group_title,
                item_name=r.item_name,
                column_values=r.column_values,
                monday_id=r.monday_item_id,
            )
            if r.operation == "create":
                op.monday_group_id = self.boards.group_id(r.group_title)
                if r.group_title and op.monday_group_id is None:
                    self._defer(op, "GROUP_UNAVAILABLE", f"group {r.group_title!r} is not on the board")
                    continue
                op.send_values = r.column_values
                self.adopter.mark_unresolved(op)
                creates.append(op)
            elif r.operation not in ("update", "archive"):
                self._defer(op, "UNKNOWN_OPERATION", "expected create, update or archive")
            elif not r.monday_item_id:
                self._defer(op, "NO_MONDAY_ID", "the outbox row has no monday_item_id")
            elif r.operation == "archive":
                archives.append(op)
            else:
                conf = confirmed.get(r.sync_key)
                old_name = conf.item_name if conf else None
                if self._prepare_update(op, r.confirmed_column_values, old_name, r.moves_group):
                    updates.append(op)
        board = self.s.board_id
        creates = self.adopter.before_send(creates)
        self.sender.send("create_items", creates, board, board, adopt=self.adopter.adopt)
        self.sender.send("update_items", updates + self.adopter.followups["item"], board, board)
        self.sender.send("archive_items", archives, None, board)

    # ------------------------------------------------------------- subitems
    def _subitems(self, rows: list[SubitemRow]) -> None:
        if not rows:
            return
        if not self.s.subitem_board_id:
            raise ConfigError("the outbox has subitem rows but monday.yml gives no subitem_board_id")
        confirmed = self.log.confirmed_items(self.s.board_id)  # includes this run's creates
        creates: list[Op] = []
        updates: list[Op] = []
        deletes: list[Op] = []
        for r in rows:
            parent_id = r.monday_parent_item_id
            if parent_id is None:
                conf = confirmed.get(r.parent_sync_key)
                parent_id = conf.monday_id if conf is not None and conf.live else None
            op = Op(
                "subitem",
                r.operation,
                r.sync_key,
                payload_hash=r.payload_hash,
                parent_sync_key=r.parent_sync_key,
                item_name=r.item_name,
                column_values=r.column_values,
                monday_id=r.monday_subitem_id,
                monday_parent_id=parent_id,
            )
            if r.operation == "create":
                if parent_id is None:
                    self._defer(
                        op, "PARENT_NOT_ON_MONDAY", f"parent {r.parent_sync_key} is not on monday yet"
                    )
                    continue
                op.send_values = r.column_values
                self.adopter.mark_unresolved(op)
                creates.append(op)
            elif r.operation not in ("update", "delete"):
                self._defer(op, "UNKNOWN_OPERATION", "expected create, update or delete")
            elif not r.monday_subitem_id:
                self._defer(op, "NO_MONDAY_ID", "the outbox row has no monday_subitem_id")
            elif r.operation == "delete":
                deletes.append(op)
            elif self._prepare_update(op, r.confirmed_column_values, None, False):
                updates.append(op)
        board, sub_board = self.s.board_id, self.s.subitem_board_id
        capacity.check(sub_board, "subitems board", self.boards.items_count.get(sub_board), len(creates))
        self.sender.send("delete_subitems", deletes, None, board)
        creates = self.adopter.before_send(creates)
        self.sender.send("create_subitems", creates, None, board, adopt=self.adopter.adopt)
        self.sender.send("update_subitems", updates + self.adopter.followups["subitem"], sub_board, board)
