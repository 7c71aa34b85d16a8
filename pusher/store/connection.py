"""A dbt target's connection, wrapped in ``Database``: the pusher's one way to talk to the database.

The settings come from the dbt profile (``profiles.py``); SQL Server specifics live in
``sqlserver.py``. Every value goes to the database as a ``?`` parameter (both duckdb and pyodbc
use qmark); only identifiers (schema and relation names, validated) are put into SQL text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pusher.errors import ConfigError, CustomerBusy
from pusher.store.database import Database
from pusher.store.profiles import load_output
from pusher.store.sqlserver import _connect_sqlserver


def _connect_duckdb(output: Mapping[str, Any], wait_seconds: float = 0.0) -> Database:
    import duckdb

    path = str(output.get("path") or ":memory:")
    if path != ":memory:" and not Path(path).exists():
        raise ConfigError(f"DuckDB file {path} does not exist (run `make run` / dbt build first)")
    deadline = time.monotonic() + max(0.0, wait_seconds)
    while True:
        try:
            conn = duckdb.connect(path)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise ConfigError(f"cannot open DuckDB file {path}: {exc}") from None
            if time.monotonic() >= deadline:
                holder = re.search(r"PID (\d+)", str(exc))
                raise CustomerBusy(
                    f"the DuckDB file {path} is open in another process"
                    + (f" (PID {holder.group(1)})" if holder else "")
                    + ": DuckDB lets one process write it at a time, so another pusher or a dbt build"
                    " is running; this run sent nothing. Rerun when it ends, or pass --wait-for-lock SECONDS"
                ) from None
            time.sleep(0.5)
        except duckdb.Error as exc:
            raise ConfigError(f"cannot open DuckDB file {path}: {exc}") from None
    return Database(conn, "duckdb", str(output.get("schema") or "main"))


def connect(
    target: str | None = None, profiles_dir: str | None = None, wait_seconds: float = 0.0
) -> Database:
    """The target's database. DuckDB's file held by another process is ``CustomerBusy`` (after
    waiting up to ``wait_seconds`` for it)."""
    output = load_output(target, profiles_dir)
    kind = str(output["type"]).lower()
    if kind == "duckdb":
        return _connect_duckdb(output, wait_seconds)
    if kind == "sqlserver":
        return _connect_sqlserver(output)
    raise ConfigError(f"unsupported target type {kind!r} (duckdb or sqlserver)")
