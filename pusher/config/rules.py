"""Every rule of monday.yml, written once. The pusher's loader (``load_settings``) and codegen
(``python -m tools.codegen``, before it writes ``monday_mapping()`` for dbt) both call it.

``problems(doc)`` lists every problem of a parsed monday.yml at once, each naming the key and the
fix; ``check(doc)`` raises them as one ``ConfigError``. ``positive`` and ``one_of`` check a
command-line value the same way. The dbt macros (macros/routing/routing_config.sql) repeat the
checks SQL depends on, for a mapping passed as the dbt var ``order_sync_mapping``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from pusher.errors import ConfigError

BOARD_ITEM_LIMIT = 10_000  # monday: items per board, and per subitems board
SIZE_CURVE = {"id": "size_curve", "title": "Sizes", "type": "long_text"}
REQUIRED = ("items", "subitems", "sync", "boards")
ROUTE_KEYS = ("board_id", "subitem_board_id", "name", "split_by", "sizes")
BOARDS_KEYS = (
    "auto_create", "workspace_id", "folder_id", "template_board_id", "max_items_per_board",
    "capacity_margin", "default", "customers",
)  # fmt: skip
SCOPE_KEYS = ("leave_statuses", "date_window", "seasons", "season_pattern")
WINDOW_KEYS = ("column", "days_before", "days_after", "keep_undated")
BULK_KEYS = ("mode", "min_rows", "poll_seconds", "max_wait_seconds")
HISTORY_KEYS = ("keep_days",)
BULK_MODES = ("auto", "ingest", "backfill", "off")
# What `pusher reconcile` finds changed by hand (docs/CONTRACT.md, issue 21); `reconcile.repair`
# lists the ones --repair puts back (default: all of them). item_elsewhere (our item moved to
# another board by hand) and board_missing (a logged board monday does not return) are reported only.
DRIFT_CLASSES = (
    "item_deleted", "item_archived", "item_moved", "item_renamed", "column_changed", "subitem_deleted",
    "subitem_changed", "subitem_added", "item_duplicate", "item_orphan", "group_deleted", "group_renamed",
)  # fmt: skip
REPORTED_ONLY = ("item_elsewhere", "board_missing")
RECONCILE_KEYS = ("repair",)
SPLIT_BY = ("none", "season")
SIZES = ("subitems", "column")
ON_OUT_OF_SCOPE = ("archive", "delete", "keep")
ON_MOVE = ("archive", "delete")
# Source columns staging types as DATE: the ones a scope date window can use.
DATE_COLUMNS = ("ORDER DATE PO RECEIVED", "EX FACTORY DATE", "ETA CUSTOMER WAREHOUSE DATE")


def _mapping(found: list[str], value: Any, what: str, keys: tuple[str, ...] | None = None) -> Mapping:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        shape = f" (keys {', '.join(keys)})" if keys else ""
        found.append(f"monday.yml `{what}` must be a mapping{shape}, got {value!r}")
        return {}
    unknown = [str(k) for k in value if keys is not None and str(k) not in keys]
    if unknown:
        found.append(f"monday.yml `{what}` has unknown key(s) {unknown}; known keys: {', '.join(keys or ())}")
    return value


def _choice(found: list[str], value: Any, what: str, choices: tuple[str, ...], default: str) -> str | None:
    text = default if value is None else str(value)  # exact, as dbt compares it
    if text not in choices:
        found.append(f"{what} must be one of {' | '.join(choices)}, got {value!r}")
        return None
    return text


def _positive(found: list[str], value: Any, what: str, kind: type = float) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        found.append(f"{what} must be a number, got {value!r}")
        return None
    if number <= 0:
        found.append(f"{what} must be positive, got {value!r}")
        return None
    return number


def _whole(found: list[str], value: Any, what: str, minimum: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        found.append(f"{what} must be a whole number >= {minimum}, got {value!r}")
        return None
    return value


def _flag(found: list[str], value: Any, what: str) -> None:
    if not isinstance(value, bool):
        found.append(f"{what} must be true or false, got {value!r}")


def given(value: Any) -> bool:
    """An optional id is given (not null, not blank)."""
    return value is not None and str(value).strip() != ""


def _numeric_id(found: list[str], value: Any, what: str) -> None:
    if given(value) and not str(value).strip().isdigit():
        found.append(f"{what} must be a numeric monday id, got {str(value).strip()!r}")


def _texts(found: list[str], value: Any, what: str) -> None:
    if value is not None and not (
        isinstance(value, list) and all(isinstance(v, str | int) and str(v).strip() for v in value)
    ):
        found.append(f"{what} must be a list of non-empty texts, e.g. [2025 FALL], got {value!r}")


def raise_problems(found: list[str]) -> None:
    """A ``ConfigError`` with ``found`` (one per line), when there is any."""
    if len(found) == 1:
        raise ConfigError(found[0])
    if found:
        raise ConfigError(f"monday.yml has {len(found)} problems:\n  " + "\n  ".join(found))


def positive(value: Any, what: str, kind: type = float) -> Any:
    """``value`` as a positive ``kind``; a ``ConfigError`` naming ``what`` otherwise."""
    found: list[str] = []
    number = _positive(found, value, what, kind)
    raise_problems(found)
    return number


def one_of(value: Any, what: str, choices: tuple[str, ...], default: str) -> str:
    """``value`` (``default`` when None), one of ``choices``; a ``ConfigError`` otherwise."""
    found: list[str] = []
    text = _choice(found, value, what, choices, default)
    raise_problems(found)
    return str(text)


def route_name(entry: Mapping[str, Any], key: str) -> str:
    """A route's board name template: its ``name``, else the default for its ``split_by``."""
    if entry.get("name") is not None:
        return str(entry["name"])
    if entry.get("split_by") == "season":
        return "{customer} {season}"
    return "Orders" if key == "default" else "{customer}"


