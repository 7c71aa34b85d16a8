"""The steps that set a monday board up, shared by ``board create`` (commands/board_create.py) and
boards made on demand (maker.py): create or duplicate a board, find boards by name, read what a board
has, and add what it lacks (mapped columns, the subitems board and its columns).

monday's API has no call that creates a subitems board: monday makes it with a board's first
subitem. So one placeholder item (carrying ``PLACEHOLDER_KEY`` in the sync-key column) and one
subitem are created, the response names the subitems board, its columns are added, and the
placeholder is deleted again (its subitem goes with it).

Every document is a template in ``graphql/`` with variables only. ``Transient`` and
``RateLimited`` pass through to the caller; any other refusal is a ``SetupFailed``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2

from pusher.errors import ConfigError
from pusher.monday import operations as ops
from pusher.monday.client import ClientError, MondayClient, RateLimited, Response, Transient
from pusher.monday.operations import Op
from pusher.monday.templates import SUFFIX, _check_structure, template_dir

# Templates of the operator commands and of boards made on demand; the sync's own are in templates.py.
EXTRA_OPERATIONS = (
    "create_board", "create_columns", "check_boards", "duplicate_board", "list_boards", "board_layout",
)  # fmt: skip
PLACEHOLDER_NAME = "order-sync: setting up the subitems board (safe to delete)"
PLACEHOLDER_KEY = "order-sync:subitems-board-placeholder"  # its sync key: a rerun finds a leftover one
BOARDS_PAGE = 100
DUPLICATE_TYPE = "duplicate_board_with_structure"


class SetupFailed(ConfigError):
    """monday refused a request that sets a board up; ``code`` is monday's error code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Layout:
    """What a board has: its column ids, and its subitems board (with that board's column ids)."""

    board_id: str
    columns: set[str] = field(default_factory=set)
    subitem_board_id: str | None = None
    subitem_columns: set[str] = field(default_factory=set)


