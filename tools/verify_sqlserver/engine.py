"""The two databases `make verify-sqlserver` compares, behind one small interface.

An ``Engine`` is a DB-API connection plus what differs between the dialects for the kit itself:
quoting and relation names, column types, making and dropping the scratch schema, and the dbt
profile output that builds into it. Everything else (loading the sample, the comparisons, the push
runs) is written once against this interface, so the DuckDB half runs for real in ``make test``
and the SQL Server half differs only here. Values always go as ``?`` parameters (duckdb and pyodbc
both use qmark); only identifiers are put into SQL text, quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tools.reference_layout import Column

SCRATCH_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,100}$")


class Engine:
    """One database holding one scratch schema. ``dialect`` is also the golden file's key."""

    dialect = ""

    def __init__(self, label: str, target: str, schema: str, opener: Callable[[], Any]) -> None:
        if not SCRATCH_NAME.match(schema):
            raise ValueError(f"scratch schema {schema!r} is not a plain identifier")
        self.label = label
        self.target = target
        self.schema = schema
        self._opener = opener
        self.conn: Any = None

    # ------------------------------------------------------------------ connection
    def open(self) -> None:
        if self.conn is None:
            self.conn = self._opener()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.open()
        cur = self.conn.cursor()
        try:
            cur.execute(sql, list(params))
        finally:
            cur.close()
        self.commit()

    def commit(self) -> None:
        """Each statement of the kit stands alone (dbt must see what was loaded)."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
        self.open()
        cur = self.conn.cursor()
        try:
            cur.execute(sql, list(params))
            names = [d[0] for d in cur.description]
            return names, [tuple(r) for r in cur.fetchall()]
        finally:
            cur.close()

    # ------------------------------------------------------------------ naming
    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def relation(self, name: str) -> str:
        return f"{self.quote(self.schema)}.{self.quote(name)}"

    def column_type(self, sql_server_type: str) -> str:
        return sql_server_type

    def column_def(self, name: str, sql_server_type: str) -> str:
        return f"{self.quote(name)} {self.column_type(sql_server_type)}"

    # ------------------------------------------------------------------ scratch schema
    def create_schema(self) -> None:
        raise NotImplementedError

    def drop_schema(self) -> None:
        raise NotImplementedError

    def profile_output(self, outputs: dict[str, Any]) -> dict[str, Any]:
        """The dbt profile output that builds into the scratch schema."""
        raise NotImplementedError


class DuckDBEngine(Engine):
    """A DuckDB file of its own (the reference build, and the whole kit in ``make test``)."""

    dialect = "duckdb"

    def __init__(self, label: str, target: str, schema: str, path: Path) -> None:
        import duckdb

        self.path = Path(path)
        super().__init__(label, target, schema, lambda: duckdb.connect(str(self.path)))

    def column_type(self, sql_server_type: str) -> str:
        return Column("x", sql_server_type.upper()).duckdb_type

    def create_schema(self) -> None:
        self.execute(f"CREATE SCHEMA IF NOT EXISTS {self.quote(self.schema)}")

    def drop_schema(self) -> None:
        self.execute(f"DROP SCHEMA IF EXISTS {self.quote(self.schema)} CASCADE")

    def profile_output(self, outputs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "duckdb", "path": str(self.path), "schema": self.schema, "threads": 2}


class SqlServerEngine(Engine):
    """The user's SQL Server, through the pusher's own connection code (same string as dbt's)."""

    dialect = "sqlserver"

    def commit(self) -> None:
        self.conn.commit()

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
        """As Engine.query, then ends the transaction pyodbc opened, so dbt and the pusher (other
        sessions) never wait on the kit."""
        result = super().query(sql, params)
        self.commit()
        return result

    def quote(self, name: str) -> str:
        return "[" + name.replace("]", "]]") + "]"

    def column_def(self, name: str, sql_server_type: str) -> str:
        return f"{self.quote(name)} {sql_server_type} NULL"

    def schema_exists(self) -> bool:
        return bool(self.query("SELECT COUNT(*) FROM sys.schemas WHERE name = ?", (self.schema,))[1][0][0])

    def create_schema(self) -> None:
        if self.schema_exists():
            raise RuntimeError(f"schema {self.schema} already exists: pick another with --schema")
        self.execute(f"CREATE SCHEMA {self.quote(self.schema)}")  # must be alone in its batch

    def drop_statements(self) -> list[str]:
        """DROP VIEW / DROP TABLE for everything in the scratch schema, views first, then the schema."""
        _, rows = self.query(
            "SELECT o.name, o.type FROM sys.objects AS o "
            "JOIN sys.schemas AS s ON s.schema_id = o.schema_id WHERE s.name = ? AND o.type IN ('V', 'U') "
            "ORDER BY CASE o.type WHEN 'V' THEN 0 ELSE 1 END, o.name",
            (self.schema,),
        )
        kinds = {"V": "VIEW", "U": "TABLE"}
        drops = [f"DROP {kinds[str(t).strip()]} {self.relation(str(n))}" for n, t in rows]
        return [*drops, f"DROP SCHEMA {self.quote(self.schema)}"]

    def drop_schema(self) -> None:
        if not self.schema_exists():
            return
        for statement in self.drop_statements():
            self.execute(statement)

    def profile_output(self, outputs: dict[str, Any]) -> dict[str, Any]:
        return {**outputs[self.target], "schema": self.schema}
