"""Outbox rows → GraphQL requests (template + variables) → per-row outcomes.

A request holds many aliased operations; ``aliases[i]`` are the response keys that belong to
row ``i``. Every value goes into ``variables``; the document comes from ``templates.render``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pusher.monday.templates import render

ITEM_GONE = "InvalidItemIdException"


@dataclass
class Op:
    """One unit of work on its way to monday (an outbox row, or a group to create)."""

    entity: str  # item | subitem | group
    operation: str  # create | update | archive | delete
    sync_key: str
    payload_hash: str | None = None
    parent_sync_key: str | None = None
    group_title: str | None = None
    item_name: str | None = None
    column_values: str | None = None  # the full JSON the row stands for (what is logged)
    send_values: str | None = None  # the JSON actually sent (only changed keys for updates)
    monday_id: str | None = None  # the item / subitem acted on (update, archive, delete)
    monday_parent_id: str | None = None
    monday_group_id: str | None = None  # create: the group to put it in; update: move target
    move: bool = False
    board_id: str | None = None  # the item's board (a subitem's: its parent's); logged as board_id
    subitem_board_id: str | None = None  # the subitems board (where a subitem is looked up)
    lookup_first: bool = False  # a create whose previous outcome was unknown
    prior: dict[str, Any] = field(default_factory=dict)  # the unknown attempt's logged payload


@dataclass
class Outcome:
    status: str  # ok | error | unknown
    monday_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None


@dataclass
class Request:
    operation: str
    document: str
    variables: dict[str, Any]
    aliases: list[tuple[str, ...]]
    mutation: bool = True

    @property
    def size(self) -> int:
        return sum(len(a) for a in self.aliases)


def _request(
    operation: str,
    flags: list[dict[str, Any]],
    variables: dict[str, Any],
    aliases: list[tuple[str, ...]],
    mutation: bool = True,
) -> Request:
    return Request(operation, render(operation, flags), variables, aliases, mutation)


def build(operation: str, ops: Sequence[Op], board_id: str | None = None) -> Request:
    """The request for ``ops`` (all of one kind). ``board_id``: the board the template needs."""
    variables: dict[str, Any] = {}
    aliases: list[tuple[str, ...]] = []
    flags: list[dict[str, Any]] = []
    needs_board = ("create_items", "update_subitems", "create_group")
    if operation in needs_board or (operation == "update_items" and any(o.send_values for o in ops)):
        if not board_id:
            raise ValueError(f"{operation} needs a board id")
        variables["board"] = board_id
    for i, op in enumerate(ops):
        if operation == "create_items":
            variables.update({f"g{i}": op.monday_group_id, f"n{i}": op.item_name, f"cv{i}": op.send_values})
            aliases.append((f"i{i}",))
            flags.append({})
        elif operation == "create_subitems":
            variables.update({f"p{i}": op.monday_parent_id, f"n{i}": op.item_name, f"cv{i}": op.send_values})
            aliases.append((f"s{i}",))
            flags.append({})
        elif operation == "update_items":
            variables[f"id{i}"] = op.monday_id
            keys: tuple[str, ...] = ()
            if op.send_values is not None:
                variables[f"cv{i}"] = op.send_values
                keys += (f"u{i}",)
            if op.move:
                variables[f"g{i}"] = op.monday_group_id
                keys += (f"m{i}",)
            aliases.append(keys)
            flags.append({"changes": op.send_values is not None, "move": op.move})
        elif operation == "update_subitems":
            variables.update({f"id{i}": op.monday_id, f"cv{i}": op.send_values})
            aliases.append((f"u{i}",))
            flags.append({})
        elif operation in ("delete_subitems", "delete_items", "archive_items"):
            variables[f"id{i}"] = op.monday_id
            aliases.append((("a" if operation == "archive_items" else "d") + str(i),))
            flags.append({})
        elif operation == "create_group":
            variables[f"t{i}"] = op.group_title
            aliases.append((f"g{i}",))
            flags.append({})
        else:
            raise KeyError(f"no request builder for {operation!r}")
    return _request(operation, flags, variables, aliases)


def read_board(board_ids: Sequence[str]) -> Request:
    return _request("read_board", [{}], {"ids": list(board_ids)}, [("boards",)], mutation=False)


def find_by_sync_key(board_id: str, column_id: str, keys: Sequence[str], limit: int = 5) -> Request:
    variables: dict[str, Any] = {"board": board_id, "column": column_id, "limit": limit}
    variables.update({f"k{i}": key for i, key in enumerate(keys)})
    aliases = [(f"k{i}",) for i in range(len(keys))]
    return _request("find_items_by_sync_key", [{}] * len(keys), variables, aliases, mutation=False)


def read_board_items(board_id: str, limit: int, columns: Sequence[str], cursor: str | None = None) -> Request:
    """One page of a board's active items with their groups and mapped columns: the first (``cursor``
    None: ``boards { groups columns items_page }``) or the next (``next_items_page``)."""
    variables: dict[str, Any] = {"limit": limit, "columns": list(columns)}
    if cursor is None:
        variables["board"] = board_id
        return _request("read_board_items", [{}], variables, [("boards",)], mutation=False)
    variables["cursor"] = cursor
    return _request("read_next_items", [{}], variables, [("next_items_page",)], mutation=False)


def read_board_subitems(
    subitem_board_id: str, limit: int, columns: Sequence[str], cursor: str | None = None
) -> Request:
    """One page of a subitems board's active subitems with their parent and mapped columns."""
    variables: dict[str, Any] = {"limit": limit, "columns": list(columns)}
    if cursor is None:
        variables["board"] = subitem_board_id
        return _request("read_board_subitems", [{}], variables, [("boards",)], mutation=False)
    variables["cursor"] = cursor
    return _request("read_next_subitems", [{}], variables, [("next_items_page",)], mutation=False)