def render_extra(operation: str, rows: Sequence[Mapping[str, Any]] | int = 1) -> str:
    if operation not in EXTRA_OPERATIONS:
        raise KeyError(f"unknown GraphQL operation {operation!r}")
    row_list: list[Mapping[str, Any]] = [{}] * rows if isinstance(rows, int) else list(rows)
    _check_structure(row_list)
    env = jinja2.Environment(  # GraphQL text: no value is ever rendered, nothing to escape
        loader=jinja2.FileSystemLoader(str(template_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
    )
    return env.get_template(operation + SUFFIX).render(rows=row_list).strip() + "\n"


def call(client: MondayClient, document: str, variables: Mapping[str, Any], what: str) -> Response:
    """One request. ``Transient`` and ``RateLimited`` pass through (the outcome is unknown or
    nothing was applied: the caller decides); any other refusal is a ``SetupFailed``."""
    mutation = document.lstrip().startswith("mutation")
    try:
        resp = client.execute(document, variables, mutation=mutation)
    except (Transient, RateLimited):
        raise
    except ClientError as exc:
        raise SetupFailed(f"{what} failed: {exc}", exc.code) from None
    if resp.errors:
        first = resp.errors[0]
        code = ops.error_code(first)
        raise SetupFailed(f"{what} failed: {code}: {client.redact(first.get('message') or '')}", code)
    return resp


def column_defaults(column: Mapping[str, Any]) -> str | None:
    """Status labels as create_column defaults (index 5 is monday's default label: skipped)."""
    labels = column.get("labels")
    if column.get("type") != "status" or not labels:
        return None
    indexes = [i for i in range(len(labels) + 1) if i != 5][: len(labels)]
    return json.dumps({"labels": {str(i): str(label) for i, label in zip(indexes, labels, strict=True)}})


def create_columns(client: MondayClient, board_id: str, columns: Sequence[Mapping[str, Any]]) -> list[str]:
    if not columns:
        return []
    variables: dict[str, Any] = {"board": board_id}
    for i, c in enumerate(columns):
        variables.update(
            {
                f"id{i}": str(c["id"]),
                f"t{i}": str(c.get("title") or c["id"]),
                f"type{i}": str(c["type"]),
                f"d{i}": column_defaults(c),
            }
        )
    resp = call(
        client, render_extra("create_columns", len(columns)), variables, f"create_column on {board_id}"
    )
    return [str((resp.data or {})[f"c{i}"]["id"]) for i in range(len(columns))]


def create_board(
    client: MondayClient,
    name: str,
    *,
    kind: str = "public",
    workspace_id: str | None = None,
    folder_id: str | None = None,
) -> str:
    variables = {"name": name, "kind": kind, "empty": True, "workspace": workspace_id, "folder": folder_id}
    resp = call(client, render_extra("create_board"), variables, "create_board")
    return str((resp.data or {})["board"]["id"])


def duplicate_board(
    client: MondayClient,
    template_id: str,
    name: str,
    *,
    workspace_id: str | None = None,
    folder_id: str | None = None,
) -> tuple[str, bool]:
    """A copy of ``template_id``'s structure named ``name``: (board id, monday copies it later)."""
    variables = {
        "template": template_id,
        "name": name,
        "type": DUPLICATE_TYPE,
        "workspace": workspace_id,
        "folder": folder_id,
    }
    resp = call(client, render_extra("duplicate_board"), variables, f"duplicate_board {template_id}")
    dup = (resp.data or {})["dup"]
    return str(dup["board"]["id"]), bool(dup.get("is_async"))


def find_boards(client: MondayClient, name: str, workspace_id: str | None = None) -> list[str]:
    """Ids of the active boards named exactly ``name`` (subitems boards left out), oldest first."""
    found: list[str] = []
    page = 1
    while True:
        variables = {
            "limit": BOARDS_PAGE,
            "page": page,
            "workspaces": [workspace_id] if workspace_id else None,
            "state": "active",
        }
        boards = (call(client, render_extra("list_boards"), variables, "listing boards").data or {}).get(
            "boards"
        ) or []
        found += [
            str(b["id"]) for b in boards if b and b.get("name") == name and b.get("type") != "sub_items_board"
        ]
        if len(boards) < BOARDS_PAGE:
            return sorted(found, key=lambda i: (len(i), i))
        page += 1


def subitems_board_of(columns: Sequence[Mapping[str, Any]]) -> str | None:
    """monday names a board's subitems board in its subitems column's settings (``boardIds``)."""
    for column in columns:
        if column.get("type") != "subtasks":
            continue
        settings = column.get("settings") or {}
        if isinstance(settings, str):
            settings = json.loads(settings or "{}")
        ids = settings.get("boardIds") or []
        if ids:
            return str(ids[0])
    return None


def read_layout(client: MondayClient, board_id: str) -> Layout:
    resp = call(client, render_extra("board_layout"), {"ids": [board_id]}, f"reading board {board_id}")
    boards = [b for b in (resp.data or {}).get("boards") or [] if b]
    if not boards:
        raise SetupFailed(f"board {board_id} not found", "InvalidBoardIdException")
    columns = boards[0].get("columns") or []
    layout = Layout(board_id, {str(c["id"]) for c in columns}, subitems_board_of(columns))
    if layout.subitem_board_id:
        resp = call(
            client, render_extra("board_layout"), {"ids": [layout.subitem_board_id]}, "subitems board"
        )
        subs = [b for b in (resp.data or {}).get("boards") or [] if b]
        layout.subitem_columns = {str(c["id"]) for c in (subs[0].get("columns") or [])} if subs else set()
    return layout


def create_subitems_board(
    client: MondayClient, board_id: str, key_column: str = "sync_key"
) -> tuple[str, str]:
    """monday creates a board's subitems board with its first subitem: (subitems board, placeholder).

    The placeholder item carries ``PLACEHOLDER_KEY`` in the sync-key column, so a run that died
    before deleting it finds it again (``remove_placeholders``)."""
    values = json.dumps({key_column: PLACEHOLDER_KEY})
    item = Op("item", "create", "placeholder", item_name=PLACEHOLDER_NAME, send_values=values)
    req = ops.build("create_items", [item], board_id)
    resp = call(client, req.document, req.variables, "placeholder item")
    item_id = str((resp.data or {})["i0"]["id"])
    sub = Op("subitem", "create", "placeholder|-", item_name="-", monday_parent_id=item_id)
    req = ops.build("create_subitems", [sub])
    resp = call(client, req.document, req.variables, "placeholder subitem")
    board = ((resp.data or {}).get("s0") or {}).get("board") or {}
    if not board.get("id"):
        raise SetupFailed("monday did not say which board holds the subitems", "NO_SUBITEMS_BOARD")
    return str(board["id"]), item_id


def delete_item(client: MondayClient, item_id: str) -> None:
    req = ops.build("delete_subitems", [Op("item", "delete", "placeholder", monday_id=item_id)])
    call(client, req.document, req.variables, "deleting the placeholder item")


def remove_placeholders(client: MondayClient, board_id: str, key_column: str) -> int:
    """Delete placeholder items an interrupted set-up left on ``board_id``."""
    req = ops.find_by_sync_key(board_id, key_column, [PLACEHOLDER_KEY], limit=25)
    items = (
        (call(client, req.document, req.variables, "finding placeholders").data or {}).get("k0") or {}
    ).get("items") or []
    for item in items:
        delete_item(client, str(item["id"]))
    return len(items)


def complete_board(
    client: MondayClient,
    layout: Layout,
    item_columns: Sequence[Mapping[str, Any]],
    sub_columns: Sequence[Mapping[str, Any]] | None,
    *,
    sweep: bool = False,
) -> dict[str, Any]:
    """Add what ``layout`` lacks: mapped item columns, then (``sub_columns`` not None) the subitems
    board and its columns. ``sweep``: also delete placeholders an interrupted set-up left behind.
    Returns the ids and the columns created."""
    board_id = layout.board_id
    key_column = str(item_columns[0]["id"])
    result: dict[str, Any] = {"board_id": board_id, "subitem_board_id": layout.subitem_board_id}
    result["columns"] = create_columns(
        client, board_id, [c for c in item_columns if c["id"] not in layout.columns]
    )
    result["subitem_columns"] = []
    if sub_columns is not None:
        placeholder = None
        if layout.subitem_board_id is None:
            layout.subitem_board_id, placeholder = create_subitems_board(client, board_id, key_column)
            result["subitem_board_id"] = layout.subitem_board_id
        missing = [c for c in sub_columns if c["id"] not in layout.subitem_columns]
        result["subitem_columns"] = create_columns(client, layout.subitem_board_id, missing)
        if placeholder:
            delete_item(client, placeholder)
    if sweep:
        remove_placeholders(client, board_id, key_column)
    return result
