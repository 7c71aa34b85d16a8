"""Root resolvers of the asynchronous item jobs: ingest/backfill imports and bulk archive/delete."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from .faults import Fault
from .job_store import JobStore
from .mutations import mutation
from .views import RequestContext, ctx_of


def _jobs(info: GraphQLResolveInfo) -> tuple[RequestContext, JobStore]:
    ctx = ctx_of(info)
    return ctx, ctx.jobs


def _take_fault(ctx: RequestContext) -> Fault | None:
    """An injected job fault applies to the first job the request starts."""
    fault, ctx.job_fault = ctx.job_fault, None
    return fault  # type: ignore[no-any-return]


def _start(
    info: GraphQLResolveInfo, kind: str, board_id: str, group_id: str, on_match: Any
) -> dict[str, Any]:
    ctx, jobs = _jobs(info)
    job = jobs.start_import(kind, board_id, group_id, on_match, ctx.is_admin, _take_fault(ctx))
    return {"job_id": job.id, "upload_url": jobs.upload_url(job)}


@mutation
def m_ingest_items(
    _: Any, info: GraphQLResolveInfo, board_id: str, group_id: str, on_match: Any = None
) -> dict[str, Any]:
    return _start(info, "ingest", board_id, group_id, on_match)


@mutation
def m_backfill_items(_: Any, info: GraphQLResolveInfo, board_id: str, group_id: str) -> dict[str, Any]:
    return _start(info, "backfill", board_id, group_id, None)


def _bulk(info: GraphQLResolveInfo, kind: str, board_id: str, item_ids: list[Any]) -> dict[str, Any]:
    ctx, jobs = _jobs(info)
    return {"job_id": jobs.start_bulk(kind, board_id, item_ids, _take_fault(ctx)).id}


@mutation
def m_bulk_archive_items(
    _: Any, info: GraphQLResolveInfo, board_id: str, item_ids: list[Any]
) -> dict[str, Any]:
    return _bulk(info, "archive", board_id, item_ids)


@mutation
def m_bulk_delete_items(
    _: Any, info: GraphQLResolveInfo, board_id: str, item_ids: list[Any]
) -> dict[str, Any]:
    return _bulk(info, "delete", board_id, item_ids)


def q_fetch_job_status(_: Any, info: GraphQLResolveInfo, job_id: str) -> dict[str, Any]:
    return _jobs(info)[1].import_status(job_id)


def q_job_status(_: Any, info: GraphQLResolveInfo, job_id: str) -> dict[str, Any]:
    return _jobs(info)[1].bulk_status(job_id)
