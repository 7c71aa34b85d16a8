"""The self-test's retention step (issue 23), on the scratch schema after the pushes: the log made
200 days old (every logged_at moved back, as time passing would), the compacted state folded from
scratch (``dbt build --full-refresh``), ``pusher.store.compaction.compact`` with 90 days, then a
scheduled build: the superseded rows are in MON_PushLogArchive, and the history, the state and the
outbox give the same rows as before. So the incremental folds, the archive and the compaction's
chunked copy-and-delete all run on the server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.verify_sqlserver.engine import Engine, SqlServerEngine
from tools.verify_sqlserver.report import Check

READS = {
    "MON_CustMasterSchedule_History": "SELECT sync_key, payload_hash, valid_from, valid_to, closed_by",
    "MON_CustMasterSchedule": "SELECT sync_key, monday_item_id, payload_hash, is_live",
    "MON_CustMasterSchedule_Subitems": "SELECT sync_key, monday_subitem_id, column_values, is_live",
    "STG_MON_CustMasterSchedule": "SELECT sync_key, operation",
}


def _answers(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    answers = {}
    for name, columns in READS.items():
        rows = engine.query(f"{columns} FROM {engine.relation(name)}")[1]
        answers[name] = sorted(tuple(str(v) for v in row) for row in rows)
    return answers


def _count(engine: Engine, relation: str) -> int:
    return int(engine.query(f"SELECT COUNT(*) FROM {engine.relation(relation)}")[1][0][0])


def compaction_check(
    engine: Engine, profiles_dir: Path, build: Callable[..., Check], keep_days: int = 90
) -> Check:
    from pusher.store.compaction import compact
    from pusher.store.connection import connect

    name = "compaction: superseded log rows archived; history, state and outbox unchanged"
    rows = _count(engine, "MON_PushLog")
    sqlserver = isinstance(engine, SqlServerEngine)
    shift = "DATEADD(day, -200, logged_at)" if sqlserver else "logged_at - INTERVAL 200 DAY"
    engine.execute(f"UPDATE {engine.relation('MON_PushLog')} SET logged_at = {shift}")
    engine.close()  # dbt and the compaction open their own connections (DuckDB: one writer)
    built = build("--full-refresh")
    if not built.ok:
        return Check(name, False, f"dbt build --full-refresh failed: {built.detail}")
    before = _answers(engine)  # the history's times moved with the log's
    engine.close()
    db = connect(engine.target, str(profiles_dir))
    try:
        done = compact(db, keep_days)
    finally:
        db.close()
    built = build()
    if not built.ok:
        return Check(name, False, f"dbt build after the compaction failed: {built.detail}")
    after = _answers(engine)
    hot, cold = _count(engine, "MON_PushLog"), _count(engine, "MON_PushLogArchive")
    same = [k for k in READS if before[k] == after[k]]
    ok = done.archived > 0 and hot + cold == rows and len(same) == len(READS)
    return Check(
        name,
        ok,
        f"{done.archived} of {rows} rows archived in {done.chunks} chunk(s) ({hot} left, archive {cold}); "
        f"unchanged: {', '.join(same) or 'none'}",
    )
