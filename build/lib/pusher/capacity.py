"""Board capacity: monday holds at most 10,000 items per board (subitems boards included).

Before any create is sent, the board's ``items_count`` (from the one board read) plus the creates
this run plans must stay within the limit; otherwise the run is refused (exit 2) with a message
that says how many, on which board, and what a person can do about it. Nothing is sent, so the
outbox keeps every row for the run after the board has room.

The count is conservative: a create that a rerun will adopt (an item an interrupted run already
made) is counted as new, so a refusal may come a few items early, never late.
"""

from __future__ import annotations

from .errors import RefusedError

MAX_ITEMS_PER_BOARD = 10_000  # monday: at most this many items per board


def check(
    board_id: str | None, what: str, items_count: int | None, planned_creates: int, limit: int | None = None
) -> None:
    """Refuse when ``items_count + planned_creates`` would pass the per-board limit.

    ``items_count`` None (the read gave none) skips the check: monday itself then refuses the
    creates one by one, each logged as an error and retried by a later run.
    """
    limit = MAX_ITEMS_PER_BOARD if limit is None else limit
    if not planned_creates or items_count is None:
        return
    total = items_count + planned_creates
    if total <= limit:
        return
    room = max(0, limit - items_count)
    raise RefusedError(
        f"{what} {board_id} holds {items_count} items and this run would create {planned_creates} more "
        f"({total} > monday's limit of {limit} items per board; room for {room}). Nothing was sent. "
        "Archive or delete finished orders on that board, or split the customer by season onto "
        "another board (boards.customers in monday.yml), then rerun"
    )