def _route(found: list[str], entry: Any, key: str, what: str) -> None:
    entry = _mapping(found, entry, what, ROUTE_KEYS)
    split_by = _choice(found, entry.get("split_by"), f"{what}.split_by", SPLIT_BY, "none")
    _choice(found, entry.get("sizes"), f"{what}.sizes", SIZES, "subitems")
    _numeric_id(found, entry.get("board_id"), f"{what}.board_id")
    _numeric_id(found, entry.get("subitem_board_id"), f"{what}.subitem_board_id")
    has_board = given(entry.get("board_id"))
    if has_board and split_by == "season":
        found.append(
            f"{what}: board_id together with split_by: season (one board per season cannot be one fixed "
            "board): remove board_id to have the season boards made on demand, or use split_by: none"
        )
    if given(entry.get("subitem_board_id")) and not has_board:
        found.append(f"{what}.subitem_board_id needs {what}.board_id (the board it belongs to)")
    name = route_name(entry, key)
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(name) if f is not None}
    except ValueError as exc:
        found.append(f"{what}.name {name!r} is not a valid name template: {exc}")
        return
    if not name.strip():
        found.append(f'{what}.name is empty: give the boards a name, e.g. "{{customer}} orders"')
    elif fields - {"customer", "season"}:
        found.append(
            f'{what}.name {name!r}: only {{customer}} and {{season}} may be used, e.g. "{{customer}} orders"'
        )
    if "season" in fields and split_by == "none":
        found.append(
            f"{what}.name {name!r} uses {{season}}: add split_by: season to {what} or drop {{season}}"
        )
    if split_by == "season" and "season" not in fields:
        found.append(f"{what}.name {name!r} lacks {{season}}, needed with split_by: season")
    if has_board and split_by != "season" and key == "default" and "customer" in fields:
        found.append(
            f"{what}: board_id with a name using {{customer}} would make one board every customer's "
            "board 1; remove board_id or {customer}"
        )


