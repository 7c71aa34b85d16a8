"""The root ``boards`` query: which boards, in which order, one page of them.

monday documents the arguments (SDL: ``limit`` default 25, ``page`` from 1, ``state`` default
active) but no maximum ``limit`` for this query; the sandbox refuses more than
``BOARDS_PAGE_MAX`` (100, the safe assumption; see the README). Subitems boards are listed like
any board, with ``type: sub_items_board`` and the name "Subitems of <board>".
"""

from __future__ import annotations

from typing import Any

from .errors import INVALID_ARGUMENT, MondayError

BOARDS_PAGE_MAX = 100
BOARDS_PAGE_DEFAULT = 25
_STATES = ("active", "archived", "deleted", "all")


def _page_args(limit: int | None, page: int | None) -> tuple[int, int]:
    size = BOARDS_PAGE_DEFAULT if limit is None else limit
    if size < 1 or size > BOARDS_PAGE_MAX:
        raise MondayError(
            f"limit must be between 1 and {BOARDS_PAGE_MAX} (got {size})",
            INVALID_ARGUMENT,
            {"limit": size, "max_limit": BOARDS_PAGE_MAX},
        )
    number = 1 if page is None else page
    if number < 1:
        raise MondayError(f"page starts at 1 (got {number})", INVALID_ARGUMENT, {"page": number})
    return size, number


def _in_workspaces(board: dict[str, Any], workspace_ids: list[Any]) -> bool:
    """``workspace_ids`` may hold null for the main workspace (boards without a workspace)."""
    wanted = {None if w is None else str(w) for w in workspace_ids}
    return board.get("workspace_id") in wanted


def list_boards(
    boards: dict[str, dict[str, Any]],
    *,
    ids: list[Any] | None = None,
    limit: int | None = None,
    page: int | None = None,
    state: str | None = None,
    workspace_ids: list[Any] | None = None,
    board_kind: str | None = None,
    order_by: str | None = None,
    hierarchy_types: list[str] | None = None,
) -> list[dict[str, Any]]:
    """One page of ``boards`` (a dict in creation order) filtered like monday's ``boards``.

    Order: creation order without ``order_by``; newest first with ``created_at`` and with
    ``used_at`` (the sandbox does not track use, so a board counts as used when created).
    """
    size, number = _page_args(limit, page)
    wanted_state = state or "active"
    if wanted_state not in _STATES:
        raise MondayError(f"Unknown state {wanted_state}", INVALID_ARGUMENT, {"state": wanted_state})
    id_set = None if ids is None else {str(i) for i in ids}
    if hierarchy_types is not None and "classic" not in hierarchy_types:
        return []  # every sandbox board is a classic one
    found = [
        b
        for b in boards.values()
        if (id_set is None or b["id"] in id_set)
        and (wanted_state == "all" or b.get("state", "active") == wanted_state)
        and (workspace_ids is None or _in_workspaces(b, workspace_ids))
        and (board_kind is None or b.get("kind", "public") == board_kind)
    ]
    if order_by in ("created_at", "used_at"):
        found.reverse()
    start = (number - 1) * size
    return found[start : start + size]
