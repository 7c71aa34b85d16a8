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
