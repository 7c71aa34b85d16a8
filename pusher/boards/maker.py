"""Boards made on demand (docs/CONTRACT.md, "At scale"): ``BoardMaker.ensure(target)`` returns the
target with its board ids, making the board when monday.yml allows it.

For a target without ids, in this order:

1. ids known: the target's own (dbt placed it on a made board), a board made earlier in this run,
   or the push log's latest ``ok`` board event for its board_name → returned, no request;
2. ``boards.auto_create`` off → ``RefusedError`` naming the boards and the fix;
3. monday, by exact name (every page of active boards; subitems boards ignored), so a run that died
   between monday's create and our log never makes a second board: found → completed (mapped
   columns, the subitems board and its columns, or the size-curve column in ``sizes: column``
   routes; leftover placeholder items deleted) and logged ``adopt``;
4. not found → ``create_board`` (or ``duplicate_board`` of ``boards.template_board_id``), completed
   the same way, logged ``create``.

Each attempt logs an ``intent`` before its first mutation and an ``outcome`` after (``ok`` with the
ids, ``error``, or ``unknown`` for a timeout or dropped connection). An attempt whose outcome is
unknown is retried up to ``max_retries`` times, and always starts by looking the name up again.
A file lock per board name keeps two pushers on one host from making the same board twice.

Errors: ``RefusedError`` when a person must act (auto_create off, or monday refused the create:
permissions, a wrong workspace / folder / template id); ``BoardNotMade`` (a ``ClientError``) when
monday did not answer after every retry; ``LimitStop`` when monday's limits stop the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from pusher.boards.patient_client import PatientClient
from pusher.boards.setup import (
    Layout,
    SetupFailed,
    complete_board,
    create_board,
    duplicate_board,
    find_boards,
)
from pusher.boards.setup import read_layout as _read_layout
from pusher.errors import LimitStop, RefusedError
from pusher.monday.client import ClientError, Transient
from pusher.run.context import RunContext
from pusher.store.push_log import LogEvent

log = logging.getLogger(__name__)
COPY_POLLS = 10  # duplicate_board answered is_async: read the copy up to this many times
COPY_POLL_SECONDS = 2.0


@dataclass(frozen=True)
class BoardTarget:
    """A board of a route: ``board_name`` is unique per board (``route_key`` for overflow_no 1,
    ``"<route_key> (n)"`` after). ``board_id`` / ``subitem_board_id`` are None until it is made."""

    board_name: str
    route_key: str
    overflow_no: int
    sizes_mode: str  # subitems | column
    board_id: str | None = None
    subitem_board_id: str | None = None


class BoardNotMade(ClientError):
    """monday gave no answer while the board was being made, after every retry. Its rows stay in
    the outbox; other boards go on; the next run looks the name up first (no second board)."""

    def __init__(self, target: BoardTarget, code: str, message: str) -> None:
        super().__init__(code, f'board "{target.board_name}" was not made or found: {message}')
        self.target = target


def payload_hash(board_name: str) -> str:
    return hashlib.sha256(board_name.encode("utf-8")).hexdigest()


class BoardMaker:
    def __init__(
        self,
        ctx: RunContext,
    ) -> None:
        self.ctx = ctx
        self.client: Any = PatientClient(ctx)
        self._made: dict[str, BoardTarget] = {}
        self.done: list[tuple[str, BoardTarget]] = []  # (create | adopt, target) in this run

    # ---------------------------------------------------------------- public
    def ensure(self, target: BoardTarget) -> BoardTarget:
        """``target`` with its board ids; the board is found or made when it has none."""
        known = self.known(target)
        if known is not None:
            return known
        if not self.ctx.settings.boards.auto_create:
            raise self.refusal([target])
        # one process makes a board of this name, for every pusher on this database
        with self.ctx.locks.held("board-name:" + payload_hash(target.board_name)[:24]):
            known = self.known(target)  # another pusher may have made it while this one waited
            return known if known is not None else self._make(target)

    def ensure_all(self, targets: Iterable[BoardTarget]) -> list[BoardTarget]:
        """Every target with ids; with ``auto_create`` off, one refusal naming every missing board."""
        targets = list(targets)
        missing = [t for t in targets if self.known(t) is None]
        if missing and not self.ctx.settings.boards.auto_create:
            raise self.refusal(missing)
        return [self.ensure(t) for t in targets]

    def known(self, target: BoardTarget) -> BoardTarget | None:
        """The target with ids when they are known without asking monday, else None."""
        if target.board_id:
            return target
        made = self._made.get(target.board_name) or self._logged(target)
        if made is None:
            return None
        return replace(target, board_id=made.board_id, subitem_board_id=made.subitem_board_id)

    def refusal(self, targets: Iterable[BoardTarget]) -> RefusedError:
        lines = [
            f'  "{t.board_name}" (route "{t.route_key}", board {t.overflow_no}, sizes: {t.sizes_mode}): '
            f"python -m pusher board create --name {json.dumps(t.board_name, ensure_ascii=False)}"
            + (" --no-subitems" if t.sizes_mode == "column" else "")
            for t in targets
        ]
        return RefusedError(
            "these boards are not on monday yet and boards.auto_create is off in monday.yml "
            "(their rows stay in the outbox):\n" + "\n".join(lines) + "\nfix: set `boards.auto_create: true` "
            "under boards in monday.yml (the pusher then makes them with every mapped column), or make a "
            "board with the command above and put its ids (board_id, subitem_board_id) under "
            "boards.default or boards.customers[NAME]; a route's boards 2, 3… and routes with "
            "split_by: season have no place for ids in monday.yml and need auto_create"
        )

    # ---------------------------------------------------------- the push log
    def _logged(self, target: BoardTarget) -> BoardTarget | None:
        """The latest ok board event for this board name (any customer: routes can be shared)."""
        rows = self.ctx.log.db.query(
            "SELECT monday_id, monday_parent_id FROM ("
            "SELECT monday_id, monday_parent_id, ROW_NUMBER() OVER (ORDER BY logged_at DESC) AS rn "
            f"FROM {self.ctx.log.table} WHERE entity = 'board' AND sync_key = ? AND phase = 'outcome' "
            "AND status = 'ok') t WHERE rn = 1",
            (target.board_name,),
        )
        if not rows or rows[0][0] is None:
            return None
        board_id, sub = str(rows[0][0]), None if rows[0][1] is None else str(rows[0][1])
        if target.sizes_mode == "subitems" and sub is None and self.ctx.settings.boards.auto_create:
            return None  # made for sizes: column; the route wants subitems now: adopt completes it
        return replace(target, board_id=board_id, subitem_board_id=sub)

    def _intent(self, target: BoardTarget, operation: str) -> LogEvent:
        digest = payload_hash(target.board_name)
        values = {
            "route_key": target.route_key,
            "overflow_no": str(target.overflow_no),
            "sizes": target.sizes_mode,
        }
        event = LogEvent(
            entity="board",
            sync_key=target.board_name,
            operation=operation,
            phase="intent",
            status="sent",
            batch_id=str(uuid.uuid4()),
            parent_sync_key=target.route_key,
            payload_hash=digest,
            item_name=target.board_name,
            column_values=json.dumps(values, ensure_ascii=False),
            attempt=self.ctx.log.next_attempt("board", target.board_name, operation, digest),
        )
        self.ctx.log.write([event])
        return event

    def _outcome(
        self, intent: LogEvent, status: str, board_id: str | None, sub: str | None = None, exc: Any = None
    ) -> None:
        board_id = board_id or intent.board_id
        event = replace(intent, phase="outcome", status=status, board_id=board_id, monday_id=board_id)
        event.monday_parent_id = sub
        if exc is not None:
            event.error_code = str(getattr(exc, "code", type(exc).__name__))
            event.error_message = self.client.redact(getattr(exc, "message", None) or exc)
        self.ctx.log.write([event])

    # ----------------------------------------------------------------- monday
    def _make(self, target: BoardTarget) -> BoardTarget:
        failures, board_id = 0, None  # board_id: made in this call, its set-up not finished yet
        while True:
            intent: LogEvent | None = None
            try:
                if board_id is not None:
                    intent = self._intent(target, "create")
                    made = self._complete(target, _read_layout(self.client, board_id), sweep=True)
                else:
                    found = find_boards(self.client, target.board_name, self.ctx.settings.boards.workspace_id)
                    if len(found) > 1:
                        log.warning(
                            '%d boards are named "%s": adopting %s', len(found), target.board_name, found[0]
                        )
                    intent = self._intent(target, "adopt" if found else "create")
                    if found:
                        intent.board_id = intent.monday_id = found[0]  # what the outcome is about
                        made = self._complete(target, _read_layout(self.client, found[0]), sweep=True)
                    else:
                        board_id, layout = self._create(target)
                        made = self._complete(target, layout, sweep=False)
            except Transient as exc:
                if intent is not None:
                    self._outcome(intent, "unknown", board_id, exc=exc)
                failures += 1
                if failures > self.ctx.settings.max_retries:
                    raise BoardNotMade(target, exc.code, self.client.redact(exc.message)) from None
                self.ctx.sleep(self.ctx.settings.retry_backoff * 2 ** (failures - 1))
                continue
            except (SetupFailed, LimitStop) as exc:
                if intent is not None:
                    self._outcome(intent, "error", board_id, exc=exc)
                if isinstance(exc, LimitStop):
                    raise
                raise RefusedError(
                    f'monday refused to make board "{target.board_name}": {exc}. Its rows stay in the '
                    "outbox. fix: check that the API token may create boards and that boards.workspace_id, "
                    "boards.folder_id and boards.template_board_id in monday.yml exist"
                ) from None
            assert intent is not None  # every path that gets here logged one
            self._outcome(intent, "ok", made.board_id, made.subitem_board_id)
            self._made[target.board_name] = made
            self.done.append((intent.operation, made))
            log.info('board "%s": %s %s', target.board_name, intent.operation, made.board_id)
            return made

    def _create(self, target: BoardTarget) -> tuple[str, Layout]:
        b = self.ctx.settings.boards
        if not b.template_board_id:
            board_id = create_board(
                self.client, target.board_name, workspace_id=b.workspace_id, folder_id=b.folder_id
            )
            return board_id, Layout(board_id)  # a new empty board has none of the mapped columns
        board_id, is_async = duplicate_board(
            self.client,
            b.template_board_id,
            target.board_name,
            workspace_id=b.workspace_id,
            folder_id=b.folder_id,
        )
        layout = _read_layout(self.client, board_id)
        if is_async:  # monday copies the structure in the background: wait for the template's columns
            wanted = _read_layout(self.client, b.template_board_id).columns
            for _ in range(COPY_POLLS):
                if wanted <= layout.columns:
                    break
                self.ctx.sleep(COPY_POLL_SECONDS)
                layout = _read_layout(self.client, board_id)
        return board_id, layout

    def _complete(self, target: BoardTarget, layout: Layout, *, sweep: bool) -> BoardTarget:
        items = [c.as_dict() for c in self.ctx.settings.item_columns] or [
            {"id": self.ctx.settings.item_sync_key_column, "title": "Sync key", "type": "text"}
        ]
        subs: list[dict[str, Any]] | None = None
        if target.sizes_mode == "column":
            items.append(self.ctx.settings.size_curve_column.as_dict())
        else:
            subs = [c.as_dict() for c in self.ctx.settings.subitem_columns] or [
                {"id": self.ctx.settings.subitem_sync_key_column, "title": "Sync key", "type": "text"}
            ]
        result = complete_board(self.client, layout, items, subs, sweep=sweep)
        sub = result["subitem_board_id"] if subs is not None else None
        return replace(target, board_id=result["board_id"], subitem_board_id=sub)
