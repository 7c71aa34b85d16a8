"""The two refusals before a run sends anything: too many items archived or deleted, too many
subitems deleted, as a share of what is live (``sync.max_archive_share``; ``--force`` passes).
A broken extract (a customer gone, sizes blanked) must not read as "remove all of it"."""

from __future__ import annotations

from collections import Counter

from pusher.config.settings import Settings
from pusher.errors import RefusedError
from pusher.store.database import Database
from pusher.store.outbox import ItemRow, SubitemRow, label_in
from pusher.store.push_log import PushLog

# Fewer subitem deletions than this in one run are ordinary size changes, never refused.
MIN_GUARDED_DELETES = 10


def archive_guard(s: Settings, log: PushLog, items: list[ItemRow]) -> None:
    removals = [r for r in items if r.is_removal]
    if not removals:
        return
    live = sum(1 for c in log.confirmed_items().values() if c.live)
    share = len(removals) / live if live else float("inf")
    if share > s.max_archive_share and not s.force:
        kinds = Counter(r.operation for r in removals)
        moves = sum(1 for r in removals if r.change_reason == "moved")
        what = " and ".join(f"{n} {op}" for op, n in sorted(kinds.items()))
        raise RefusedError(
            f"refusing to archive {len(removals)} of {live} live items ({what}"
            + (f", {moves} of them moving to another board" if moves else "")
            + f"; {share:.0%} > sync.max_archive_share {s.max_archive_share:.0%}); "
            "check the source, or rerun with --force"
        )


def delete_guard(s: Settings, db: Database, rows: list[SubitemRow]) -> None:
    """Deletions below MIN_GUARDED_DELETES are ordinary size changes and always go."""
    deletes = sum(1 for r in rows if r.operation == "delete")
    if deletes < MIN_GUARDED_DELETES or s.force:
        return
    relation = db.relation("MON_CustMasterSchedule_Subitems")
    matches, params = label_in("customer_name", [s.customer])
    ((live,),) = db.query(f"SELECT COUNT(*) FROM {relation} WHERE is_live = ?{matches}", [True, *params])
    share = deletes / live if live else float("inf")
    if share > s.max_archive_share:
        raise RefusedError(
            f"refusing to delete {deletes} of {live} live subitems ({share:.0%} > "
            f"sync.max_archive_share {s.max_archive_share:.0%}): were the sizes blanked at "
            "the source? check ORDERS_UNIFIED, or rerun with --force"
        )
