"""dbt profile (profile ``order_sync``) → a DB-API connection wrapped in ``Database``.

The pusher reads the same profiles.yml as dbt (``$DBT_PROFILES_DIR/profiles.yml``, else
``./profiles.yml``, else ``./profiles.example.yml``) and renders its ``{{ env_var(...) }}`` calls
with jinja2, so dbt and the pusher always agree on where the outbox lives.

Every value goes to the database as a ``?`` parameter (both duckdb and pyodbc use qmark);
only identifiers (schema and relation names, validated) are put into SQL text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
import yaml

from .errors import ConfigError

PROFILE_NAME = "order_sync"
MAX_PARAMS = 2000
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,127}$")


def find_profiles_file(profiles_dir: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    directory = profiles_dir or env.get("DBT_PROFILES_DIR")
    if directory:
        path = Path(directory) / "profiles.yml"
        if not path.is_file():
            raise ConfigError(f"no profiles.yml in {directory} (DBT_PROFILES_DIR / --profiles-dir)")
        return path
    for candidate in (Path("profiles.yml"), Path("profiles.example.yml")):
        if candidate.is_file():
            return candidate
    raise ConfigError("no profiles.yml found (set DBT_PROFILES_DIR or run from the project root)")


def _renderer(env: Mapping[str, str]) -> jinja2.Environment:
    def env_var(name: str, default: Any = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise ConfigError(f"profiles.yml needs environment variable {name}, which is not set")
        return str(default)

    def as_bool(value: Any) -> bool:
        return str(value).strip().lower() in ("1", "true", "yes", "on")

    # Renders YAML scalars, not HTML: autoescaping would corrupt paths and passwords.
    jenv = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)  # noqa: S701
    jenv.globals["env_var"] = env_var
    jenv.filters.update(as_bool=as_bool, as_number=lambda v: v, as_text=str, as_native=lambda v: v)
    return jenv


def _render(node: Any, jenv: jinja2.Environment) -> Any:
    if isinstance(node, str) and ("{{" in node or "{%" in node):
        try:
            return jenv.from_string(node).render()
        except jinja2.TemplateError as exc:
            raise ConfigError(f"profiles.yml: cannot render {node!r}: {exc}") from None
    if isinstance(node, dict):
        return {k: _render(v, jenv) for k, v in node.items()}
    if isinstance(node, list):
        return [_render(v, jenv) for v in node]
    return node


def load_output(
    target: str | None = None, profiles_dir: str | None = None, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The rendered output (connection settings) of profile ``order_sync`` for ``target``."""
    env = os.environ if env is None else env
    path = find_profiles_file(profiles_dir, env)
    try:
        profiles = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    profile = profiles.get(PROFILE_NAME)
    if not isinstance(profile, dict):
        raise ConfigError(f"{path} has no profile {PROFILE_NAME!r}")
    jenv = _renderer(env)
    name = target or _render(profile.get("target"), jenv)
    outputs = profile.get("outputs") or {}
    if name not in outputs:
        raise ConfigError(f"profile {PROFILE_NAME!r} has no target {name!r} (have: {', '.join(outputs)})")
    output = _render(outputs[name], jenv)
    if not isinstance(output, dict) or "type" not in output:
        raise ConfigError(f"target {name!r} in {path} has no `type`")
    output["_target"] = name
    return output


