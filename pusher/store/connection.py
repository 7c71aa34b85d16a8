"""A dbt target's connection, wrapped in ``Database``: the pusher's one way to talk to the database.

The settings come from the dbt profile (``profiles.py``); SQL Server specifics live in
``sqlserver.py``. Every value goes to the database as a ``?`` parameter (both duckdb and pyodbc
use qmark); only identifiers (schema and relation names, validated) are put into SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pusher.errors import ConfigError
from pusher.store.database import Database
from pusher.store.profiles import load_output
from pusher.store.sqlserver import _connect_sqlserver


def _connect_duckdb(output: Mapping[str, Any]) -> Database:
    import duckdb

    path = str(output.get("path") or ":memory:")
    if path != ":memory:" and not Path(path).exists():
        raise ConfigError(f"DuckDB file {path} does not exist (run `make run` / dbt build first)")
    try:
        conn = duckdb.connect(path)
    except duckdb.Error as exc:
        raise ConfigError(f"cannot open DuckDB file {path}: {exc}") from None
    return Database(conn, "duckdb", str(output.get("schema") or "main"))


def connect(target: str | None = None, profiles_dir: str | None = None) -> Database:
    output = load_output(target, profiles_dir)
    kind = str(output["type"]).lower()
    if kind == "duckdb":
        return _connect_duckdb(output)
    if kind == "sqlserver":
        return _connect_sqlserver(output)
    raise ConfigError(f"unsupported target type {kind!r} (duckdb or sqlserver)")
