"""``python -m pusher board create --name "..."``: a new monday board with every mapped column.

1. ``create_board`` (empty, kind ``--kind``);
2. ``create_column`` for the item sync-key column and every ``items.columns`` entry of monday.yml
   (ids, titles and types from the mapping; status labels as the column's defaults);
3. the subitems board: monday's API has no call that creates it directly: monday creates it with
   a board's first subitem. So one placeholder item and one subitem are created (the response
   names the subitems board), the subitem columns are added there with ``create_column``, and the
   placeholder item is deleted again (its subitem goes with it);
4. prints the ids to put in monday.yml (``boards.default`` or ``boards.customers[NAME]``).

Every document is a template in ``graphql/`` with variables only. Exit 0, or 2 on a
configuration error or a refused request (the message names what to fix).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import yaml

from . import operations as ops
from .client import ClientError, MondayClient, Response, say_redacted
from .config import DEFAULT_API_URL, DEFAULT_API_VERSION, config_path
from .errors import EXIT_CONFIG, EXIT_OK, ConfigError
from .operations import Op
from .templates import SUFFIX, _check_structure, template_dir

# Templates of the operator commands (check, board create); the sync's own are in templates.py.
EXTRA_OPERATIONS = ("create_board", "create_columns", "check_boards")
PLACEHOLDER_NAME = "order-sync: setting up the subitems board (safe to delete)"


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


def load_mapping(explicit: str | None) -> dict[str, Any]:
    path = config_path(explicit, os.environ)
    if not Path(path).is_file():
        raise ConfigError(f"monday config not found: {path}")
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping")
    return data


def mapped_columns(config: Mapping[str, Any], section: str) -> list[dict[str, Any]]:
    """The monday columns ``section`` (items / subitems) needs: the sync key first."""
    part = config.get(section) or {}
    if not isinstance(part, Mapping):
        raise ConfigError(f"monday.yml `{section}` must be a mapping")
    key = part.get("sync_key") or {"id": "sync_key", "title": "Sync key", "type": "text"}
    columns = [dict(key)] + [dict(c) for c in part.get("columns") or []]
    for c in columns:
        if not c.get("id") or not c.get("type"):
            raise ConfigError(f"monday.yml {section}: every column needs an id and a type, got {c}")
    return columns


def client_from_env(config: Mapping[str, Any]) -> MondayClient:
    url = (os.environ.get("MONDAY_API_URL") or DEFAULT_API_URL).strip()
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigError("MONDAY_API_URL must be https:// (plain http only for localhost)")
    return MondayClient(url, str(config.get("api_version") or DEFAULT_API_VERSION), read_timeout=120)


def call(client: MondayClient, document: str, variables: Mapping[str, Any], what: str) -> Response:
    mutation = document.lstrip().startswith("mutation")
    try:
        resp = client.execute(document, variables, mutation=mutation)
    except ClientError as exc:
        raise ConfigError(f"{what} failed: {exc}") from None
    if resp.errors:
        first = resp.errors[0]
        code = ops.error_code(first)
        raise ConfigError(f"{what} failed: {code}: {client.redact(first.get('message') or '')}")
    return resp


def column_defaults(column: Mapping[str, Any]) -> str | None:
    """Status labels as create_column defaults (index 5 is monday's default label: skipped)."""
    labels = column.get("labels")
    if column.get("type") != "status" or not labels:
        return None
    indexes = [i for i in range(len(labels) + 1) if i != 5][: len(labels)]
    return json.dumps({"labels": {str(i): str(label) for i, label in zip(indexes, labels, strict=True)}})


def create_columns(client: MondayClient, board_id: str, columns: Sequence[Mapping[str, Any]]) -> list[str]:
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


def create_subitems_board(client: MondayClient, board_id: str) -> tuple[str, str]:
    """monday creates a board's subitems board with its first subitem: (subitems board, placeholder)."""
    item = Op("item", "create", "placeholder", item_name=PLACEHOLDER_NAME)
    req = ops.build("create_items", [item], board_id)
    resp = call(client, req.document, req.variables, "placeholder item")
    item_id = str((resp.data or {})["i0"]["id"])
    sub = Op("subitem", "create", "placeholder|-", item_name="-", monday_parent_id=item_id)
    req = ops.build("create_subitems", [sub])
    resp = call(client, req.document, req.variables, "placeholder subitem")
    board = ((resp.data or {}).get("s0") or {}).get("board") or {}
    if not board.get("id"):
        raise ConfigError("monday did not say which board holds the subitems")
    return str(board["id"]), item_id


def delete_item(client: MondayClient, item_id: str) -> None:
    req = ops.build("delete_subitems", [Op("item", "delete", "placeholder", monday_id=item_id)])
    call(client, req.document, req.variables, "deleting the placeholder item")


def provision(
    client: MondayClient,
    config: Mapping[str, Any],
    name: str,
    *,
    kind: str = "public",
    workspace_id: str | None = None,
    subitems: bool = True,
) -> dict[str, Any]:
    item_columns = mapped_columns(config, "items")
    sub_columns = mapped_columns(config, "subitems") if subitems else []
    resp = call(
        client,
        render_extra("create_board"),
        {"name": name, "kind": kind, "empty": True, "workspace": workspace_id},
        "create_board",
    )
    board_id = str((resp.data or {})["board"]["id"])
    result: dict[str, Any] = {"board_id": board_id, "subitem_board_id": None, "name": name}
    result["columns"] = create_columns(client, board_id, item_columns)
    if sub_columns:
        sub_board, placeholder = create_subitems_board(client, board_id)
        result["subitem_board_id"] = sub_board
        result["subitem_columns"] = create_columns(client, sub_board, sub_columns)
        delete_item(client, placeholder)
    return result


def yaml_snippet(result: Mapping[str, Any], customer: str | None) -> str:
    ids = {"board_id": result["board_id"], "subitem_board_id": result["subitem_board_id"]}
    entry = "{" + ", ".join(f'{k}: "{v}"' for k, v in ids.items() if v) + "}"
    if customer:
        return f"boards:\n  customers:\n    {json.dumps(customer, ensure_ascii=False)}: {entry}"
    return "boards:\n  default:\n" + "".join(f'    {k}: "{v}"\n' for k, v in ids.items() if v).rstrip()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pusher board create",
        description="Create a monday board with every column monday.yml maps (items and subitems) "
        "and print the ids to put in monday.yml. Needs MONDAY_API_TOKEN.",
    )
    p.add_argument("--name", required=True, help="the new board's name")
    p.add_argument("--customer", help="print the monday.yml entry as boards.customers[CUSTOMER]")
    p.add_argument("--kind", choices=("public", "private", "share"), default="public")
    p.add_argument("--workspace-id", help="the workspace to create it in (default: the main one)")
    p.add_argument("--no-subitems", action="store_true", help="no subitems board / subitem columns")
    p.add_argument("--config", help="monday.yml (default: $ORDER_SYNC_CONFIG or ./monday.yml)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(argv or [])
    if not argv or argv[0] != "create":
        print("usage: python -m pusher board create --name NAME [--customer NAME] (see --help)")
        return EXIT_CONFIG if argv[:1] not in (["-h"], ["--help"]) else EXIT_OK
    args = build_parser().parse_args(argv[1:])
    say = say_redacted
    try:
        config = load_mapping(args.config)
        client = client_from_env(config)
        result = provision(
            client,
            config,
            args.name,
            kind=args.kind,
            workspace_id=args.workspace_id,
            subitems=not args.no_subitems,
        )
    except ConfigError as exc:
        say(f"order-sync board create: {exc}")
        if "MONDAY_API_TOKEN" in str(exc) or "401" in str(exc) or "403" in str(exc):
            say("  fix: export MONDAY_API_TOKEN (a monday API token allowed to create boards)")
        return EXIT_CONFIG
    say(f"created board {result['name']!r}: board_id {result['board_id']}")
    say(f"  item columns: {', '.join(result['columns'])}")
    if result["subitem_board_id"]:
        say(f"  subitems board {result['subitem_board_id']}: {', '.join(result['subitem_columns'])}")
    say("put this in monday.yml (then `python -m pusher check`):")
    say(yaml_snippet(result, args.customer))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