def _boards(found: list[str], doc: Mapping[str, Any]) -> list[str]:
    """Checks ``boards``; returns the routes with ``sizes: column`` (they need items.size_curve)."""
    boards = _mapping(found, doc.get("boards"), "boards", BOARDS_KEYS)
    _flag(found, boards.get("auto_create", False), "boards.auto_create")
    for key in ("workspace_id", "folder_id", "template_board_id"):
        _numeric_id(found, boards.get(key), f"boards.{key}")
    limit = boards.get("max_items_per_board", BOARD_ITEM_LIMIT)
    limit = _whole(found, limit, "boards.max_items_per_board", 1)
    margin = _whole(found, boards.get("capacity_margin", 500), "boards.capacity_margin", 0)
    if limit is not None and margin is not None and margin >= limit:
        found.append(
            f"boards.capacity_margin ({margin}) must be below boards.max_items_per_board ({limit}): "
            "the planner fills a board to max_items_per_board - capacity_margin"
        )
    routes = [("default", "boards.default", boards.get("default") or {})]  # absent: "Orders", on demand
    customers = boards.get("customers") or {}
    if not isinstance(customers, Mapping):
        found.append("boards.customers must be a mapping of customer name → board")
        customers = {}
    seen: dict[str, Any] = {}
    for name, entry in customers.items():
        folded = str(name).strip().casefold()
        if folded in seen:
            found.append(
                f"boards.customers has {seen[folded]!r} and {name!r}: the same customer twice (names "
                "match trimmed, in any case); keep one"
            )
        seen.setdefault(folded, name)
        routes.append((str(name), f"boards.customers[{name!r}]", entry))
    for key, what, entry in routes:
        _route(found, entry, key, what)
    return [
        what for _, what, entry in routes if isinstance(entry, Mapping) and entry.get("sizes") == "column"
    ]


def _size_curve(found: list[str], doc: Mapping[str, Any], column_routes: list[str]) -> None:
    items = doc.get("items")
    raw = items.get("size_curve") if isinstance(items, Mapping) else None
    if raw is None:
        found += [
            f"{what}.sizes is column: add items.size_curve {{id, title, type: long_text}} to monday.yml"
            for what in column_routes
        ]
        return
    column = {**SIZE_CURVE, **_mapping(found, raw, "items.size_curve", ("id", "title", "type"))}
    if not str(column["id"]).strip() or column["type"] not in ("long_text", "text"):
        found.append("items.size_curve must be {id, title, type: long_text (or text)}")


def column_problems(config: Mapping[str, Any], section: str) -> list[str]:
    """What is wrong with the columns ``section`` (items / subitems) maps: its sync key and columns."""
    found: list[str] = []
    part = _mapping(found, config.get(section), section)
    key = part.get("sync_key") or {}
    if not isinstance(key, Mapping):
        found.append(f"monday.yml {section}.sync_key must be a mapping like {{id: sync_key, type: text}}")
        key = {}
    columns = part.get("columns") or []
    if not isinstance(columns, list):
        found.append(f"monday.yml {section}.columns must be a list of {{id, title, type}}, got {columns!r}")
        columns = []
    for c in [{"id": "sync_key", "title": "Sync key", "type": "text", **key}, *columns]:
        if not isinstance(c, Mapping):
            found.append(
                f"monday.yml {section}.columns: each entry is a mapping {{id, title, type}}, got {c!r}"
            )
        elif not c.get("id") or not c.get("type"):
            found.append(f"monday.yml {section}: every column needs an id and a type, got {dict(c)}")
    return found


def _scope(found: list[str], doc: Mapping[str, Any]) -> None:
    scope = _mapping(found, doc.get("scope"), "scope", SCOPE_KEYS)
    _texts(found, scope.get("leave_statuses"), "scope.leave_statuses")
    _texts(found, scope.get("seasons"), "scope.seasons")
    pattern = scope.get("season_pattern")
    if pattern is not None and not (isinstance(pattern, str) and pattern.strip()):
        found.append(f'scope.season_pattern must be a SQL LIKE pattern like "2026%", got {pattern!r}')
    if pattern is not None and scope.get("seasons") is not None:
        found.append("scope: use either seasons (exact list) or season_pattern (LIKE), not both")
    window = _mapping(found, scope.get("date_window"), "scope.date_window", WINDOW_KEYS)
    if not isinstance(scope.get("date_window"), Mapping):
        return  # absent: no date window
    if window.get("column") not in DATE_COLUMNS:
        found.append(
            f"scope.date_window.column must name a source date column, got {window.get('column')!r}; "
            f"use a date column: {', '.join(DATE_COLUMNS)}"
        )
    for key in ("days_before", "days_after"):
        if window.get(key) is not None:
            _whole(found, window[key], f"scope.date_window.{key}", 0)
    _flag(found, window.get("keep_undated", True), "scope.date_window.keep_undated")


