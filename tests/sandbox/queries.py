"""Root query resolvers: boards, items, item pages, complexity and me."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from .board_list import list_boards
from .cursors import decode_cursor
from .errors import INVALID_ARGUMENT, MondayError
from .views import ME, BoardView, ItemView, ctx_of, first_page, run_page


def q_boards(
    _: Any,
    info: GraphQLResolveInfo,
    ids: list[str] | None = None,
    limit: int | None = None,
    page: int | None = None,
    state: str | None = None,
    workspace_ids: list[Any] | None = None,
    board_kind: str | None = None,
    order_by: str | None = None,
    hierarchy_types: list[str] | None = None,
    **__: Any,
) -> list[BoardView]:
    st = ctx_of(info).state
    found = list_boards(
        st.boards,
        ids=ids,
        limit=limit,
        page=page,
        state=state,
        workspace_ids=workspace_ids,
        board_kind=board_kind,
        order_by=order_by,
        hierarchy_types=hierarchy_types,
    )
    return [BoardView(st, b) for b in found]


def q_items(
    _: Any,
    info: GraphQLResolveInfo,
    ids: list[str] | None = None,
    limit: int | None = None,
    page: int | None = None,
    exclude_nonactive: bool | None = None,
    **__: Any,
) -> list[ItemView]:
    st = ctx_of(info).state
    if ids is not None:
        if len(ids) > 100:
            raise MondayError("ids can contain at most 100 items", INVALID_ARGUMENT, {})
        found = [st.items[str(i)] for i in dict.fromkeys(ids) if str(i) in st.items]
    else:
        found = list(st.items.values())
    if exclude_nonactive:
        found = [i for i in found if i["state"] == "active"]
    size = limit or 25
    start = ((page or 1) - 1) * size
    return [ItemView(st, i) for i in found[start : start + size]]


def q_items_by_column_values(
    _: Any,
    info: GraphQLResolveInfo,
    board_id: str,
    limit: int,
    columns: list[dict[str, Any]] | None = None,
    cursor: str | None = None,
    **__: Any,
) -> dict[str, Any]:
    st = ctx_of(info).state
    board = st.board(board_id)
    return first_page(st, board["id"], None, limit, cursor, None, columns or None)


def q_next_items_page(_: Any, info: GraphQLResolveInfo, cursor: str, limit: int) -> dict[str, Any]:
    return run_page(ctx_of(info).state, decode_cursor(cursor), limit)


def q_complexity(_: Any, info: GraphQLResolveInfo) -> dict[str, int]:
    return ctx_of(info).complexity


def q_me(_: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    """The token's user: ``kind`` is "admin" unless ``admin_tokens`` leaves this token out."""
    return ME if ctx_of(info).is_admin else {**ME, "kind": "member"}
