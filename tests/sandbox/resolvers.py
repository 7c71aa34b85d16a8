"""Loads the monday SDL and installs the sandbox's root resolvers on it."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import yaml
from graphql import GraphQLResolveInfo, GraphQLSchema, build_schema

from .errors import MondayError
from .job_resolvers import (
    m_backfill_items,
    m_bulk_archive_items,
    m_bulk_delete_items,
    m_ingest_items,
    q_fetch_job_status,
    q_job_status,
)
from .mutations import (
    Resolver,
    m_archive_board,
    m_archive_item,
    m_change_values,
    m_create_board,
    m_create_column,
    m_create_group,
    m_create_item,
    m_create_subitem,
    m_delete_board,
    m_delete_group,
    m_delete_item,
    m_duplicate_board,
    m_duplicate_item,
    m_move_item_to_group,
    m_update_group,
)
from .queries import q_boards, q_complexity, q_items, q_items_by_column_values, q_me, q_next_items_page

SCHEMA_ENV = "MONDAY_SCHEMA_SDL"
REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"


def pinned_api_version() -> str:
    """The ``api_version`` the repository's monday.yml pins (what the pusher sends)."""
    config = yaml.safe_load((REPO_ROOT / "monday.yml").read_text(encoding="utf-8")) or {}
    return str(config.get("api_version") or "2026-10")


def schema_path() -> Path:
    """The SDL file: ``$MONDAY_SCHEMA_SDL``, else ``tests/sandbox/schema/monday-<api_version>.graphql``
    for monday.yml's ``api_version`` (monday's schema without its description texts; schema_file.py
    says where it comes from and refreshes it)."""
    env = os.environ.get(SCHEMA_ENV)
    return Path(env) if env else SCHEMA_DIR / f"monday-{pinned_api_version()}.graphql"


def load_schema(path: str | os.PathLike[str] | None = None) -> GraphQLSchema:
    """Build the schema once per path and attach the resolvers (read from context)."""
    return _load_schema(str(Path(path) if path else schema_path()))


@functools.lru_cache(maxsize=4)
def _load_schema(path: str) -> GraphQLSchema:
    schema = build_schema(Path(path).read_text(encoding="utf-8"))
    install_resolvers(schema)
    return schema


QUERY_RESOLVERS: dict[str, Resolver] = {
    "boards": q_boards,
    "items": q_items,
    "items_page_by_column_values": q_items_by_column_values,
    "next_items_page": q_next_items_page,
    "complexity": q_complexity,
    "me": q_me,
    "fetch_job_status": q_fetch_job_status,
    "job_status": q_job_status,
}
MUTATION_RESOLVERS: dict[str, Resolver] = {
    "create_item": m_create_item,
    "create_subitem": m_create_subitem,
    "change_multiple_column_values": m_change_values,
    "delete_item": m_delete_item,
    "archive_item": m_archive_item,
    "move_item_to_group": m_move_item_to_group,
    "delete_group": m_delete_group,
    "update_group": m_update_group,
    "duplicate_item": m_duplicate_item,
    "create_group": m_create_group,
    "create_board": m_create_board,
    "duplicate_board": m_duplicate_board,
    "archive_board": m_archive_board,
    "delete_board": m_delete_board,
    "create_column": m_create_column,
    "complexity": q_complexity,
    "ingest_items": m_ingest_items,
    "backfill_items": m_backfill_items,
    "bulk_archive_items": m_bulk_archive_items,
    "bulk_delete_items": m_bulk_delete_items,
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
    job_status = schema.type_map["JobStatus"]
    job_status.resolve_type = lambda value, _info, _type: value["__typename"]  # type: ignore[attr-defined]


def known_typenames(schema: GraphQLSchema) -> frozenset[str]:
    return frozenset(t.name for t in schema.get_possible_types(schema.type_map["ColumnValue"]))  # type: ignore[arg-type]