def _sync(found: list[str], doc: Mapping[str, Any]) -> None:
    sync = _mapping(found, doc.get("sync"), "sync")
    for key, choices in (("on_out_of_scope", ON_OUT_OF_SCOPE), ("on_move", ON_MOVE)):
        # absent is archive; null is not (dbt reads sync.get('on_move', 'archive') as it is)
        _choice(found, sync.get(key, "archive"), f"sync.{key}", choices, default="")
    share = sync.get("max_archive_share", 0.2)
    try:
        if not 0 <= float(share) <= 1:
            found.append(f"sync.max_archive_share must be between 0 and 1, got {share}")
    except (TypeError, ValueError):
        found.append(f"sync.max_archive_share must be a number, got {share!r}")
    for key in ("batch_size", "requests_per_minute"):  # requests: 1,000; Pro 2,500; Enterprise 5,000
        if sync.get(key) is not None:
            _positive(found, sync[key], f"sync.{key}", int)


def _bulk(found: list[str], doc: Mapping[str, Any]) -> None:
    bulk = _mapping(found, doc.get("bulk"), "bulk", BULK_KEYS)
    _choice(found, bulk.get("mode"), "bulk.mode", BULK_MODES, "auto")
    for key, kind in (("min_rows", int), ("poll_seconds", float), ("max_wait_seconds", float)):
        if bulk.get(key) is not None:
            _positive(found, bulk[key], f"bulk.{key}", kind)


def _reconcile(found: list[str], doc: Mapping[str, Any]) -> None:
    section = _mapping(found, doc.get("reconcile"), "reconcile", RECONCILE_KEYS)
    repair = section.get("repair", "all")
    if repair == "all" or repair is None:
        return
    if not isinstance(repair, list) or not all(isinstance(c, str) for c in repair):
        found.append(f"reconcile.repair must be `all` or a list of drift classes, got {repair!r}")
        return
    unknown = [c for c in repair if c not in DRIFT_CLASSES]
    if unknown:
        found.append(
            f"reconcile.repair has unknown drift class(es) {unknown}; known: {', '.join(DRIFT_CLASSES)} "
            f"({', '.join(REPORTED_ONLY)} are reported, never repaired)"
        )


def repair_classes(doc: Mapping[str, Any]) -> frozenset[str]:
    """The drift classes ``reconcile --repair`` puts back (``reconcile.repair``; checked above)."""
    repair = (doc.get("reconcile") or {}).get("repair", "all")
    return frozenset(DRIFT_CLASSES if repair in ("all", None) else repair)


def _history(found: list[str], doc: Mapping[str, Any]) -> None:
    """``history.keep_days``: how long superseded push-log rows stay in the hot log (issue 23)."""
    history = _mapping(found, doc.get("history"), "history", HISTORY_KEYS)
    days = history.get("keep_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        found.append(f"history.keep_days must be a whole number of days, at least 1, got {days!r}")


def problems(doc: Any) -> list[str]:
    """Every problem of a parsed monday.yml, in file order of the sections (empty when valid)."""
    if not isinstance(doc, Mapping):
        return [f"monday.yml must hold a mapping ({', '.join(REQUIRED)}, ...), got {doc!r}"]
    found = [f"monday.yml has no `{key}` section" for key in REQUIRED if doc.get(key) is None]
    found += column_problems(doc, "items") + column_problems(doc, "subitems")
    _size_curve(found, doc, _boards(found, doc))
    _scope(found, doc)
    _sync(found, doc)
    _bulk(found, doc)
    _reconcile(found, doc)
    _history(found, doc)
    return found


def check(doc: Any) -> None:
    """A ``ConfigError`` with every problem of ``doc`` (one per line), when it has any."""
    raise_problems(problems(doc))
