"""Root mutation resolvers, wrapped for injected alias failures and bookkeeping."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from . import board_ops
from . import columns as cols
from .errors import INVALID_ARGUMENT, INVALID_ITEM_ID, MondayError
from .hand_edits import delete_group, duplicate_item, update_group
from .views import BoardView, GroupView, ItemView, column_dict, ctx_of

Resolver = Callable[..., Any]


def _need_item_id(item_id: Any) -> Any:
    if item_id is None:
        raise MondayError("item_id is required", INVALID_ITEM_ID, {})
    return item_id


def mutation(fn: Resolver) -> Resolver:
    """Wrap a root mutation resolver: injected alias failures and bookkeeping."""

    @functools.wraps(fn)
    def wrapper(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        ctx = ctx_of(info)
        ctx.mutation_fields.append(info.field_name)
        if ctx.fail_alias is not None and info.path.key == ctx.fail_alias:
            raise MondayError(ctx.fail_message, ctx.fail_code, {"injected": True})
        result = fn(root, info, **args)
        ctx.mutated = True
        return result

    return wrapper


@mutation
def m_create_item(
    _: Any,
    info: GraphQLResolveInfo,
    board_id: str,
    item_name: str,
    column_values: Any = None,
    group_id: str | None = None,
    create_labels_if_missing: bool | None = None,
    **__: Any,
) -> ItemView:
    st = ctx_of(info).state
    item = st.create_item(board_id, item_name, column_values, group_id, bool(create_labels_if_missing))
    return ItemView(st, item)


@mutation
def m_create_subitem(
    _: Any,
    info: GraphQLResolveInfo,
    parent_item_id: str,
    item_name: str,
    column_values: Any = None,
    create_labels_if_missing: bool | None = None,
    **__: Any,
) -> ItemView:
    st = ctx_of(info).state
    item = st.create_subitem(parent_item_id, item_name, column_values, bool(create_labels_if_missing))
    return ItemView(st, item)


@mutation
def m_change_values(
    _: Any,
    info: GraphQLResolveInfo,
    board_id: str,
    column_values: Any,
    item_id: str | None = None,
    create_labels_if_missing: bool | None = None,
    **__: Any,
) -> ItemView:
    st = ctx_of(info).state
    item = st.change_column_values(
        board_id, _need_item_id(item_id), column_values, bool(create_labels_if_missing)
    )
    return ItemView(st, item)


@mutation
def m_delete_item(_: Any, info: GraphQLResolveInfo, item_id: str | None = None) -> ItemView:
    st = ctx_of(info).state
    return ItemView(st, st.delete_item(_need_item_id(item_id)))


@mutation
def m_archive_item(_: Any, info: GraphQLResolveInfo, item_id: str | None = None) -> ItemView:
    st = ctx_of(info).state
    return ItemView(st, st.archive_item(_need_item_id(item_id)))


@mutation
def m_move_item_to_group(
    _: Any, info: GraphQLResolveInfo, group_id: str, item_id: str | None = None
) -> ItemView:
    st = ctx_of(info).state
    return ItemView(st, st.move_item_to_group(_need_item_id(item_id), group_id))


@mutation
def m_create_group(
    _: Any,
    info: GraphQLResolveInfo,
    board_id: str,
    group_name: str,
    relative_to: str | None = None,
    position_relative_method: str | None = None,
    **__: Any,
) -> GroupView:
    st = ctx_of(info).state
    board = st.board(board_id)
    group = st.create_group(
        board["id"],
        group_name,
        relative_to=relative_to,
        after=position_relative_method != "before_at",
    )
    return GroupView(st, board, group)


@mutation
def m_create_board(
    _: Any,
    info: GraphQLResolveInfo,
    board_name: str,
    board_kind: str,
    description: str | None = None,
    workspace_id: str | None = None,
    folder_id: str | None = None,
    empty: bool | None = None,
    template_id: str | None = None,
    **__: Any,
) -> BoardView:
    st = ctx_of(info).state
    if template_id is not None:
        raise MondayError(
            "The sandbox does not implement create_board(template_id); use duplicate_board",
            "NotImplementedInSandbox",
            {"argument": "template_id"},
        )
    board = board_ops.create_board(
        st,
        board_name,
        kind=board_kind,
        description=description,
        workspace_id=workspace_id,
        folder_id=folder_id,
        empty=bool(empty),
    )
    return BoardView(st, board)


@mutation
def m_duplicate_board(
    _: Any,
    info: GraphQLResolveInfo,
    board_id: str,
    duplicate_type: str,
    board_name: str | None = None,
    workspace_id: str | None = None,
    folder_id: str | None = None,
    **__: Any,
) -> dict[str, Any]:
    st = ctx_of(info).state
    board = board_ops.duplicate_board(
        st, board_id, duplicate_type, name=board_name, workspace_id=workspace_id, folder_id=folder_id
    )
    return {"board": BoardView(st, board), "is_async": False}


@mutation
def m_archive_board(_: Any, info: GraphQLResolveInfo, board_id: str) -> BoardView:
    st = ctx_of(info).state
    return BoardView(st, st.set_board_state(board_id, "archived"))


@mutation
def m_delete_board(_: Any, info: GraphQLResolveInfo, board_id: str) -> BoardView:
    st = ctx_of(info).state
    return BoardView(st, st.set_board_state(board_id, "deleted"))


@mutation
def m_create_column(
    _: Any,
    info: GraphQLResolveInfo,
    board_id: str,
    title: str,
    column_type: str,
    id: str | None = None,
    description: str | None = None,  # noqa: A002
    defaults: Any = None,
    after_column_id: str | None = None,
    **__: Any,
) -> dict[str, Any]:
    st = ctx_of(info).state
    if isinstance(defaults, str) and defaults:
        try:
            defaults = json.loads(defaults)
        except json.JSONDecodeError:
            raise MondayError("defaults is not valid JSON", INVALID_ARGUMENT, {}) from None
    settings = None
    if isinstance(defaults, dict):
        if isinstance(defaults.get("settings"), dict):
            settings = defaults["settings"]
        elif "labels" in defaults:
            settings = cols.make_settings(column_type, defaults["labels"])
    column = st.add_column(
        board_id,
        title,
        column_type,
        column_id=id,
        settings=settings,
        description=description,
        after_column_id=after_column_id,
    )
    return column_dict(column)


@mutation
def m_delete_group(_: Any, info: GraphQLResolveInfo, board_id: str, group_id: str) -> GroupView:
    st = ctx_of(info).state
    board, group = delete_group(st, board_id, group_id)
    view = GroupView(st, board, {**group})
    view.deleted = True
    return view


@mutation
def m_update_group(
    _: Any, info: GraphQLResolveInfo, board_id: str, group_id: str, group_attribute: str, new_value: str
) -> GroupView:
    st = ctx_of(info).state
    board, group = update_group(st, board_id, group_id, group_attribute, new_value)
    return GroupView(st, board, group)


@mutation
def m_duplicate_item(
    _: Any, info: GraphQLResolveInfo, board_id: str, item_id: str | None = None, **__: Any
) -> ItemView:
    st = ctx_of(info).state
    return ItemView(st, duplicate_item(st, board_id, _need_item_id(item_id)))
