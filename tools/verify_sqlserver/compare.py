"""What the self-test compares after both builds: the target engine against the DuckDB reference
build of the same sample, and each engine against the golden payloads and their documented
rendering. Every function takes ``Engine``s, so the same code runs on DuckDB in ``make test``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from tools.verify_sqlserver.engine import Engine
from tools.verify_sqlserver.report import Check, compare_rows, show
from tools.verify_sqlserver.sample import golden_cases, load_golden_lines

GOLDEN_TABLE = "verify_golden_lines"
JSON_COLUMNS = {"column_values"}

# check name -> (relation, columns, how many leading columns identify a row)
COMPARISONS: dict[str, tuple[str, list[str], int]] = {
    "quarantine reasons": ("QUAR_ORDERS_UNIFIED", ["record_uuid", "reason"], 1),
    "unpivoted sizes": ("int_order_sizes_unpivoted", ["record_uuid", "size", "qty"], 2),
    "group titles": ("int_order_lines_hashed", ["record_uuid", "group_title"], 1),
    "item names": ("int_order_lines_hashed", ["record_uuid", "item_name"], 1),
    "column_values (as JSON)": ("int_order_lines_hashed", ["record_uuid", "column_values"], 1),
    "outbox items": (
        "STG_MON_CustMasterSchedule",
        ["sync_key", "operation", "change_reason", "group_title", "item_name", "column_values", "board_id"],
        2,
    ),
    "outbox subitems": (
        "STG_MON_CustMasterSchedule_Subitems",
        ["sync_key", "operation", "change_reason", "parent_sync_key", "size", "qty", "column_values"],
        2,
    ),
}


def plain(value: Any, column: str = "") -> Any:
    """A value as both engines should agree on it: BIT/boolean as bool, decimals and dates as text,
    JSON parsed (key order and SQL Server's escaped '/' do not matter to monday)."""
    if value is None or isinstance(value, bool):
        return value
    if column in JSON_COLUMNS and isinstance(value, str):
        try:
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    return value


def read(engine: Engine, relation: str, columns: list[str]) -> list[tuple[Any, ...]]:
    select = ", ".join(engine.quote(c) for c in columns)
    _, rows = engine.query(f"SELECT {select} FROM {engine.relation(relation)}")
    return [tuple(plain(v, c) for v, c in zip(row, columns, strict=True)) for row in rows]


def _guarded(name: str, run: Callable[[], Check]) -> Check:
    """A check whose query fails (a relation or column missing on the target) is a ✘, not a crash."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - any driver error is a finding to report
        return Check(name, False, f"could not read: {type(exc).__name__}: {' '.join(str(exc).split())[:500]}")


def compare_engines(reference: Engine, target: Engine) -> list[Check]:
    """The same relations on both builds, row for row."""
    labels = (reference.label, target.label)
    checks = []
    for name, (relation, columns, key_width) in COMPARISONS.items():
        title = f"{name} ({relation})"

        def run(
            title: str = title, relation: str = relation, columns: list[str] = columns, width: int = key_width
        ) -> Check:
            want, got = read(reference, relation, columns), read(target, relation, columns)
            return compare_rows(title, columns, want, got, labels, width)

        checks.append(_guarded(title, run))
    return checks


def quarantine_coverage(engine: Engine) -> Check:
    """Every quarantine flag of QUAR_ORDERS_UNIFIED is raised by some sample row, so a rule added
    to staging without a sample row is noticed here."""
    name = "every quarantine reason is in the sample"

    def run() -> Check:
        columns, rows = engine.query(f"SELECT * FROM {engine.relation('QUAR_ORDERS_UNIFIED')}")
        flags = [i for i, c in enumerate(columns) if c.lower().startswith(("is_", "has_"))]
        raised = {columns[i] for i in flags if any(row[i] in (True, 1) for row in rows)}
        missing = [columns[i] for i in flags if columns[i] not in raised]
        if missing or not flags:
            fix = "add a row raising it to tools/verify_sqlserver/sample_data/orders.yml"
            return Check(name, False, f"no sample row raises {missing or 'any flag'} ({fix})")
        return Check(name, True, f"{len(flags)} flags, each raised ({len(rows)} rows quarantined)")

    return _guarded(name, run)


def compiled_model(target_path: Path, model: str) -> str:
    found = sorted(Path(target_path).glob(f"compiled/*/models/**/{model}.sql"))
    if not found:
        raise FileNotFoundError(f"no compiled {model}.sql under {target_path}")
    return found[0].read_text()


_VALID_REF = re.compile(
    r'(?:(?:"[^"]*"|\[[^\]]*\]|\w+)\.){0,2}(?:"int_order_lines_valid"|\[int_order_lines_valid\])'
)


def golden_sql(compiled: str, engine: Engine) -> str:
    """The compiled int_order_lines_hashed reading the golden rows instead of int_order_lines_valid."""
    sql, count = _VALID_REF.subn(engine.relation(GOLDEN_TABLE), compiled)
    if not count:
        raise ValueError("the compiled int_order_lines_hashed does not read int_order_lines_valid")
    return sql


def golden_payloads(engine: Engine, target_path: Path) -> Check:
    """The compiled model of this build, run on the rows of tests/golden/payloads.yml, gives
    exactly the payload_hash and column_values pinned there for this engine."""
    name = f"payload hashes and column_values = tests/golden/payloads.yml `{engine.dialect}` ({engine.label})"

    def run() -> Check:
        cases = golden_cases()
        load_golden_lines(engine, cases, GOLDEN_TABLE)
        columns, rows = engine.query(
            golden_sql(compiled_model(target_path, "int_order_lines_hashed"), engine)
        )
        got = {str(r[columns.index("record_uuid")]): r for r in rows}
        differences = []
        for case in cases:
            uuid, want = str(case["row"]["record_uuid"]), case["expect"][engine.dialect]
            row = got.get(uuid)
            for column in ("payload_hash", "column_values"):
                value = None if row is None else row[columns.index(column)]
                if value != want[column]:
                    differences.append(
                        f"{case['name']} ({uuid}) {column}: want {show(want[column])}, got {show(value)}"
                    )
        if differences:
            return Check(name, False, f"{len(differences)} of {2 * len(cases)} values differ", differences)
        return Check(name, True, f"{len(cases)} golden rows, hash and JSON exact")

    return _guarded(name, run)


def _rendered(engine: Engine) -> dict[str, tuple[tuple[str, str], tuple[str, str]]]:
    """Per valid line: ((payload_hash, column_values) of the build, the same by the documented
    rendering of tests/dbt/test_tsql_golden.py for this engine, from the line as the engine holds it)."""
    from tests.dbt.test_tsql_golden import render

    columns, rows = engine.query(f"SELECT * FROM {engine.relation('int_order_lines_valid')}")
    lines = {str(r[columns.index("record_uuid")]): dict(zip(columns, r, strict=True)) for r in rows}
    names = ", ".join(engine.quote(c) for c in ("record_uuid", "payload_hash", "column_values"))
    _, hashed = engine.query(f"SELECT {names} FROM {engine.relation('int_order_lines_hashed')}")
    return {str(u): ((h, j), render(lines[str(u)], engine.dialect)) for u, h, j in hashed}


def documented_rendering(reference: Engine, target: Engine) -> Check:
    """Every sample line whose DuckDB payload the documented rendering reproduces (SHA-256 over
    UTF-8, DuckDB's JSON) has, on the target, exactly the rendering documented for it there
    (SQL Server: SHA-256 over UTF-16LE, STRING_ESCAPE's JSON). Lines the Python rendering does not
    model (e.g. text the models shorten) are counted, not compared."""
    name = f"payload hashes = the documented {target.dialect} rendering of every sample line"

    def run() -> Check:
        explained = {u for u, (got, want) in _rendered(reference).items() if got == want}
        differences = []
        for uuid, (got, want) in sorted(_rendered(target).items()):
            if uuid in explained and got != want:
                differences.append(
                    f"record_uuid {uuid}: want {want[0]} {show(want[1])}, got {got[0]} {show(got[1])}"
                )
        if not explained:
            return Check(name, False, "the documented rendering reproduces no DuckDB line (the kit is stale)")
        if differences:
            return Check(name, False, f"{len(differences)} of {len(explained)} lines differ", differences)
        return Check(name, True, f"{len(explained)} lines exact")

    return _guarded(name, run)
