"""The at-scale part of monday.yml: ``boards`` (routes, boards made on demand), ``scope``, and the
columns the boards need (docs/CONTRACT.md, "At scale"). ``config.load_settings`` uses it.

Each error names the key and the fix.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pusher.errors import ConfigError

BOARD_ITEM_LIMIT = 10_000  # monday: items per board, and per subitems board
SIZE_CURVE = {"id": "size_curve", "title": "Sizes", "type": "long_text"}
ROUTE_KEYS = ("board_id", "subitem_board_id", "name", "split_by", "sizes")
BOARDS_KEYS = (
    "auto_create", "workspace_id", "folder_id", "template_board_id", "max_items_per_board",
    "capacity_margin", "default", "customers",
)  # fmt: skip
SCOPE_KEYS = ("leave_statuses", "date_window", "seasons", "season_pattern")
WINDOW_KEYS = ("column", "days_before", "days_after", "keep_undated")


@dataclass(frozen=True)
class ColumnSpec:
    """A monday column the boards need (from monday.yml): id, title, type, status/dropdown labels."""

    id: str
    title: str
    type: str
    labels: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "type": self.type}
        if self.labels:
            out["labels"] = list(self.labels)
        return out


@dataclass(frozen=True)
class Route:
    """One entry of ``boards``: ``default`` or a customer's. ``name`` is the board name template."""

    key: str  # "default", or the customer name as written under boards.customers
    name: str
    board_id: str | None = None
    subitem_board_id: str | None = None
    split_by: str = "none"  # none | season
    sizes: str = "subitems"  # subitems | column


@dataclass(frozen=True)
class BoardsConfig:
    auto_create: bool = False
    workspace_id: str | None = None
    folder_id: str | None = None
    template_board_id: str | None = None
    max_items_per_board: int = BOARD_ITEM_LIMIT
    capacity_margin: int = 500
    default: Route | None = None  # load_boards always sets it (absent in monday.yml: {})
    customers: tuple[Route, ...] = ()

    def route_for(self, customer: str) -> Route:
        wanted = customer.strip().casefold()
        for route in self.customers:
            if route.key.strip().casefold() == wanted:
                return route
        if self.default is None:
            raise ConfigError(
                f"no board for customer {customer!r} and no boards.default in monday.yml: "
                f"add boards.default or boards.customers[{customer!r}]"
            )
        return self.default


def numeric_id(value: Any, what: str, required: bool = True) -> str | None:
    if value is None or str(value).strip() == "":
        if required:
            raise ConfigError(f"{what} is missing in monday.yml")
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise ConfigError(f"{what} must be a numeric monday id, got {text!r}")
    return text


def positive(value: Any, what: str, kind: type = float) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} must be a number, got {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{what} must be positive, got {value!r}")
    return number


def whole(value: Any, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{what} must be a whole number >= {minimum}, got {value!r}")
    return value


def as_mapping(value: Any, what: str, allowed: tuple[str, ...] | None = None) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"monday.yml `{what}` must be a mapping, got {value!r}")
    unknown = [str(k) for k in value if allowed is not None and str(k) not in allowed]
    if unknown:
        raise ConfigError(
            f"monday.yml `{what}` has unknown key(s) {unknown}; known keys: {', '.join(allowed or ())}"
        )
    return value


def one_of(value: Any, what: str, choices: tuple[str, ...], default: str) -> str:
    text = default if value is None else str(value)  # exact, as dbt compares it
    if text not in choices:
        raise ConfigError(f"{what} must be one of {' | '.join(choices)}, got {value!r}")
    return text


def texts(value: Any, what: str) -> None:
    if value is not None and not (
        isinstance(value, list) and all(isinstance(v, str | int) and str(v).strip() for v in value)
    ):
        raise ConfigError(f"{what} must be a list of non-empty texts, e.g. [2025 FALL], got {value!r}")


def mapped_columns(config: Mapping[str, Any], section: str) -> list[dict[str, Any]]:
    """The monday columns ``section`` (items / subitems) needs: the sync key (text) first."""
    part = as_mapping(config.get(section), section)
    key = part.get("sync_key") or {}
    if not isinstance(key, Mapping):
        raise ConfigError(
            f"monday.yml {section}.sync_key must be a mapping like {{id: sync_key, type: text}}"
        )
    key = {"id": "sync_key", "title": "Sync key", "type": "text", **key}
    columns = [dict(key)]
    for c in part.get("columns") or []:
        if not isinstance(c, Mapping):
            raise ConfigError(
                f"monday.yml {section}.columns: each entry is a mapping {{id, title, type}}, got {c!r}"
            )
        columns.append(dict(c))
    for c in columns:
        if not c.get("id") or not c.get("type"):
            raise ConfigError(f"monday.yml {section}: every column needs an id and a type, got {c}")
    return columns


def column_spec(column: Mapping[str, Any]) -> ColumnSpec:
    labels = tuple(str(x) for x in column.get("labels") or ())
    return ColumnSpec(
        str(column["id"]), str(column.get("title") or column["id"]), str(column["type"]), labels
    )


def size_curve_column(config: Mapping[str, Any], boards: BoardsConfig) -> ColumnSpec:
    """``items.size_curve``: the column ``sizes: column`` routes put the size curve in."""
    raw = as_mapping(config.get("items"), "items").get("size_curve")
    routes = [r for r in (boards.default, *boards.customers) if r is not None and r.sizes == "column"]
    if raw is None and routes:
        where = "boards.default" if routes[0].key == "default" else f"boards.customers[{routes[0].key!r}]"
        raise ConfigError(
            f"{where}.sizes is column: add items.size_curve {{id, title, type: long_text}} to monday.yml"
        )
    column = {**SIZE_CURVE, **as_mapping(raw, "items.size_curve", ("id", "title", "type"))}
    if not str(column["id"]).strip() or column["type"] not in ("long_text", "text"):
        raise ConfigError("items.size_curve must be {id, title, type: long_text (or text)}")
    return column_spec(column)


def _route(entry: Any, key: str, what: str) -> Route:
    entry = as_mapping(entry, what, ROUTE_KEYS)
    split_by = one_of(entry.get("split_by"), f"{what}.split_by", ("none", "season"), "none")
    sizes = one_of(entry.get("sizes"), f"{what}.sizes", ("subitems", "column"), "subitems")
    board_id = numeric_id(entry.get("board_id"), f"{what}.board_id", required=False)
    sub_id = numeric_id(entry.get("subitem_board_id"), f"{what}.subitem_board_id", required=False)
    if board_id and split_by == "season":
        raise ConfigError(
            f"{what}: board_id together with split_by: season (one board per season cannot be one fixed "
            "board): remove board_id to have the season boards made on demand, or use split_by: none"
        )
    if sub_id and not board_id:
        raise ConfigError(f"{what}.subitem_board_id needs {what}.board_id (the board it belongs to)")
    default_name = (
        "{customer} {season}" if split_by == "season" else ("Orders" if key == "default" else "{customer}")
    )
    name = default_name if entry.get("name") is None else str(entry["name"])
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(name) if f is not None}
    except ValueError as exc:
        raise ConfigError(f"{what}.name {name!r} is not a valid name template: {exc}") from None
    if not name.strip() or fields - {"customer", "season"}:
        raise ConfigError(
            f'{what}.name {name!r}: only {{customer}} and {{season}} may be used, e.g. "{{customer}} orders"'
        )
    if "season" in fields and split_by != "season":
        raise ConfigError(f"{what}.name {name!r} uses {{season}}: that needs {what}.split_by: season")
    if split_by == "season" and "season" not in fields:
        raise ConfigError(f"{what}.name {name!r} lacks {{season}}, needed with split_by: season")
    if board_id and key == "default" and "customer" in fields:
        raise ConfigError(
            f"{what}: board_id with a name using {{customer}} would make one board every customer's "
            "board 1; remove board_id or {customer}"
        )
    return Route(key, name, board_id, sub_id, split_by, sizes)


