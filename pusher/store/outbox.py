"""Read the dbt outbox views for one customer (parameterized SQL, optional filters).

``STG_MON_CustMasterSchedule`` holds one row per item operation, ``..._Subitems`` one row per
subitem operation (docs/CONTRACT.md). The pusher never decides *what* to send; it only reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from pusher.config.settings import Filters
from pusher.errors import ConfigError
from pusher.store.database import Database

ITEM_OUTBOX = "STG_MON_CustMasterSchedule"
SUBITEM_OUTBOX = "STG_MON_CustMasterSchedule_Subitems"
_IN_CHUNK = 500  # stays far below SQL Server's 2,100 parameters per statement

ITEM_COLUMNS = (
    "customer_name",
    "sync_key",
    "operation",
    "change_reason",
    "monday_item_id",
    "group_title",
    "confirmed_group_title",
    "item_name",
    "column_values",
    "confirmed_column_values",
    "payload_hash",
    "confirmed_payload_hash",
    "order_number",
    "po_number",
    "season",
    "route_key",
    "overflow_no",
    "board_name",
    "board_id",
    "subitem_board_id",
    "sizes_mode",
    "mapping_fingerprint",
)
SUBITEM_COLUMNS = (
    "customer_name",
    "sync_key",
    "parent_sync_key",
    "operation",
    "change_reason",
    "monday_subitem_id",
    "monday_parent_item_id",
    "size",
    "qty",
    "item_name",
    "column_values",
    "confirmed_column_values",
    "payload_hash",
    "confirmed_payload_hash",
    "board_id",
    "board_name",
    "subitem_board_id",
    "mapping_fingerprint",
)
# The board columns (issue 10). An outbox built before them still reads: its rows then carry no
# board and go to the customer's configured board (Settings.board_id).
BOARD_COLUMNS = frozenset(
    {"route_key", "overflow_no", "board_name", "board_id", "subitem_board_id", "sizes_mode"}
)
# The mapping's fingerprint: an outbox built before it reads too, and the pusher then goes by
# MON_SyncMapping alone (pusher.sync.mapping_guard).
OPTIONAL_COLUMNS = BOARD_COLUMNS | {"mapping_fingerprint"}
SYNC_MAPPING = "MON_SyncMapping"
_IDS = frozenset(
    {"monday_item_id", "monday_subitem_id", "monday_parent_item_id", "board_id", "subitem_board_id"}
)


# Customer and season are labels (issue 12): the outbox holds them
# trimmed of these characters and upper-cased in SQL; a name given on the command line is trimmed
# of the same characters here and upper-cased by the database, so both sides fold case alike
# (Python's str.upper differs from SQL's on letters like 'ß').
LABEL_BLANKS = " \t\r\n\u00a0"


def label(value: str) -> str:
    """A customer or season as given (command line, monday.yml) trimmed like the outbox's labels."""
    return value.strip(LABEL_BLANKS)


def label_in(column: str, values: Sequence[str]) -> tuple[str, list[str]]:
    """`` AND UPPER(column) IN (UPPER(?), ...)`` for labels: trimmed here, case folded by SQL."""
    marks = ", ".join("UPPER(?)" for _ in values)
    return f" AND UPPER({column}) IN ({marks})", [label(v) for v in values]