class Database:
    """A DB-API connection plus the little dialect knowledge the pusher needs."""

    def __init__(self, conn: Any, dialect: str, schema: str) -> None:
        if not _IDENT.match(schema):
            raise ConfigError(f"schema name {schema!r} is not a plain identifier")
        self.conn = conn
        self.dialect = dialect
        self.schema = schema

    def relation(self, name: str) -> str:
        """The quoted, schema-qualified name of a relation in the dbt target schema."""
        if not _IDENT.match(name):
            raise ValueError(f"not a plain identifier: {name!r}")
        if self.dialect == "sqlserver":
            return f"[{self.schema}].[{name}]"
        return f'"{self.schema}"."{name}"'

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        try:
            cur.execute(sql, list(params))
            return [tuple(r) for r in cur.fetchall()]
        finally:
            cur.close()

    def query_dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.conn.cursor()
        try:
            cur.execute(sql, list(params))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            cur.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One transaction; yields a cursor. Rolls back on any error."""
        cur = self.conn.cursor()
        if self.dialect == "duckdb":
            cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            if self.dialect == "duckdb":
                cur.execute("ROLLBACK")
            else:
                self.conn.rollback()
            raise
        else:
            if self.dialect == "duckdb":
                cur.execute("COMMIT")
            else:
                self.conn.commit()
        finally:
            cur.close()

    def insert_many(
        self, cur: Any, relation: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Multi-row ``INSERT ... VALUES (?, ...), (?, ...)`` in chunks under 2,000 parameters
        (SQL Server allows 2,100 per statement); much faster than executemany on duckdb."""
        per = max(1, min(1000, MAX_PARAMS // max(1, len(columns))))
        row_marks = "(" + ", ".join("?" for _ in columns) + ")"
        head = f"INSERT INTO {relation} ({', '.join(columns)}) VALUES "
        for i in range(0, len(rows), per):
            chunk = rows[i : i + per]
            cur.execute(head + ", ".join(row_marks for _ in chunk), [v for row in chunk for v in row])

    def relation_exists(self, name: str) -> bool:
        rows = self.query(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            (self.schema, name),
        )
        if rows and rows[0][0]:
            return True
        if self.dialect == "duckdb":  # duckdb matches identifiers case-insensitively
            rows = self.query(
                "SELECT COUNT(*) FROM information_schema.tables "
                "WHERE lower(table_schema) = lower(?) AND lower(table_name) = lower(?)",
                (self.schema, name),
            )
            return bool(rows and rows[0][0])
        return False

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: S110 - closing is best effort
            pass


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


def _odbc_value(value: Any) -> str:
    text = str(value)
    return "{" + text.replace("}", "}}") + "}"


def _truthy(value: Any, default: bool) -> bool:
    if value is None:
        return default
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def sqlserver_connection_string(output: Mapping[str, Any]) -> str:
    """An ODBC connection string from a dbt-sqlserver output. Contains secrets: never log it."""
    server = str(output.get("server") or output.get("host") or "")
    if not server:
        raise ConfigError("sqlserver target needs `server`")
    port = output.get("port")
    parts = {
        "DRIVER": _odbc_value(output.get("driver") or "ODBC Driver 18 for SQL Server"),
        "SERVER": f"{server},{int(port)}" if port else server,
        "DATABASE": _odbc_value(output.get("database") or output.get("dbname") or ""),
        "Encrypt": "yes" if _truthy(output.get("encrypt"), True) else "no",
        "TrustServerCertificate": "yes" if _truthy(output.get("trust_cert"), False) else "no",
        "APP": "order-sync-pusher",
    }
    auth = str(output.get("authentication") or "sql").lower()
    if _truthy(output.get("windows_login") or output.get("trusted_connection"), False):
        parts["Trusted_Connection"] = "yes"
    elif auth in ("sql", "activedirectorypassword", "serviceprincipal"):
        user = output.get("user") or output.get("username") or output.get("client_id")
        secret = output.get("password") or output.get("client_secret")
        if auth != "sql":
            parts["Authentication"] = {"activedirectorypassword": "ActiveDirectoryPassword"}.get(
                auth, "ActiveDirectoryServicePrincipal"
            )
        if user:
            parts["UID"] = _odbc_value(user)
        if secret:
            parts["PWD"] = _odbc_value(secret)
    else:
        parts["Authentication"] = str(output.get("authentication"))
    return ";".join(f"{k}={v}" for k, v in parts.items())


def _connect_sqlserver(output: Mapping[str, Any]) -> Database:
    try:
        import pyodbc  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ConfigError(f"the sqlserver target needs pyodbc and unixODBC: {exc}") from None
    try:
        conn = pyodbc.connect(sqlserver_connection_string(output), autocommit=False, timeout=30)
    except pyodbc.Error as exc:
        # pyodbc's message names the driver/server, never the connection string's password.
        raise ConfigError(f"cannot connect to SQL Server: {exc.args[-1] if exc.args else exc}") from None
    return Database(conn, "sqlserver", str(output.get("schema") or "dbo"))


def connect(target: str | None = None, profiles_dir: str | None = None) -> Database:
    output = load_output(target, profiles_dir)
    kind = str(output["type"]).lower()
    if kind == "duckdb":
        return _connect_duckdb(output)
    if kind == "sqlserver":
        return _connect_sqlserver(output)
    raise ConfigError(f"unsupported target type {kind!r} (duckdb or sqlserver)")