def _optional_id(boards: Mapping[str, Any], key: str) -> str | None:
    return numeric_id(boards.get(key), f"boards.{key}", required=False)


def load_boards(data: Mapping[str, Any]) -> BoardsConfig:
    """The ``boards`` section of monday.yml, validated (every route, not only one customer's)."""
    if not isinstance(data.get("boards"), Mapping):
        raise ConfigError("monday.yml has no `boards` section")
    boards = as_mapping(data["boards"], "boards", BOARDS_KEYS)
    auto = boards.get("auto_create", False)
    if not isinstance(auto, bool):
        raise ConfigError(f"boards.auto_create must be true or false, got {auto!r}")
    limit = whole(boards.get("max_items_per_board", BOARD_ITEM_LIMIT), "boards.max_items_per_board", 1)
    margin = whole(boards.get("capacity_margin", 500), "boards.capacity_margin", 0)
    if margin >= limit:
        raise ConfigError(
            f"boards.capacity_margin ({margin}) must be below boards.max_items_per_board ({limit}): "
            "the planner fills a board to max_items_per_board - capacity_margin"
        )
    customers = boards.get("customers") or {}
    if not isinstance(customers, Mapping):
        raise ConfigError("boards.customers must be a mapping of customer name → board")
    routes, seen = [], {}
    for name, entry in customers.items():
        folded = str(name).strip().casefold()
        if folded in seen:
            raise ConfigError(f"boards.customers has {seen[folded]!r} and {name!r}: the same customer twice")
        seen[folded] = name
        routes.append(_route(entry, str(name), f"boards.customers[{name!r}]"))
    default = boards.get("default")
    return BoardsConfig(
        auto_create=auto,
        workspace_id=_optional_id(boards, "workspace_id"),
        folder_id=_optional_id(boards, "folder_id"),
        template_board_id=_optional_id(boards, "template_board_id"),
        max_items_per_board=limit,
        capacity_margin=margin,
        default=_route(default or {}, "default", "boards.default"),  # absent: "Orders", made on demand
        customers=tuple(routes),
    )


def check_scope(data: Mapping[str, Any]) -> None:
    """``scope`` is dbt's; a wrong shape is still a configuration error the pusher names."""
    scope = as_mapping(data.get("scope"), "scope", SCOPE_KEYS)
    texts(scope.get("leave_statuses"), "scope.leave_statuses")
    texts(scope.get("seasons"), "scope.seasons")
    pattern = scope.get("season_pattern")
    if pattern is not None and not (isinstance(pattern, str) and pattern.strip()):
        raise ConfigError(f'scope.season_pattern must be a SQL LIKE pattern like "2026%", got {pattern!r}')
    if pattern is not None and scope.get("seasons") is not None:
        raise ConfigError("scope: use either seasons (exact list) or season_pattern (LIKE), not both")
    if scope.get("date_window") is None:
        return
    window = as_mapping(scope["date_window"], "scope.date_window", WINDOW_KEYS)
    if not isinstance(window.get("column"), str) or not window["column"].strip():
        raise ConfigError("scope.date_window.column must name a source date column, e.g. EX FACTORY DATE")
    for key in ("days_before", "days_after"):
        if window.get(key) is not None:
            whole(window[key], f"scope.date_window.{key}", 0)
    if not isinstance(window.get("keep_undated", True), bool):
        raise ConfigError("scope.date_window.keep_undated must be true or false")