def monday_id(value: Any) -> str | None:
    """monday ids as text, whatever numeric type the view happens to use."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_values(raw: str | None) -> dict[str, Any]:
    """A column_values JSON object string → dict (empty for NULL)."""
    if raw is None or str(raw).strip() == "":
        return {}
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("column_values is not a JSON object")
    return value


@dataclass
class ItemRow:
    customer_name: str
    sync_key: str
    operation: str
    change_reason: str | None
    monday_item_id: str | None
    group_title: str | None
    confirmed_group_title: str | None
    item_name: str | None
    column_values: str | None
    confirmed_column_values: str | None
    payload_hash: str
    confirmed_payload_hash: str | None
    order_number: str | None = None
    po_number: str | None = None
    season: str | None = None
    route_key: str | None = None
    overflow_no: str | None = None
    board_name: str | None = None
    board_id: str | None = None  # create: the placed board (None while not made); else the item's
    subitem_board_id: str | None = None
    sizes_mode: str | None = None
    mapping_fingerprint: str | None = None  # of the monday.yml mapping dbt built the row from

    @property
    def moves_group(self) -> bool:
        return (
            self.operation == "update"
            and self.group_title is not None
            and self.confirmed_group_title is not None
            and self.group_title != self.confirmed_group_title
        )

    @property
    def is_removal(self) -> bool:
        return self.operation in REMOVALS


@dataclass
class SubitemRow:
    customer_name: str
    sync_key: str
    parent_sync_key: str
    operation: str
    change_reason: str | None
    monday_subitem_id: str | None
    monday_parent_item_id: str | None
    size: str | None
    qty: Any
    item_name: str | None
    column_values: str | None
    confirmed_column_values: str | None
    payload_hash: str
    confirmed_payload_hash: str | None
    board_id: str | None = None  # the parent's board (confirmed, else placed)
    board_name: str | None = None
    subitem_board_id: str | None = None
    mapping_fingerprint: str | None = None


REMOVALS = ("archive", "delete")


def present_columns(db: Database, relation: str, wanted: Sequence[str]) -> list[str]:
    """Those of ``wanted`` the relation has (all of them when the catalogue does not say)."""
    rows = db.query(
        "SELECT column_name FROM information_schema.columns "
        "WHERE lower(table_schema) = lower(?) AND lower(table_name) = lower(?)",
        (db.schema, relation),
    )
    have = {str(r[0]).lower() for r in rows}
    return [c for c in wanted if c in have] if have else list(wanted)


def _columns(db: Database, relation: str, wanted: Sequence[str]) -> list[str]:
    """``wanted`` minus the board columns the relation does not have (an outbox built before them)."""
    if not db.relation_exists(relation):
        raise ConfigError(
            f"outbox {db.schema}.{relation} does not exist: run `dbt build` for this target first"
        )
    have = set(present_columns(db, relation, wanted))
    return [c for c in wanted if c in have or c not in OPTIONAL_COLUMNS]


def _select(db: Database, relation: str, columns: Sequence[str]) -> tuple[str, list[str]]:
    cols = _columns(db, relation, columns)
    sql = f"SELECT {', '.join(cols)} FROM {db.relation(relation)} WHERE UPPER(customer_name) = UPPER(?)"
    return sql, cols


def _typed(column: str, values: Sequence[Any]) -> Sequence[Any]:
    """One column's values as the rows hold them: ids as text, other text as ``str`` (a column
    already all text or NULL is kept as it is), ``qty`` as the database gives it."""
    if column == "qty":
        return values
    if column in _IDS:
        return list(map(monday_id, values))
    if set(map(type, values)) <= {str, type(None)}:
        return values
    return list(map(_text, values))


def _records(db: Database, sql: str, params: Sequence[Any], cols: Sequence[str], cls: Any) -> list[Any]:
    """``cls`` rows of the query's result, converted a column at a time (a 50,000-line first sync
    reads 425,000 subitem rows: per-row dicts cost ~5 s of it, issue 22)."""
    rows = db.query(sql, params)
    if not rows:
        return []
    columns = [_typed(c, v) for c, v in zip(cols, zip(*rows, strict=True), strict=True)]
    if list(cols) == [f.name for f in fields(cls)][: len(cols)]:
        return [cls(*r) for r in zip(*columns, strict=True)]
    return [cls(**dict(zip(cols, r, strict=True))) for r in zip(*columns, strict=True)]


def _in_clause(column: str, values: Sequence[str]) -> tuple[str, list[str]]:
    return f" AND {column} IN ({', '.join('?' for _ in values)})", list(values)


# The order the pusher sends them: removals first (a moved line leaves its old board before it is
# created on the new one), then creates, then updates. ``--limit`` takes rows in this order.
ITEM_ORDER = {"archive": 0, "delete": 0, "create": 1, "update": 2}


def read_items(db: Database, customer: str, filters: Filters | None = None) -> list[ItemRow]:
    """The customer's item operations: archives and deletes first, then creates, then updates."""
    sql, cols = _select(db, ITEM_OUTBOX, ITEM_COLUMNS)
    params: list[Any] = [label(customer)]
    filters = filters or Filters()
    for column, values in (
        ("order_number", filters.order_numbers),
        ("po_number", filters.po_numbers),
        ("season", filters.seasons),
        ("sync_key", filters.sync_keys),
    ):
        if column == "sync_key" and values:  # record_uuid text: lower-case in the outbox
            values = tuple(label(v).lower() for v in values)
        if values:
            clause, extra = label_in(column, values) if column == "season" else _in_clause(column, values)
            sql += clause
            params += extra
    sql += " ORDER BY group_title, sync_key"
    rows: list[ItemRow] = _records(db, sql, params, cols, ItemRow)
    rows.sort(key=lambda r: ITEM_ORDER.get(r.operation, 3))
    return rows


def read_subitems(
    db: Database, customer: str, parent_sync_keys: Iterable[str] | None = None
) -> list[SubitemRow]:
    """The customer's subitem operations; ``parent_sync_keys`` narrows to those parents."""
    base, cols = _select(db, SUBITEM_OUTBOX, SUBITEM_COLUMNS)
    params: list[Any] = [label(customer)]
    batches: list[tuple[str, list[Any]]]
    if parent_sync_keys is None:
        batches = [(base, params)]
    else:
        keys = sorted(set(parent_sync_keys))
        batches = []
        for i in range(0, len(keys), _IN_CHUNK):
            clause, extra = _in_clause("parent_sync_key", keys[i : i + _IN_CHUNK])
            batches.append((base + clause, params + extra))
    rows: list[SubitemRow] = []
    for sql, batch_params in batches:
        rows += _records(db, sql + " ORDER BY parent_sync_key, sync_key", batch_params, cols, SubitemRow)
    order = {"delete": 0, "create": 1, "update": 2}
    rows.sort(key=lambda r: order.get(r.operation, 3))
    return rows


def read_build_mapping(db: Database) -> tuple[str, str] | None:
    """(fingerprint, where dbt got it) of the mapping the last ``dbt build`` used: ``MON_SyncMapping``;
    None when the relation is not there (a build older than it)."""
    if not db.relation_exists(SYNC_MAPPING):
        return None
    rows = db.query(f"SELECT mapping_fingerprint, mapping_source FROM {db.relation(SYNC_MAPPING)}")
    return (str(rows[0][0]), str(rows[0][1])) if rows else None
