"""Retention (issue 23): ``python -m pusher compact`` moves superseded push-log rows older than
``history.keep_days`` to ``MON_PushLogArchive``; history, state, errors, batches and the outbox give
the same answers afterwards, a rebuild too, and a compaction killed half way (SIGKILL) loses and
duplicates nothing. On the operations fixtures (tests/e2e/test_operations.py): the 40-line sample,
built once, and the monday sandbox. The log is made old by shifting every row back in time (as
months passing would), then dbt folds it again from scratch (``--full-refresh``).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from typing import Any

import duckdb

from pusher.commands.cli import main
from pusher.errors import EXIT_CONFIG, EXIT_OK
from tests.e2e import test_operations
from tests.e2e.test_operations import Ops, _dbt
from tests.support.paths import REPO

built = test_operations.built
ops = test_operations.ops

# Every relation a user or the pusher reads of the log's state, in a stable order.
VIEWS = {
    "history": "select * from main.MON_CustMasterSchedule_History order by sync_key, valid_from",
    "items": "select * from main.MON_CustMasterSchedule order by sync_key",
    "subitems": "select * from main.MON_CustMasterSchedule_Subitems order by sync_key",
    "groups": "select * from main.MON_Groups order by board_id, group_title",
    "errors": "select * from main.ERR_MON_CustMasterSchedule order by sync_key",
    "batches": "select * from main.MON_BatchProcessing order by batch_id",
    "item_outbox": "select * from main.STG_MON_CustMasterSchedule order by sync_key, operation",
    "subitem_outbox": "select * from main.STG_MON_CustMasterSchedule_Subitems order by sync_key, operation",
}


def answers(o: Ops) -> dict[str, list[tuple[Any, ...]]]:
    return {name: o.sql(query) for name, query in VIEWS.items()}


def edit(o: Ops, notes: str, keys: list[str], drop: str | None = None) -> None:
    with duckdb.connect(str(o.db)) as con:
        marks = ", ".join("?" for _ in keys)
        con.execute(
            f'update dbo.ORDERS_UNIFIED set "NOTES" = ? where record_uuid::varchar in ({marks})',
            [notes, *keys],
        )
        if drop:
            con.execute("delete from dbo.ORDERS_UNIFIED where record_uuid::varchar = ?", [drop])


def age(o: Ops, days: int, copies: int = 0) -> None:
    """Every log row ``days`` older; with ``copies``, each row also copied that many times, copy k
    another k weeks older, with batch, run and idempotency keys of its own (older runs' rows)."""
    with duckdb.connect(str(o.db)) as con:
        con.execute("update main.MON_PushLog set logged_at = logged_at - to_days(?)", [days])
        if copies:
            columns = [d[0] for d in con.execute("select * from main.MON_PushLog limit 0").description or []]
            renamed = {
                "log_id": "cast(uuid() as varchar)",
                "logged_at": "logged_at - to_days(cast(k * 7 as integer))",
                "run_id": "substr(md5(run_id || k), 1, 36)",
                "batch_id": "substr(md5(batch_id || k), 1, 36)",
                "idempotency_key": "md5(idempotency_key || k)",
            }
            picked = ", ".join(renamed.get(c, c) for c in columns)
            con.execute(
                f"insert into main.MON_PushLog ({', '.join(columns)}) select {picked} "
                "from main.MON_PushLog cross join range(1, ?) as t(k)",
                [copies + 1],
            )
    _dbt(o.tmp, "build", "--full-refresh")  # the compacted state folds the aged log from scratch


def synced_history(o: Ops) -> list[str]:
    """Two syncs 200 days ago (creates; then three updates and an archive) and one today (two
    more updates): old rows a later ok supersedes, and recent ones."""
    assert o.run("--all-customers")[0] == EXIT_OK
    live = sorted(r[0] for r in o.sql("select sync_key from main.MON_CustMasterSchedule"))
    edit(o, "moved to next week", live[:3], drop=live[3])
    _dbt(o.tmp, "build")
    assert o.run("--all-customers")[0] == EXIT_OK
    return live


def log_ids(o: Ops) -> tuple[list[str], list[str]]:
    hot = sorted(r[0] for r in o.sql("select log_id from main.MON_PushLog"))
    cold = sorted(r[0] for r in o.sql("select log_id from main.MON_PushLogArchive"))
    return hot, cold


def test_compaction_archives_superseded_rows_and_every_answer_stays(ops: Ops) -> None:
    live = synced_history(ops)
    age(ops, 200)
    edit(ops, "second change today", live[:2])
    _dbt(ops.tmp, "build")
    assert ops.run("--all-customers")[0] == EXIT_OK
    before = answers(ops)
    hot0, _ = log_ids(ops)
    assert len(before["history"]) > len(live)  # versions: the creates, then the changes

    code, out = ops.run("compact")
    assert code == EXIT_OK, out
    hot, cold = log_ids(ops)
    assert cold and "moved to MON_PushLogArchive" in out
    assert sorted(hot + cold) == sorted(hot0) and not set(hot) & set(cold)  # moved, not copied
    assert ops.run("compact")[0] == EXIT_OK and log_ids(ops) == (hot, cold)  # again: nothing more
    # never archived: the latest ok of each key, and everything logged in the last keep_days (90)
    latest_ok_archived = ops.sql(
        "select count(*) from (select log_id, row_number() over (partition by entity, sync_key, "
        "case when entity = 'group' then board_id end order by logged_at desc, log_id desc) as r "
        "from (select * from main.MON_PushLog union all select * exclude (archived_at) "
        "from main.MON_PushLogArchive) where phase = 'outcome' and status = 'ok') "
        "where r = 1 and log_id in (select log_id from main.MON_PushLogArchive)"
    )
    assert latest_ok_archived == [(0,)]
    recent = ops.sql(
        "select count(*) from main.MON_PushLogArchive where logged_at > now()::timestamp - interval 90 day"
    )
    assert recent == [(0,)]

    assert answers(ops) == before  # the views read the compacted state and the hot log
    _dbt(ops.tmp, "build")
    assert answers(ops) == before
    _dbt(ops.tmp, "build", "--full-refresh")  # a rebuild from scratch reads the archive too
    assert answers(ops) == before
    mutations = sum(ops.sandbox.stats["mutations_by_field"].values())
    assert ops.run("--all-customers")[0] == EXIT_OK
    assert sum(ops.sandbox.stats["mutations_by_field"].values()) == mutations  # nothing to send

    # the rows today's updates superseded are archived once a build has folded those updates
    assert ops.run("compact")[0] == EXIT_OK
    assert len(log_ids(ops)[1]) > len(cold)
    assert answers(ops) == before


def test_compaction_before_any_build_names_the_fix(ops: Ops) -> None:
    with duckdb.connect(str(ops.db)) as con:
        con.execute("drop table main.int_push_log_compacted")
    code = main(["compact"])
    assert code == EXIT_CONFIG
    assert "run the scheduled `dbt build` once" in ops.capsys.readouterr().err


def test_bad_keep_days_is_refused_with_the_fix(ops: Ops) -> None:
    (ops.tmp / "monday.yml").write_text(
        (ops.tmp / "monday.yml").read_text() + "\nhistory:\n  keep_days: 0\n", encoding="utf-8"
    )
    assert main(["compact"]) == EXIT_CONFIG
    err = ops.capsys.readouterr().err
    assert "history.keep_days must be a whole number of days, at least 1, got 0" in err
    assert "keep_days: 90" in err


def test_a_compaction_killed_half_way_loses_and_duplicates_nothing(ops: Ops) -> None:
    synced_history(ops)
    age(ops, 100, copies=30)  # ~30 weeks of older runs: a compaction of many one-day chunks
    before = answers(ops)
    hot0, _ = log_ids(ops)
    pristine = ops.tmp / "pristine.duckdb"
    shutil.copy(ops.db, pristine)

    landed = None
    delay = 0.5
    for _ in range(10):  # a kill early, then later, until one lands between two chunks' commits
        shutil.copy(pristine, ops.db)
        proc = subprocess.Popen(
            [sys.executable, "-m", "pusher", "compact", "--chunk-days", "1"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        out = proc.communicate(timeout=30)[0]
        finished = proc.returncode == 0
        hot, cold = log_ids(ops)
        assert sorted(hot + cold) == sorted(hot0), out  # nothing lost, nothing twice
        assert not set(hot) & set(cold)
        if cold and not finished:
            landed = len(cold)
            break
        if finished:
            delay *= 0.7
        else:
            delay *= 1.5
    assert landed, "no kill landed while the compaction was moving rows"

    code, out = ops.run("compact")  # the next run carries on
    assert code == EXIT_OK, out
    hot, cold = log_ids(ops)
    assert len(cold) > landed and sorted(hot + cold) == sorted(hot0)
    assert answers(ops) == before
    _dbt(ops.tmp, "build")
    assert answers(ops) == before


def test_keep_days_on_the_command_line_is_checked(ops: Ops) -> None:
    assert main(["compact", "--keep-days", "0"]) == EXIT_CONFIG
    assert "history.keep_days must be at least 1" in ops.capsys.readouterr().err
