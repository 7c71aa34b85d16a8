"""The reference layout of ORDERS_UNIFIED, read from dbt_project/reference/ORDERS_UNIFIED.sql."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DDL = REPO / "dbt_project" / "reference" / "ORDERS_UNIFIED.sql"

# The descriptive (non-size) columns, in table order. Every other column of the table is a size.
DESCRIPTIVE_COLUMNS = (
    "record_uuid",
    "AAG ORDER NUMBER",
    "CUSTOMER NAME",
    "CUSTOMER SEASON",
    "AAG SEASON",
    "PO NUMBER",
    "CUSTOMER STYLE",
    "STYLE DESCRIPTION",
    "CUSTOMER COLOUR DESCRIPTION",
    "ORDER TYPE",
    "ORDER STATUS",
    "ORDER DATE PO RECEIVED",
    "EX FACTORY DATE",
    "ETA CUSTOMER WAREHOUSE DATE",
    "DELIVERY TERMS",
    "PLANNED DELIVERY METHOD",
    "CUSTOMER PRICE",
    "ORDER_QTY",
    "TOTAL_QTY",
    "NOTES",
    "LAST MODIFIED",
)

_COLUMN = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s+(?P<type>[A-Z0-9]+(?:\([^)]*\))?)", re.M)

_DUCKDB_TYPES = {
    "UNIQUEIDENTIFIER": "UUID",
    "NVARCHAR": "VARCHAR",
    "VARCHAR": "VARCHAR",
    "DATE": "DATE",
    "DATETIME2": "TIMESTAMP",
    "INT": "INTEGER",
    "BIGINT": "BIGINT",
}


@dataclass(frozen=True)
class Column:
    name: str
    sql_server_type: str

    @property
    def duckdb_type(self) -> str:
        base = self.sql_server_type.split("(")[0]
        if base == "DECIMAL":
            return self.sql_server_type
        return _DUCKDB_TYPES[base]

    @property
    def is_text(self) -> bool:
        return self.sql_server_type.startswith(("NVARCHAR", "VARCHAR"))


def ddl_path() -> Path:
    return Path(os.environ.get("ORDERS_UNIFIED_DDL", DEFAULT_DDL))


def read_layout(path: Path | None = None) -> list[Column]:
    path = path or ddl_path()
    if not path.exists():
        raise SystemExit(
            f"reference layout not found at {path}: restore dbt_project/reference/ORDERS_UNIFIED.sql "
            "from the repository (git checkout -- dbt_project/reference) or point ORDERS_UNIFIED_DDL at "
            "your copy of the table's CREATE TABLE"
        )
    body = path.read_text().split("CREATE TABLE", 1)[1]
    columns = [Column(m["name"], m["type"]) for m in _COLUMN.finditer(body)]
    names = [c.name for c in columns]
    missing = [d for d in DESCRIPTIVE_COLUMNS if d not in names]
    if missing:
        raise SystemExit(f"{path} lacks descriptive columns {missing}: update DESCRIPTIVE_COLUMNS")
    return columns


def size_columns(columns: list[Column]) -> list[Column]:
    return [c for c in columns if c.name not in DESCRIPTIVE_COLUMNS]
