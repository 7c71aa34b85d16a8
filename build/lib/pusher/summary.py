"""What a run did, counted, and printed at the end (and the dry-run plan)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .errors import EXIT_LIMIT, EXIT_OK, EXIT_ROWS_FAILED

MAX_ERRORS_SHOWN = 10


@dataclass
class RowError:
    entity: str
    sync_key: str
    operation: str
    code: str | None
    message: str | None


@dataclass
class Summary:
    customer: str
    board_id: str
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
    notes: list[str] = field(default_factory=list)

    def ok(self, entity: str, operation: str, n: int = 1) -> None:
        self.counts[f"{entity}.{operation}"] += n

    def n(self, entity: str, operation: str) -> int:
        return self.counts[f"{entity}.{operation}"]

    @property
    def failed(self) -> int:
        return len(self.errors) + len(self.unknown) + len(self.deferred)

    @property
    def exit_code(self) -> int:
        if self.stopped:
            return EXIT_LIMIT
        return EXIT_ROWS_FAILED if self.failed else EXIT_OK

    def render(self) -> str:
        lines = [f"order-sync push — customer {self.customer!r}, board {self.board_id}"]
        if self.outbox_rows == 0:
            lines.append("  nothing to send: the outbox is empty")
        lines += [
            f"  groups    created {self.n('group', 'create')}, adopted {self.n('group', 'adopt')}",
            f"  items     created {self.n('item', 'create')}, updated {self.n('item', 'update')}, "
            f"archived {self.n('item', 'archive')}, adopted {self.n('item', 'adopt')}",
            f"  subitems  created {self.n('subitem', 'create')}, updated {self.n('subitem', 'update')}, "
            f"deleted {self.n('subitem', 'delete')}, adopted {self.n('subitem', 'adopt')}",
            f"  errors    {len(self.errors)}"
            + (f", unknown outcome {len(self.unknown)}" if self.unknown else "")
            + (f", left for the next run {len(self.deferred)}" if self.deferred else ""),
        ]
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
        if self.stopped:
            lines.append(f"  STOPPED: {self.stopped}")
        return "\n".join(lines)


@dataclass
class Plan:
    """A dry run's plan: counts per operation and group, and a few field-level diffs."""

    customer: str
    board_id: str
    per_group: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (entity, op, group)
    totals: Counter[str] = field(default_factory=Counter)
    groups_to_create: list[str] = field(default_factory=list)
    diffs: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # sync_key, column, old, new
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [f"order-sync DRY RUN — customer {self.customer!r}, board {self.board_id}: nothing is sent"]
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
        if self.diffs:
            lines.append("  sample changes (old → new):")
            for key, column, old, new in self.diffs:
                lines.append(f"    {key} {column}: {old} → {new}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)
