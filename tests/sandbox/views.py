"""Read-side objects handed to graphql-core (Board, Group, Item, column values)
and the items_page paging over them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLResolveInfo

from .column_render import typed_fields, typename
from .cursors import decode_cursor, encode_cursor
from .errors import INVALID_ARGUMENT, MondayError
from .item_filters import by_values_matches, query_matches
from .state import SandboxState

PAGE_MAX = 500
ACCOUNT_ID = "10000001"
BASE_URL = "https://sandbox.monday.local"
ME: dict[str, Any] = {
    "id": "1",
    "name": "Sandbox User",
    "email": "sandbox@example.com",
    "title": "Sync bot",
    "url": f"{BASE_URL}/users/1",
    "kind": "admin",
    "account_id": ACCOUNT_ID,
    "created_at": "2026-01-01T00:00:00Z",
    "is_deleted": False,
    "is_email_confirmed": True,
    "bb_visitor_id": "1",
    "status": "ACTIVE",
    "account": {
        "id": ACCOUNT_ID,
        "name": "Sandbox",
        "slug": "sandbox",
        "show_timeline_weekends": True,
        "first_day_of_the_week": "monday",
        "tier": "pro",
    },
}


@dataclass
class RequestContext:
    """Per-request context passed to every resolver as ``info.context``."""

    state: SandboxState
    typenames: frozenset[str]
    complexity: dict[str, int] = field(default_factory=dict)
    fail_alias: str | None = None
    fail_code: str = "InternalServerException"
    fail_message: str = "Injected failure"
    mutated: bool = False
    mutation_fields: list[str] = field(default_factory=list)
    jobs: Any = None  # the account's JobStore (bulk import, bulk archive/delete)
    is_admin: bool = True  # the request's token is an account admin's
    job_fault: Any = None  # an injected job fault for the first job the request starts


def ctx_of(info: GraphQLResolveInfo) -> RequestContext:
    return info.context  # type: ignore[no-any-return]


def column_dict(column: dict[str, Any]) -> dict[str, Any]:
    settings = column.get("settings") or {}
    return {
        "id": column["id"],
        "title": column["title"],
        "type": column["type"],
        "description": column.get("description"),
        "width": None,
        "archived": False,
        "settings": settings,
        "settings_str": json.dumps(settings),
        "revision": "1",
        "capabilities": {},
    }


def _check_limit(limit: int) -> None:
    if limit < 1 or limit > PAGE_MAX:
        raise MondayError(f"limit must be between 1 and {PAGE_MAX}", INVALID_ARGUMENT, {"limit": limit})


def run_page(state: SandboxState, payload: dict[str, Any], limit: int) -> dict[str, Any]:
    """Evaluate a page described by a cursor payload; return an ItemsResponse."""
    _check_limit(limit)
    board = state.board(payload["b"])
    query = payload.get("q")
    by_values = payload.get("c")
    for cid in [r["column_id"] for r in (query or {}).get("rules") or []] + [
        c["column_id"] for c in by_values or []
    ]:
        if cid != "name":
            state.column(board, str(cid))
    items = state.find_by_values(board["id"], by_values, payload.get("g")) if by_values else None
    if items is None:
        items = state.board_items(board["id"], payload.get("g"))
    if query:
        items = [i for i in items if query_matches(state, i, query)]
    if by_values:
        items = [i for i in items if by_values_matches(state, i, by_values)]
    for order in reversed((query or {}).get("order_by") or []):
        cid = str(order["column_id"])
        items.sort(
            key=lambda i, cid=cid: state.column_text(i, cid),
            reverse=order.get("direction") == "desc",
        )
    offset = int(payload.get("o", 0))
    chunk = items[offset : offset + limit]
    nxt = None
    if offset + limit < len(items):
        nxt = encode_cursor({**payload, "o": offset + limit})
    return {"cursor": nxt, "items": [ItemView(state, i) for i in chunk]}


def first_page(
    state: SandboxState,
    board_id: str,
    group_id: str | None,
    limit: int,
    cursor: str | None,
    query: dict[str, Any] | None = None,
    by_values: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    if cursor:
        return run_page(state, decode_cursor(cursor), limit)
    payload: dict[str, Any] = {"b": board_id, "o": 0}
    if group_id:
        payload["g"] = group_id
    if query:
        payload["q"] = json.loads(json.dumps(query, default=str))
    if by_values:
        payload["c"] = json.loads(json.dumps(by_values, default=str))
    return run_page(state, payload, limit)


class GroupView:
    def __init__(self, state: SandboxState, board: dict[str, Any], group: dict[str, Any]) -> None:
        self._state, self._board, self._group = state, board, group
        self.id = group["id"]
        self.title = group["title"]
        self.color = group.get("color", "#579bfc")
        self.archived = bool(group.get("archived", False))
        self.deleted = False
        at = next((i for i, g in enumerate(board["groups"]) if g["id"] == group["id"]), -1)
        self.position = str(65536 * (at + 1))  # a deleted group has none

    def items_page(
        self,
        info: GraphQLResolveInfo,
        limit: int,
        cursor: str | None = None,
        query_params: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        return first_page(self._state, self._board["id"], self.id, limit, cursor, query_params)


class BoardView:
    def __init__(self, state: SandboxState, board: dict[str, Any]) -> None:
        self._state, self._board = state, board
        self.id = board["id"]
        self.name = board["name"]
        self.board_kind = board.get("kind", "public")
        self.state = board.get("state", "active")
        self.description = board.get("description")
        self.type = board.get("type", "board")
        self.permissions = "everyone"
        self.access_level = "edit"
        self.url = f"{BASE_URL}/boards/{self.id}"
        self.creator = ME
        self.owner = ME
        self.owners = [ME]
        self.subscribers = [ME]
        self.created_at = board.get("created_at")
        self.updated_at = board.get("created_at")
        self.items_limit = state.max_items_per_board or None
        self.workspace_id = board.get("workspace_id")
        self.board_folder_id = board.get("folder_id")
        self.created_from_board_id = board.get("created_from_board_id")
        self.hierarchy_type = "classic"

    def columns(
        self, info: GraphQLResolveInfo, ids: list[str] | None = None, types: list[str] | None = None, **_: Any
    ) -> list[dict[str, Any]]:
        return [
            column_dict(c)
            for c in self._board["columns"]
            if (ids is None or c["id"] in ids) and (types is None or c["type"] in types)
        ]

    def groups(self, info: GraphQLResolveInfo, ids: list[str] | None = None) -> list[GroupView]:
        return [
            GroupView(self._state, self._board, g)
            for g in self._board["groups"]
            if ids is None or g["id"] in ids
        ]

    @property
    def top_group(self) -> GroupView:
        return GroupView(self._state, self._board, self._state.group(self._board, None))

    @property
    def items_count(self) -> int:
        """What counts toward ``items_limit``: active and archived items (see the README)."""
        return self._state.count_items(self.id)

    def items_page(
        self,
        info: GraphQLResolveInfo,
        limit: int,
        cursor: str | None = None,
        query_params: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        return first_page(self._state, self.id, None, limit, cursor, query_params)


class ItemView:
    def __init__(self, state: SandboxState, item: dict[str, Any]) -> None:
        self._state, self._item = state, item
        self.id = item["id"]
        self.name = item["name"]
        self.state = item["state"]
        self.created_at = item.get("created_at")
        self.updated_at = item.get("updated_at")
        self.creator_id = ME["id"]
        self.creator = ME
        self.email = f"pulse-{self.id}@sandbox.monday.local"
        self.url = f"{BASE_URL}/boards/{item['board_id']}/pulses/{self.id}"
        self.relative_link = f"/boards/{item['board_id']}/pulses/{self.id}"
        self.subscribers = [ME]

    @property
    def board(self) -> BoardView:
        return BoardView(self._state, self._state.boards[self._item["board_id"]])

    @property
    def group(self) -> GroupView | None:
        board = self._state.boards[self._item["board_id"]]
        group = next((g for g in board["groups"] if g["id"] == self._item["group_id"]), None)
        return GroupView(self._state, board, group) if group else None

    @property
    def parent_item(self) -> ItemView | None:
        pid = self._item.get("parent_item_id")
        return ItemView(self._state, self._state.items[pid]) if pid else None

    @property
    def subitems(self) -> list[ItemView]:
        return [
            ItemView(self._state, self._state.items[s])
            for s in self._item["subitem_ids"]
            if self._state.items[s]["state"] == "active"
        ]

    def column_values(
        self, info: GraphQLResolveInfo, ids: list[str] | None = None, types: list[str] | None = None, **_: Any
    ) -> list[dict[str, Any]]:
        board = self._state.boards[self._item["board_id"]]
        out = []
        for column in board["columns"]:
            if column["type"] == "name":
                continue
            if (ids is not None and column["id"] not in ids) or (
                types is not None and column["type"] not in types
            ):
                continue
            out.append(self._value(info, column))
        return out

    def _value(self, info: GraphQLResolveInfo, column: dict[str, Any]) -> dict[str, Any]:
        stored = self._item["column_values"].get(column["id"])
        value: dict[str, Any] = {
            "__typename": typename(column["type"], ctx_of(info).typenames),
            "id": column["id"],
            "type": column["type"],
            "column": column_dict(column),
            "is_leaf": True,
            "text": self._state.column_text(self._item, column["id"]),
            "value": json.dumps(stored) if stored is not None else None,
            **typed_fields(column, stored),
        }
        if column["type"] == "subtasks":
            subs = self.subitems
            value["subitems"] = subs
            value["subitems_ids"] = [s.id for s in subs]
            value["display_value"] = value["text"]
            value["value"] = (
                json.dumps({"linkedPulseIds": [{"linkedPulseId": int(s.id)} for s in subs]}) if subs else None
            )
        return value
