"""One customer's reconcile: read every board the push log says holds its items, compare, record
the findings in ``MON_Drift`` and, with ``repair``, the push-log rows that make the next push put
the board back. Runs under the customer's run lock (the caller takes it)."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pusher.boards.setup import PLACEHOLDER_KEY
from pusher.config.settings import Settings
from pusher.monday.client import MondayClient
from pusher.monday.pacing import Pacer
from pusher.reconcile.board_read import BoardRead, item_states, read_board
from pusher.reconcile.compare import Comparer, Finding, board_missing, gone
from pusher.reconcile.repair import repair_events
from pusher.run.context import pacer_for
from pusher.run.sender import Sender
from pusher.run.summary import Summary
from pusher.store.database import Database
from pusher.store.drift import DriftRow, LoggedItem, logged_groups, logged_subitems, write_drift
from pusher.store.push_log import PushLog


@dataclass
class Result:
    customer: str
    boards: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    repair_rows: int = 0
    items_read: int = 0
    subitems_read: int = 0
    requests: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(f.drift_class for f in self.findings).items()))


class Reconcile:
    """Reconcile runs of one process: boards read once, shared by the customers on them."""

    def __init__(
        self,
        db: Database,
        all_items: Sequence[LoggedItem],
        client: MondayClient | None = None,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.db = db
        self.all_items = all_items
        self.client = client
        self.pacer = pacer
        self.sleep = sleep
        self.reads: dict[str, BoardRead] = {}

    def run(self, settings: Settings, repair: bool, run_id: str | None = None) -> Result:
        started = time.monotonic()
        run_id = run_id or str(uuid.uuid4())
        customer = settings.customer
        result = Result(customer)
        mine = [i for i in self.all_items if i.customer_name == customer]
        others = frozenset(i.sync_key for i in self.all_items if i.customer_name != customer)
        if self.client is None:
            self.client = MondayClient(
                settings.api_url,
                settings.api_version,
                connect_timeout=settings.connect_timeout,
                read_timeout=settings.read_timeout,
            )
        self.pacer = self.pacer or pacer_for(settings, self.sleep)
        log = PushLog(self.db, run_id, customer)
        sender = Sender(settings, self.client, self.pacer, log, Summary(customer, None), self.sleep)
        comparer = Comparer(
            {c.id: c.type for c in settings.item_columns},
            {c.id: c.type for c in settings.subitem_columns},
            settings.item_sync_key_column,
            settings.subitem_sync_key_column,
            frozenset({PLACEHOLDER_KEY}),
        )
        boards = sorted({i.board_id for i in mine if i.live and i.board_id})
        groups = logged_groups(self.db, customer, boards)
        subitems = logged_subitems(self.db, [customer])
        calls_before = self.client.http_calls
        for board_id in boards:
            read = self.reads.get(board_id)
            if read is None:
                read = self.reads[board_id] = read_board(
                    sender,
                    board_id,
                    [c.id for c in settings.item_columns],
                    [c.id for c in settings.subitem_columns],
                )
                result.items_read += len(read.items)
                result.subitems_read += sum(len(i.subitems) for i in read.items)
            result.boards.append(board_id)
            if not read.found:  # not 10,000 item_deleted findings, and nothing --repair could do
                result.findings.append(board_missing(board_id))
                continue
            on_board = [i for i in mine if i.board_id == board_id]
            ids = {i.monday_id for i in on_board if i.live}
            found, missing = comparer.compare(
                read,
                on_board,
                [s for s in subitems if s.monday_parent_id in ids],
                groups.get(board_id, {}),
                others,
                frozenset(groups.get(board_id, {})),
            )
            states = item_states(sender, [m.monday_id for m in missing if m.monday_id])
            found += [gone(m, states.get(m.monday_id or ""), board_id) for m in missing]
            result.findings += found
        result.requests = self.client.http_calls - calls_before
        events = repair_events(result.findings, settings.repair_classes, run_id) if repair else []
        if events:
            log.write(events)
        result.repair_rows = len(events)
        fixed = settings.repair_classes if repair else frozenset()
        rows = [
            DriftRow(
                customer,
                f.board_id,
                f.entity,
                f.sync_key,
                f.monday_id,
                f.drift_class,
                f.detail,
                f.before,
                f.after,
                "repair" if f.drift_class in fixed else "reported",
            )
            for f in result.findings
        ]
        write_drift(self.db, run_id, rows)
        result.seconds = time.monotonic() - started
        return result
