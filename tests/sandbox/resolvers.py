"""Loads the monday SDL and installs the sandbox's root resolvers on it."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphql import GraphQLResolveInfo, GraphQLSchema, build_schema

from . import columns as cols
from .errors import INVALID_ARGUMENT, INVALID_ITEM_ID, MondayError
from .views import (
    ME,
    BoardView,
    GroupView,
    ItemView,
    column_dict,
    ctx_of,
    decode_cursor,
    first_page,
    run_page,
)

SCHEMA_ENV = "MONDAY_SCHEMA_SDL"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCHEMA = REPO_ROOT.parent / "shared" / "monday" / "schema-2026-10.graphql"
Resolver = Callable[..., Any]


def schema_path() -> Path:
    """The SDL file: ``$MONDAY_SCHEMA_SDL`` or ``../shared/monday/schema-2026-10.graphql``."""
    env = os.environ.get(SCHEMA_ENV)
    return Path(env) if env else DEFAULT_SCHEMA


def load_schema(path: str | os.PathLike[str] | None = None) -> GraphQLSchema:
    """Build the schema once per path and attach the resolvers (read from context)."""
    return _load_schema(str(Path(path) if path else schema_path()))


@functools.lru_cache(maxsize=4)
def _load_schema(path: str) -> GraphQLSchema:
    schema = build_schema(Path(path).read_text(encoding="utf-8"))
    install_resolvers(schema)
    return schema


def _need_item_id(item_id: Any) -> Any:
    if item_id is None:
        raise MondayError("item_id is required", INVALID_ITEM_ID, {})
    return item_id


# ------------------------------------------------------------------- queries
def q_boards(
    _: Any,
    info: GraphQLResolveInfo,
    ids: list[str] | None = None,
    limit: int | None = None,
    page: int | None = None,
    state: str | None = None,
    **__: Any,
) -> list[BoardView]:
    st = ctx_of(info).state
    wanted_state = state or "active"
    boards = [
        b
        for b in st.boards.values()
        if (ids is None or b["id"] in {str(i) for i in ids})
        and b.get("state") != "deleted"
        and (wanted_state == "all" or b.get("state", "active") == wanted_state)
    ]
    size = limit or 25
    start = ((page or 1) - 1) * size
    return [BoardView(st, b) for b in boards[start : start + size]]


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
    return ME


# ----------------------------------------------------------------- mutations
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
    **__: Any,
) -> BoardView:
    st = ctx_of(info).state
    return BoardView(st, st.create_board(board_name, kind=board_kind, description=description))


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


QUERY_RESOLVERS: dict[str, Resolver] = {
    "boards": q_boards,
    "items": q_items,
    "items_page_by_column_values": q_items_by_column_values,
    "next_items_page": q_next_items_page,
    "complexity": q_complexity,
    "me": q_me,
}
MUTATION_RESOLVERS: dict[str, Resolver] = {
    "create_item": m_create_item,
    "create_subitem": m_create_subitem,
    "change_multiple_column_values": m_change_values,
    "delete_item": m_delete_item,
    "archive_item": m_archive_item,
    "move_item_to_group": m_move_item_to_group,
    "create_group": m_create_group,
    "create_board": m_create_board,
    "create_column": m_create_column,
    "complexity": q_complexity,
}


def _unsupported(field_name: str) -> Resolver:
    def resolve(_: Any, info: GraphQLResolveInfo, **__: Any) -> Any:
        raise MondayError(
            f"The sandbox does not implement {info.parent_type.name}.{field_name}",
            "NotImplementedInSandbox",
            {"field": field_name},
        )

    return resolve


def install_resolvers(schema: GraphQLSchema) -> None:
    assert schema.query_type is not None and schema.mutation_type is not None
    for root, table in ((schema.query_type, QUERY_RESOLVERS), (schema.mutation_type, MUTATION_RESOLVERS)):
        for name, fld in root.fields.items():
            fld.resolve = table.get(name) or _unsupported(name)
    column_value = schema.type_map["ColumnValue"]
    column_value.resolve_type = lambda value, _info, _type: value["__typename"]  # type: ignore[attr-defined]


def known_typenames(schema: GraphQLSchema) -> frozenset[str]:
    return frozenset(t.name for t in schema.get_possible_types(schema.type_map["ColumnValue"]))  # type: ignore[arg-type]
