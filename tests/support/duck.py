"""One query on a DuckDB file, its connection closed again (the pusher and dbt open the same file)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb


def sql(
    db: Path, query: str, params: Sequence[Any] | None = None, read_only: bool = False
) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=read_only)
    try:
        return con.execute(query, list(params or [])).fetchall()
    finally:
        con.close()


def stamp_mapping(db: Path, config: Path, schema: str = "main") -> str:
    """What ``dbt build`` writes into ``MON_SyncMapping`` for ``config``, for an outbox a test makes
    by hand (it stands in for a build from that monday.yml). Returns the fingerprint."""
    import yaml

    from pusher.config.dbt_mapping import dbt_mapping, fingerprint

    stamp = fingerprint(dbt_mapping(yaml.safe_load(config.read_text(encoding="utf-8"))))
    sql(
        db,
        f"create or replace table {schema}.MON_SyncMapping"
        " (mapping_fingerprint varchar, mapping_source varchar)",
    )
    sql(
        db,
        f"insert into {schema}.MON_SyncMapping values (?, ?)",
        [stamp, f"a test's outbox for {config.name}"],
    )
    return stamp
