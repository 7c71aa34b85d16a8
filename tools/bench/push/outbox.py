"""The outbox every mode of the push benchmark syncs: ``tools.sample_orders create --lines N`` and
``dbt build`` in a temp dir (the real outbox views), then the outbox rows copied into tables of a
fresh DuckDB file, all under one customer (one board), keeping at most ``sizes`` subitems per item.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[3]
BOARD, SUBBOARD = "9001", "9002"
CUSTOMER = "BENCH CUSTOMER"
ON_BOARD = f"'{BOARD}' as board_id, '{SUBBOARD}' as subitem_board_id, 'Orders' as board_name"


def build_outbox(tmp: Path, lines: int, sizes: int) -> Path:
    """Sample orders → dbt build → the outbox copied into tables of ``bench.duckdb``."""
    src = tmp / "orders.duckdb"
    shutil.copy(REPO / "profiles.example.yml", tmp / "profiles.yml")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(tmp),
        "ORDER_SYNC_DUCKDB": str(src),
        "ORDER_SYNC_TARGET": "duckdb",
    }
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "tools.sample_orders", "create", "--db", str(src), "--lines", str(lines)],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "build", "--project-dir", "dbt_project", "--target-path", str(tmp / "target")]
        + ["--log-path", str(tmp / "logs"), "--quiet"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit("dbt build failed:\n" + result.stdout[-3000:] + result.stderr[-3000:])
    print(f"outbox built by dbt in {time.monotonic() - started:.0f}s", flush=True)

    bench = tmp / "bench.duckdb"
    con = duckdb.connect(str(bench))
    try:
        con.execute(f"attach '{src}' as src (read_only)")
        con.execute("create table main.MON_PushLog as select * from src.main.MON_PushLog where false")
        con.execute(
            "create table main.STG_MON_CustMasterSchedule as "
            # one customer's board (dbt placed lines past the first board's fill by all their
            # sizes; the bench keeps --sizes of them): its groups are its seasons
            f"select * replace ('{CUSTOMER}' as customer_name, "
            f"'{CUSTOMER} ' || coalesce(season, 'No season') as group_title, {ON_BOARD}) "
            "from src.main.STG_MON_CustMasterSchedule"
        )
        con.execute(
            "create table main.STG_MON_CustMasterSchedule_Subitems as "
            f"select * exclude (rn) replace ('{CUSTOMER}' as customer_name, {ON_BOARD}) from ("
            "  select *, row_number() over (partition by parent_sync_key order by sync_key) as rn"
            "  from src.main.STG_MON_CustMasterSchedule_Subitems"
            f") where rn <= {int(sizes)}"
        )
        con.execute("detach src")
    finally:
        con.close()
    return bench