def item_states(ids: Sequence[str]) -> Request:
    """Where items are (state, board): at most 100 ids, monday's maximum for ``items(ids:)``."""
    return _request("item_states", [{}], {"ids": list(ids), "limit": len(ids)}, [("items",)], mutation=False)


def _alias_errors(errors: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for err in errors:
        path = err.get("path") or []
        if path and isinstance(path[0], str) and path[0] not in out:
            out[path[0]] = err
    return out


def error_code(err: Mapping[str, Any]) -> str:
    ext = err.get("extensions") or {}
    return str(ext.get("code") or err.get("error_code") or "GRAPHQL_ERROR")


def outcomes(
    request: Request, data: Mapping[str, Any] | None, errors: Sequence[Mapping[str, Any]], redact: Any = str
) -> list[Outcome]:
    """Per-row outcomes of a mutation response. A row is ok when every alias it owns returned an
    object; an alias with its own error is that row's error; an alias with neither (the server gave
    up on the rest of the document) is ``unknown`` so it is retried."""
    data = data or {}
    by_alias = _alias_errors(errors)
    general = [e for e in errors if not e.get("path")]
    result: list[Outcome] = []
    for keys in request.aliases:
        if not keys:  # an update with nothing to send is ok without a request
            result.append(Outcome("ok"))
            continue
        failed = next((by_alias[k] for k in keys if k in by_alias), None)
        deleting = request.operation in ("delete_subitems", "delete_items")
        if failed is not None and deleting and error_code(failed) == ITEM_GONE:
            # The item or subitem is gone either way (an earlier attempt with a lost response, or a person).
            result.append(Outcome("ok", None, None, "already deleted on monday"))
            continue
        if failed is not None:
            result.append(Outcome("error", None, error_code(failed), redact(str(failed.get("message", "")))))
            continue
        values = [data.get(k) for k in keys]
        if all(isinstance(v, Mapping) for v in values):
            first = values[0]
            result.append(Outcome("ok", str(first.get("id")) if first.get("id") is not None else None))
        elif general:
            result.append(
                Outcome("error", None, error_code(general[0]), redact(str(general[0].get("message"))))
            )
        else:
            result.append(
                Outcome("unknown", None, "NO_RESULT", "the response carried no result for this row")
            )
    return result


def diff_values(new_json: str | None, confirmed_json: str | None) -> dict[str, Any]:
    """The keys of ``new`` whose value differs from the confirmed one (all keys when unconfirmed).

    Keys present only in the confirmed JSON are left alone: a column dropped from the mapping is
    not cleared on monday.
    """
    new = json.loads(new_json) if new_json else {}
    old = json.loads(confirmed_json) if confirmed_json else {}
    missing = object()
    return {k: v for k, v in new.items() if old.get(k, missing) != v}


def compact(values: Mapping[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))
