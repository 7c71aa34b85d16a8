"""What the self-test asks SQL Server before it touches anything: version, edition, compatibility
level, collations and rights, and the prerequisites that follow from them, each with its fix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.verify_sqlserver.engine import Engine
from tools.verify_sqlserver.report import Check

SERVER_SQL = """
SELECT
    CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version,
    CAST(SERVERPROPERTY('ProductLevel') AS nvarchar(128)) AS product_level,
    CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition,
    CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition,
    CAST(SERVERPROPERTY('Collation') AS nvarchar(128)) AS server_collation,
    DB_NAME() AS database_name,
    CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS nvarchar(128)) AS database_collation,
    (SELECT compatibility_level FROM sys.databases WHERE database_id = DB_ID()) AS compatibility_level,
    SUSER_SNAME() AS login_name,
    USER_NAME() AS user_name,
    HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'CREATE SCHEMA') AS can_create_schema,
    HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'CREATE TABLE') AS can_create_table,
    HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'CREATE VIEW') AS can_create_view
"""

# The collations of the text columns of a table (the real ORDERS_UNIFIED, and the sample's).
COLUMN_COLLATION_SQL = """
SELECT COLLATION_NAME, COUNT(*) AS columns
FROM INFORMATION_SCHEMA.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLLATION_NAME IS NOT NULL
GROUP BY COLLATION_NAME
ORDER BY COUNT(*) DESC
"""

AZURE_EDITIONS = {5: "Azure SQL Database", 8: "Azure SQL Managed Instance"}
MIN_MAJOR = 14  # SQL Server 2017
MIN_COMPATIBILITY = 140


def server_facts(engine: Engine) -> dict[str, Any]:
    names, rows = engine.query(SERVER_SQL)
    return dict(zip(names, rows[0], strict=True))


def column_collations(engine: Engine, schema: str, table: str = "ORDERS_UNIFIED") -> str:
    """'Latin1_General_CI_AS (20 columns)', or a note when the table is not there."""
    _, rows = engine.query(COLUMN_COLLATION_SQL, (schema, table))
    if not rows:
        return f"no text columns found for {schema}.{table}"
    return ", ".join(f"{name} ({count} columns)" for name, count in rows)


def describe(facts: Mapping[str, Any]) -> dict[str, str]:
    """The facts as the report shows them."""
    edition = AZURE_EDITIONS.get(int(facts.get("engine_edition") or 0), str(facts.get("edition")))
    collation = str(facts.get("database_collation"))
    out = {
        "server": f"SQL Server {facts.get('product_version')} {facts.get('product_level') or ''}".strip(),
        "edition": edition,
        "database": f"{facts.get('database_name')} (compatibility level {facts.get('compatibility_level')})",
        "database collation": collation,
        "server collation": str(facts.get("server_collation")),
        "login / user": f"{facts.get('login_name')} / {facts.get('user_name')}",
    }
    if "_SC" not in collation.upper() and "UTF8" not in collation.upper():
        out["note"] = (
            f"{collation} is not a supplementary-character (_SC / _UTF8) collation: LEN() counts a "
            "character outside the BMP (e.g. an emoji) as 2, so the 255-character item name limit "
            "can differ from DuckDB's for such names"
        )
    return out


def prerequisites(facts: Mapping[str, Any]) -> list[Check]:
    """Version, compatibility level and rights, each ✘ naming its fix."""
    checks = []
    engine_edition = int(facts.get("engine_edition") or 0)
    version = str(facts.get("product_version") or "0")
    try:
        major = int(version.split(".")[0])
    except ValueError:
        major = 0
    azure = engine_edition in AZURE_EDITIONS
    checks.append(
        Check(
            "SQL Server 2017 (14.x) or later",
            azure or major >= MIN_MAJOR,
            f"{AZURE_EDITIONS[engine_edition]}"
            if azure
            else f"version {version}"
            if major >= MIN_MAJOR
            else f"version {version}: CONCAT_WS, STRING_AGG and TRIM need SQL Server 2017 or later "
            "-- fix: upgrade the server (or use Azure SQL)",
        )
    )
    level = int(facts.get("compatibility_level") or 0)
    database = str(facts.get("database_name"))
    fix = f"ALTER DATABASE [{database.replace(']', ']]')}] SET COMPATIBILITY_LEVEL = {MIN_COMPATIBILITY}"
    checks.append(
        Check(
            f"database compatibility level {MIN_COMPATIBILITY} or higher",
            level >= MIN_COMPATIBILITY,
            f"level {level}"
            if level >= MIN_COMPATIBILITY
            else f"level {level}: CONCAT_WS (payload hashes, quarantine reasons) needs compatibility level "
            f"140 (SQL Server 2017) -- fix: {fix} (a DBA's decision: it changes the whole database)",
        )
    )
    rights = {
        "CREATE SCHEMA": facts.get("can_create_schema"),
        "CREATE TABLE": facts.get("can_create_table"),
        "CREATE VIEW": facts.get("can_create_view"),
    }
    lacking = [name for name, has in rights.items() if has not in (1, True)]
    user = str(facts.get("user_name")).replace("]", "]]")
    checks.append(
        Check(
            "rights to create a schema, tables and views",
            not lacking,
            "CREATE SCHEMA, CREATE TABLE, CREATE VIEW"
            if not lacking
            else f"user {facts.get('user_name')} lacks {', '.join(lacking)} in database {database} -- fix: "
            f"GRANT {', '.join(lacking)} TO [{user}]; (the self-test makes and drops a scratch schema of "
            "its own; or run it as a login in db_ddladmin)",
        )
    )
    return checks
