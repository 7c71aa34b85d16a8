"""The run for one customer, over every board its lines are on (docs/CONTRACT.md, issue 10).

1. read the item outbox (and, when it is empty, the subitem outbox: "nothing to send");
2. refuse when archives and deletes exceed ``sync.max_archive_share`` of the customer's live
   items on all its boards (``--force``);
3. find every target board: the row's ``board_id``, else made on demand (``BoardMaker``), else
   the customer's configured board;
4. phase 1: every archive and delete on every board (a moved line leaves its old board first);
5. phase 2, per board: one read (sync-key column, groups, items_count), the capacity guard, groups
   adopted or created, creates (after adopting those an interrupted run already made; a ``moved``
   create only once its line is gone from the old board), updates (changed keys only);
6. phase 3, per board: the subitem outbox (parents made in phase 2 resolve through the log).
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from pusher.boards.targets import Targets
from pusher.boards.views import Boards
from pusher.bulk.recover import recover
from pusher.bulk.wave import BulkWave, group_subitems
from pusher.config.settings import Settings
from pusher.errors import LimitStop
from pusher.monday.client import MondayClient
from pusher.monday.pacing import Pacer
from pusher.run.context import RunContext, pacer_for
from pusher.run.progress import Progress
from pusher.run.summary import RowError, Summary
from pusher.store.database import Database
from pusher.store.outbox import ItemRow, SubitemRow, read_items, read_subitems
from pusher.store.push_log import PushLog
from pusher.sync.board_step import BoardStep, subitem_op
from pusher.sync.guards import archive_guard, delete_guard
from pusher.sync.mapping_guard import check_mapping
from pusher.sync.plan import build_plan

MAKE = "make:"  # the key of a board still to make, before its name (board ids are digits)

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
        progress_tty: bool | None = None,
    ) -> None:
        self.s = settings
        self.db = db
        self.client = client
        self.sleep = sleep
        self.out = out
        self.run_id = run_id or str(uuid.uuid4())
        self.pacer = pacer or pacer_for(settings, sleep)
        self.maker: Any = None  # board_maker.BoardMaker, made when a board must be made or found
        self.progress_tty = progress_tty  # False: plain progress lines (customers pushed side by side)
        self.subitems_read: list[SubitemRow] | None = None  # the subitem outbox, when still current

    # ------------------------------------------------------------------ run
    def run(self) -> Summary:
        started = time.monotonic()
        self._waits_before = self.pacer.mine()  # the pacer may be shared with other customers' runs
        s = self.s
        items = read_items(self.db, s.customer, s.filters)
        subitems: list[SubitemRow] | None = None
        if not items:
            subitems = read_subitems(self.db, s.customer, set() if s.filters.active else None)
        check_mapping(s, self.db, [*items, *(subitems or [])])  # before anything is sent or planned
        first: Any = items[0] if items else (subitems[0] if subitems else None)
        customer = first.customer_name if first is not None else s.customer
        self.log = PushLog(self.db, self.run_id, customer)
        self.summary = Summary(customer, s.board_id, dry_run=s.dry_run)
        self.summary.outbox_rows = len(items) + len(subitems or [])
        parents = {r.sync_key for r in items} if s.filters.active else None

        if s.dry_run:
            if subitems is None:
                subitems = read_subitems(self.db, s.customer, parents)
                check_mapping(s, self.db, subitems)
            self.out(build_plan(s, items, subitems, self.log, self.db).render())
            archive_guard(s, self.log, items)
            delete_guard(s, self.db, subitems)
            return self.summary
        archive_guard(s, self.log, items)
        if self.client is None:  # even with nothing to send: a missing token should not go unnoticed
            self.client = MondayClient(
                s.api_url, s.api_version, connect_timeout=s.connect_timeout, read_timeout=s.read_timeout
            )
        if not items and not subitems:
            return self._finish(started)
        self.ctx = RunContext.start(
            s,
            self.db,
            self.log,
            self.summary,
            self.client,
            pacer=self.pacer,
            progress=Progress(self.summary, out=self.out, tty=self.progress_tty, label=customer),
            sleep=self.sleep,
        )
        self.boards = Boards(self.ctx)
        self.step = BoardStep(self.ctx, self.boards)
        self.step.bulk = self.bulk = BulkWave(self.ctx)
        self.targets = Targets(s, self._maker)
        try:
            self.log.load_history("item")
            self.log.load_history("subitem")
            if recover(self.bulk):  # an earlier run's import jobs logged their outcomes: read again
                items = read_items(self.db, s.customer, s.filters)
                subitems = None
            if items:
                self._items(items, parents, subitems)  # import jobs started, not waited for
            if subitems is None:
                subitems = self.subitems_read
                if subitems is None:
                    subitems = read_subitems(self.db, s.customer, parents)
                check_mapping(s, self.db, subitems, "no subitem was sent")
                self.summary.outbox_rows += len(subitems)
            delete_guard(s, self.db, subitems)
            held = self.bulk.in_flight()  # rows in jobs still running, and the subitems of their items
            waits = [("subitem", r.sync_key) in held or ("item", r.parent_sync_key) in held for r in subitems]
            self._subitems([r for r, w in zip(subitems, waits, strict=True) if not w])
            self.step.jobs_done(wait=True)
            self._subitems([r for r, w in zip(subitems, waits, strict=True) if w])
            if self.step.healed:  # items deleted by hand that this run ran into: create them again
                healed, self.step.healed = sorted(self.step.healed), set()
                again = set(healed)  # what waited on them in the first pass is tried again now
                self.summary.deferred = [
                    d for d in self.summary.deferred if d.sync_key.split("|")[0] not in again
                ]
                keys = dataclasses.replace(s.filters, sync_keys=tuple(healed))
                self._items(read_items(self.db, s.customer, keys), set(healed), None)
                self.step.jobs_done(wait=True)
                self._subitems(read_subitems(self.db, s.customer, healed))
        except LimitStop as exc:
            self.summary.stopped = str(exc)
        finally:
            self.summary.jobs = [vars(j) for j in self.bulk.state.jobs]
            self.summary.refused += [m for m in self.targets.refused if m not in self.summary.refused]
        return self._finish(started)

    def _finish(self, started: float) -> Summary:
        ctx: RunContext | None = getattr(self, "ctx", None)
        if ctx is not None and ctx.progress is not None:
            ctx.progress.close()
        self.summary.seconds = time.monotonic() - started
        self.summary.http_calls = self.client.http_calls if self.client else 0
        paced, waited = self.pacer.mine()
        self.summary.paced_seconds = paced - self._waits_before[0]
        self.summary.limit_wait_seconds = waited - self._waits_before[1]
        return self.summary

    # --------------------------------------------------------------- boards
    def _maker(self) -> Any:
        """The BoardMaker of this run (boards found by name or made, and logged)."""
        from pusher.boards.maker import BoardMaker

        if self.maker is None:
            self.maker = BoardMaker(self.ctx)
        return self.maker

    def _defer(self, entity: str, row: ItemRow | SubitemRow, problem: tuple[str, str] | None) -> None:
        code, message = problem or ("NO_BOARD", "the row's board is unknown")
        self.summary.defer(RowError(entity, row.sync_key, row.operation, code, message))

    # ---------------------------------------------------------------- items
    def _items(
        self, rows: list[ItemRow], parents: set[str] | None, subitems: list[SubitemRow] | None
    ) -> None:
        confirmed = self.log.confirmed_items()  # where each item is now, on any board
        early: list[SubitemRow] = []
        if any(r.operation == "create" for r in rows):  # for the subitems boards' capacity
            early = subitems if subitems is not None else read_subitems(self.db, self.s.customer, parents)
            if not any(r.is_removal for r in rows):
                # Creates and updates change no subitem row but its parent's id, which phase 3
                # takes from the log: this read is still the outbox after the items (~8 s of
                # a 50,000-line first sync read once, not twice). Archives and moves do change it.
                self.subitems_read = early
        self.targets.learn_rows(rows, early)
        self.bulk.subitems_by_parent = group_subitems(early)
        to_make = self.targets.boards_to_make(rows)  # made in the board loop, one before its jobs
        by_board: dict[str, list[ItemRow]] = {}
        for r in rows:
            if r.operation == "create" and not r.board_id and r.board_name in to_make:
                by_board.setdefault(MAKE + r.board_name, []).append(r)
                continue
            target = self.targets.for_item(r, confirmed.get(r.sync_key))
            if target.board_id is None:
                self._defer("item", r, target.problem)
                continue
            self.summary.board(target.board_id, target.board_name)
            by_board.setdefault(target.board_id, []).append(r)
        removed: set[str] = set()
        for board_id, board_rows in self._ordered(by_board):
            gone = [r for r in board_rows if r.is_removal]
            if gone:
                removed |= self.step.removals(board_id, gone)
        work = {b: [r for r in rs if not r.is_removal] for b, rs in by_board.items()}
        work = {b: rs for b, rs in work.items() if rs}
        self.boards.read(
            [
                (b, self.targets.by_id[b].subitem_board_id)
                for b, _ in self._ordered(work)
                if b in self.targets.by_id
            ]
        )
        planned = Counter(
            t.board_id or MAKE + (t.board_name or "")
            for s in early
            if s.operation == "create"
            for t in [self.targets.for_subitem(s, confirmed.get(s.parent_sync_key))]
        )
        for key, board_rows in self._ordered(work):
            board_id: str | None = key
            if key.startswith(MAKE):  # made now: the jobs of the boards before it are processing
                target = self.targets.make(to_make[key[len(MAKE) :]])
                board_id = target.board_id
                for r in board_rows if board_id is None else ():
                    self._defer("item", r, target.problem)
                if board_id is None:
                    continue
                self.summary.board(board_id, target.board_name)
                self.boards.read([(board_id, target.subitem_board_id)])
            subitems_planned = planned[board_id] + planned[key]
            self.step.items(board_id, board_rows, removed, confirmed, subitems_planned)
            self.step.jobs_done()  # the jobs that finished meanwhile (a poll round when one is due)

    def _ordered(self, by_board: dict[str, list[Any]]) -> list[tuple[str, list[Any]]]:
        """Boards by name, then id: the same order every run (a board still to make: by its name)."""
        names = {
            b: b[len(MAKE) :] if b.startswith(MAKE) else self.targets.by_id[b].board_name or ""
            for b in by_board
        }
        return [(b, by_board[b]) for b in sorted(by_board, key=lambda b: (names[b], b))]

    # ------------------------------------------------------------- subitems
    def _subitems(self, rows: list[SubitemRow]) -> None:
        handled = self.bulk.state.handled  # created by this run's import jobs (or logged why not)
        rows = [r for r in rows if r.operation != "create" or r.sync_key not in handled]
        if not rows:
            return
        confirmed = self.log.confirmed_items()  # includes this run's creates, on any board
        self.targets.learn_rows([], rows)
        by_board: dict[str, list[SubitemRow]] = {}
        for r in rows:
            target = self.targets.for_subitem(r, confirmed.get(r.parent_sync_key))
            if target.board_id is None:
                if r.operation == "create" and target.problem is None:
                    problem = ("PARENT_NOT_ON_MONDAY", f"parent {r.parent_sync_key} is not on monday yet")
                else:
                    problem = target.problem
                self._defer("subitem", r, problem)
                continue
            self.summary.board(target.board_id, target.board_name)
            by_board.setdefault(target.board_id, []).append(r)
        pairs: list[tuple[str, str | None]] = []
        for board_id, board_rows in self._ordered(by_board):
            sub_board, why = self.targets.subitems_board(self.targets.by_id[board_id])
            if sub_board is None:
                for r in board_rows:
                    op = subitem_op(r, None, board_id, None)
                    self.step.defer(op, "NO_SUBITEM_BOARD", why or "")
                continue
            pairs.append((board_id, sub_board))
        self.boards.read(pairs)
        parents = {k: c.monday_id for k, c in confirmed.items() if c.live and c.monday_id}
        for board_id, sub_board in pairs:
            self.step.subitems(board_id, sub_board, by_board[board_id], parents)
