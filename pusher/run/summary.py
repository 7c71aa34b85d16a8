"""What a run did, counted, and printed at the end (and the dry-run plan)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pusher.errors import EXIT_CONFIG, EXIT_LIMIT, EXIT_OK, EXIT_ROWS_FAILED

MAX_ERRORS_SHOWN = 10


@dataclass
class RowError:
    entity: str
    sync_key: str
    operation: str
    code: str | None
    message: str | None
    board_id: str | None = None


@dataclass
class BoardTally:
    """What a run did on one board (a subitem counts on its parent's board)."""

    board_id: str
    board_name: str | None = None
    counts: Counter[str] = field(default_factory=Counter)
    failed: int = 0

    def line(self) -> str:
        done = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "nothing done"
        name = f"{self.board_name!r} " if self.board_name else ""
        return f"{name}(board {self.board_id}): {done}" + (f"; failed {self.failed}" if self.failed else "")


@dataclass
class Summary:
    customer: str
    board_id: str | None
    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)  # "item.create" → n (ok outcomes)
    errors: list[RowError] = field(default_factory=list)
    unknown: list[RowError] = field(default_factory=list)
    deferred: list[RowError] = field(default_factory=list)  # left in the outbox, not attempted
    http_calls: int = 0
    seconds: float = 0.0
    paced_seconds: float = 0.0
    limit_wait_seconds: float = 0.0
    outbox_rows: int = 0
    stopped: str | None = None  # why the run ended early (limit), if it did
    refused: list[str] = field(default_factory=list)  # boards a person must set up first (exit 2)
    notes: list[str] = field(default_factory=list)
    boards: dict[str, BoardTally] = field(default_factory=dict)  # board id → what happened there
    jobs: list[dict[str, Any]] = field(default_factory=list)  # monday import / bulk jobs (issue 11)

    def board(self, board_id: str, board_name: str | None = None) -> BoardTally:
        """The tally of ``board_id`` (every board the run touches has one, even with nothing done)."""
        tally = self.boards.setdefault(board_id, BoardTally(board_id))
        if board_name and not tally.board_name:
            tally.board_name = board_name
        return tally

    def ok(self, entity: str, operation: str, n: int = 1, board: str | None = None) -> None:
        self.counts[f"{entity}.{operation}"] += n
        if board:
            self.board(board).counts[f"{entity}.{operation}"] += n

    def defer(self, err: RowError) -> None:
        """A row left in the outbox for a later run (it was not attempted)."""
        self.deferred.append(err)

    def n(self, entity: str, operation: str) -> int:
        return self.counts[f"{entity}.{operation}"]

    @property
    def failed(self) -> int:
        return len(self.errors) + len(self.unknown) + len(self.deferred)

    @property
    def exit_code(self) -> int:
        if self.stopped:
            return EXIT_LIMIT
        if self.refused:
            return EXIT_CONFIG
        return EXIT_ROWS_FAILED if self.failed else EXIT_OK

    def _board_failures(self) -> None:
        for tally in self.boards.values():
            tally.failed = 0
        for err in self.errors + self.unknown + self.deferred:
            if err.board_id:
                self.board(err.board_id).failed += 1

    def render(self) -> str:
        self._board_failures()
        board = next(iter(self.boards), self.board_id)
        where = (
            f", {len(self.boards)} boards" if len(self.boards) > 1 else f", board {board}" if board else ""
        )
        lines = [f"order-sync push — customer {self.customer!r}{where}"]
        if self.outbox_rows == 0:
            lines.append("  nothing to send: the outbox is empty")
        lines += [
            f"  groups    created {self.n('group', 'create')}, adopted {self.n('group', 'adopt')}",
            f"  items     created {self.n('item', 'create')}, updated {self.n('item', 'update')}, "
            f"archived {self.n('item', 'archive')}, deleted {self.n('item', 'delete')}, "
            f"adopted {self.n('item', 'adopt')}",
            f"  subitems  created {self.n('subitem', 'create')}, updated {self.n('subitem', 'update')}, "
            f"deleted {self.n('subitem', 'delete')}, adopted {self.n('subitem', 'adopt')}",
            f"  errors    {len(self.errors)}"
            + (f", unknown outcome {len(self.unknown)}" if self.unknown else "")
            + (f", left for the next run {len(self.deferred)}" if self.deferred else ""),
        ]
        if self.jobs:
            lines.append("  jobs      " + self._jobs_line())
        if self.boards:
            lines.append(f"  boards    {len(self.boards)}")
            lines += [f"    {self.boards[b].line()}" for b in sorted(self.boards, key=self._board_order)]
        for err in (self.errors + self.unknown + self.deferred)[:MAX_ERRORS_SHOWN]:
            lines.append(
                f"    {err.entity} {err.operation} {err.sync_key}: {err.code} {err.message or ''}".rstrip()
            )
        if self.failed > MAX_ERRORS_SHOWN:
            lines.append(f"    … and {self.failed - MAX_ERRORS_SHOWN} more (see ERR_MON_CustMasterSchedule)")
        timing = f"  http calls {self.http_calls}, time {self.seconds:.1f}s"
        if self.paced_seconds or self.limit_wait_seconds:
            timing += f" (paced {self.paced_seconds:.1f}s, waited for limits {self.limit_wait_seconds:.1f}s)"
        lines.append(timing)
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  REFUSED: {why}" for why in self.refused]
        if self.stopped:
            lines.append(f"  STOPPED: {self.stopped}")
        return "\n".join(lines)

    def _jobs_line(self) -> str:
        """``2 ingest (19,800 rows), 1 bulk_archive (2,400 rows); 1 failed (BOARD_CAPACITY_EXCEEDED)``."""
        per_mode: Counter[str] = Counter()
        rows: Counter[str] = Counter()
        for job in self.jobs:
            per_mode[job["mode"]] += 1
            rows[job["mode"]] += int(job.get("rows") or 0)
        text = ", ".join(f"{n} {mode} ({rows[mode]:,} rows)" for mode, n in sorted(per_mode.items()))
        for status in ("error", "unknown", "pending"):
            bad = [j for j in self.jobs if j.get("status") == status]
            if bad:
                reasons = sorted({str(j.get("reason")) for j in bad if j.get("reason")})
                word = {"error": "failed", "unknown": "fate unknown", "pending": "still running"}[status]
                text += f"; {len(bad)} {word}" + (f" ({', '.join(reasons)})" if reasons else "")
        return text

    def _board_order(self, board_id: str) -> tuple[str, str]:
        return (self.boards[board_id].board_name or "", board_id)

    def board_fields(self) -> list[dict[str, Any]]:
        """Per board touched: id, name, ok counts, failed rows (for ``--log-format json``)."""
        self._board_failures()
        return [
            {
                "board_id": t.board_id,
                "board_name": t.board_name,
                "counts": dict(sorted(t.counts.items())),
                "failed": t.failed,
            }
            for t in (self.boards[b] for b in sorted(self.boards, key=self._board_order))
        ]


