"""The at-scale part of monday.yml as values: ``boards`` (routes, boards made on demand) and the
columns the boards need (docs/CONTRACT.md, "At scale"). ``config.load_settings`` uses it.

The rules these sections follow are ``pusher.config.rules``: ``load_boards`` checks the whole file
with them first, ``mapped_columns`` the section it reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pusher.config.rules import (
    BOARD_ITEM_LIMIT,
    SIZE_CURVE,
    check,
    column_problems,
    given,
    raise_problems,
    route_name,
)
from pusher.errors import ConfigError

__all__ = [
    "BOARD_ITEM_LIMIT", "SIZE_CURVE", "BoardsConfig", "ColumnSpec", "Route", "column_spec", "load_boards",
    "mapped_columns", "size_curve_column",
]  # fmt: skip


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


def _id(value: Any) -> str | None:
    return str(value).strip() if given(value) else None


def mapped_columns(config: Mapping[str, Any], section: str) -> list[dict[str, Any]]:
    """The monday columns ``section`` (items / subitems) needs: the sync key (text) first."""
    raise_problems(column_problems(config, section))
    part = config.get(section) or {}
    key = {"id": "sync_key", "title": "Sync key", "type": "text", **(part.get("sync_key") or {})}
    return [key, *(dict(c) for c in part.get("columns") or [])]


def column_spec(column: Mapping[str, Any]) -> ColumnSpec:
    labels = tuple(str(x) for x in column.get("labels") or ())
    return ColumnSpec(
        str(column["id"]), str(column.get("title") or column["id"]), str(column["type"]), labels
    )


def size_curve_column(config: Mapping[str, Any]) -> ColumnSpec:
    """``items.size_curve``: the column ``sizes: column`` routes put the size curve in."""
    return column_spec({**SIZE_CURVE, **((config.get("items") or {}).get("size_curve") or {})})


def _route(entry: Mapping[str, Any], key: str) -> Route:
    return Route(
        key,
        route_name(entry, key),
        _id(entry.get("board_id")),
        _id(entry.get("subitem_board_id")),
        str(entry.get("split_by") or "none"),
        str(entry.get("sizes") or "subitems"),
    )


def load_boards(data: Mapping[str, Any]) -> BoardsConfig:
    """The ``boards`` section of monday.yml (every route, not only one customer's), after every rule
    of the file is checked (``rules.check``: a ``ConfigError`` listing each problem)."""
    check(data)
    boards = data["boards"]
    return BoardsConfig(
        auto_create=boards.get("auto_create", False),
        workspace_id=_id(boards.get("workspace_id")),
        folder_id=_id(boards.get("folder_id")),
        template_board_id=_id(boards.get("template_board_id")),
        max_items_per_board=boards.get("max_items_per_board", BOARD_ITEM_LIMIT),
        capacity_margin=boards.get("capacity_margin", 500),
        default=_route(boards.get("default") or {}, "default"),  # absent: "Orders", made on demand
        customers=tuple(_route(entry, str(name)) for name, entry in (boards.get("customers") or {}).items()),
    )
