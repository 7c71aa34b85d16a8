"""The fixed sample ORDERS_UNIFIED of the self-test: sample_data/orders.yml (beside this module)
plus the rows of tests/golden/payloads.yml, as one table, loaded the same way into any ``Engine``.

The size columns are those of the dbt macro ``size_columns()`` (generated from the real table),
so the sample has exactly the columns the models expect. The golden rows are read at run time:
the golden file stays the one place that pins payloads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from tools.verify_sqlserver.engine import Engine

REPO = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).resolve().parent / "sample_data" / "orders.yml"
GOLDEN = REPO / "tests" / "golden" / "payloads.yml"
SIZE_MACRO = REPO / "dbt_project" / "macros" / "generated" / "size_columns.sql"
_SIZE_ENTRY = re.compile(r'\{"name": (?P<name>"(?:[^"\\]|\\.)*"), "is_text": (?P<text>true|false)\}')


@dataclass(frozen=True)
class SampleTable:
    columns: list[tuple[str, str]]  # (name, SQL Server type) in table order
    rows: list[dict[str, Any]]  # by column name; missing columns are NULL
    cases: dict[str, str]  # record_uuid -> what the row is for (for messages)


def size_columns(macro: Path = SIZE_MACRO) -> list[tuple[str, bool]]:
    """(size, is_text) from the generated macro, in table order."""
    found = [(json.loads(m["name"]), m["text"] == "true") for m in _SIZE_ENTRY.finditer(macro.read_text())]
    if not found:
        raise SystemExit(f"no size columns found in {macro}: run `make generate`")
    return found


def snake(name: str) -> str:
    return re.sub("[^a-z0-9]+", "_", name.lower()).strip("_")


def golden_cases(path: Path = GOLDEN) -> list[dict[str, Any]]:
    """The golden `items` cases: rows of int_order_lines_valid with per-engine expectations."""
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or [])


def _value(value: Any, sql_server_type: str) -> Any:
    if isinstance(value, dict) and "repeat" in value:
        return str(value["repeat"]) * int(value["times"])
    if value is None:
        return None
    if sql_server_type.startswith("DECIMAL"):
        return Decimal(str(value))
    if sql_server_type.startswith(("NVARCHAR", "VARCHAR", "UNIQUEIDENTIFIER")):
        return str(value)
    return value


def read_sample(sample: Path = SAMPLE, golden: Path = GOLDEN, macro: Path = SIZE_MACRO) -> SampleTable:
    spec = yaml.safe_load(sample.read_text(encoding="utf-8"))
    descriptive: dict[str, str] = spec["columns"]
    sizes = size_columns(macro)
    types = dict(descriptive)
    types.update({name: spec["text_size_type"] if is_text else "INT" for name, is_text in sizes})
    rows, cases = [], {}
    for raw in spec["rows"]:
        merged = {**spec["defaults"], **{k: v for k, v in raw.items() if k not in ("case", "sizes")}}
        unknown = [s for s in raw.get("sizes") or {} if s not in types or s in descriptive]
        if unknown:
            raise SystemExit(f"{sample}: sizes {unknown} are not size columns of ORDERS_UNIFIED")
        merged.update(raw.get("sizes") or {})
        rows.append({k: _value(v, types[k]) for k, v in merged.items()})
        cases[str(raw.get("record_uuid"))] = str(raw.get("case", ""))
    by_snake = {snake(name): name for name in descriptive}
    for case in golden_cases(golden):
        row = {
            by_snake[k]: _value(v, descriptive[by_snake[k]]) for k, v in case["row"].items() if k in by_snake
        }
        rows.append(row)
        cases[str(row["record_uuid"])] = f"golden: {case['name']}"
    return SampleTable(list(types.items()), rows, cases)


def load_sample(engine: Engine, table: SampleTable, name: str = "ORDERS_UNIFIED") -> None:
    """CREATE TABLE <scratch>.ORDERS_UNIFIED and insert every row, one parameterised INSERT each."""
    relation = engine.relation(name)
    columns = ", ".join(engine.column_def(n, t) for n, t in table.columns)
    engine.execute(f"CREATE TABLE {relation} ({columns})")
    names = [n for n, _ in table.columns]
    marks = ", ".join("?" for _ in names)
    insert = f"INSERT INTO {relation} ({', '.join(engine.quote(n) for n in names)}) VALUES ({marks})"
    for row in table.rows:
        engine.execute(insert, [row.get(n) for n in names])


# Columns of int_order_lines_valid that the golden rows give, with their type as the models see it.
GOLDEN_TYPES = {
    "order_date_po_received": "DATE",
    "ex_factory_date": "DATE",
    "eta_customer_warehouse_date": "DATE",
    "customer_price": "DECIMAL(18,2)",
    "total_qty": "INT",
    "order_qty": "INT",
}


def load_golden_lines(engine: Engine, cases: list[dict[str, Any]], name: str) -> None:
    """The golden rows as a table shaped like int_order_lines_valid (text columns NVARCHAR(MAX))."""
    keys = list(dict.fromkeys(k for case in cases for k in case["row"]))
    types = {k: GOLDEN_TYPES.get(k, "NVARCHAR(MAX)") for k in keys}
    columns = ", ".join(engine.column_def(k, t) for k, t in types.items())
    engine.execute(f"CREATE TABLE {engine.relation(name)} ({columns})")
    marks = ", ".join("?" for _ in keys)
    insert = (
        f"INSERT INTO {engine.relation(name)} ({', '.join(engine.quote(k) for k in keys)}) VALUES ({marks})"
    )
    for case in cases:
        engine.execute(insert, [_value(case["row"].get(k), types[k]) for k in keys])