@dataclass
class Plan:
    """A dry run's plan: counts per operation and group, and a few field-level diffs."""

    customer: str
    board_id: str | None
    per_group: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (entity, op, group)
    per_board: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    capacity: list[str] = field(default_factory=list)  # MON_BoardCapacity, rendered
    totals: Counter[str] = field(default_factory=Counter)
    groups_to_create: list[str] = field(default_factory=list)
    diffs: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # sync_key, column, old, new
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        if len(self.per_board) == 1:
            boards = f"board {next(iter(self.per_board))}"
        else:
            boards = f"{len(self.per_board)} boards" if self.per_board else f"board {self.board_id or '-'}"
        lines = [f"order-sync DRY RUN — customer {self.customer!r}, {boards}: nothing is sent"]
        if not self.totals:
            lines.append("  nothing to send: the outbox is empty")
        for key in sorted(self.totals):
            lines.append(f"  {key:<18} {self.totals[key]}")
        if self.groups_to_create:
            n = len(self.groups_to_create)
            lines.append(f"  groups not yet known to the log (created or adopted by title): {n}")
            lines += [f"    + {title}" for title in self.groups_to_create]
        if self.per_group:
            lines.append("  per group:")
            for (entity, op, group), n in sorted(
                self.per_group.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])
            ):
                lines.append(f"    {group:<40} {entity + '.' + op:<16} {n}")
        if self.per_board:
            lines.append("  per board:")
            for board in sorted(self.per_board):
                done = ", ".join(f"{k} {v}" for k, v in sorted(self.per_board[board].items()))
                lines.append(f"    {board}: {done}")
        lines += self.capacity
        if self.diffs:
            lines.append("  sample changes (old → new):")
            for key, column, old, new in self.diffs:
                lines.append(f"    {key} {column}: {old} → {new}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)
