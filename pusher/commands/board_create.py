"""``python -m pusher board create --name "..."``: a new monday board with every mapped column.

1. ``create_board`` (empty, kind ``--kind``);
2. ``create_column`` for the item sync-key column and every ``items.columns`` entry of monday.yml
   (ids, titles and types from the mapping; status labels as the column's defaults);
3. the subitems board: monday's API has no call that creates it directly: monday creates it with
   a board's first subitem. So one placeholder item and one subitem are created (the response
   names the subitems board), the subitem columns are added there with ``create_column``, and the
   placeholder item is deleted again (its subitem goes with it); the steps live in
   ``pusher/boards/setup.py``, shared with boards made on demand (``boards/maker.py``);
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

import yaml

from pusher.boards.setup import EXTRA_OPERATIONS, Layout, complete_board, create_board, render_extra
from pusher.config.settings import DEFAULT_API_URL, DEFAULT_API_VERSION, config_path, mapped_columns
from pusher.errors import EXIT_CONFIG, EXIT_OK, ConfigError
from pusher.monday.client import ClientError, MondayClient, say_redacted

__all__ = [  # EXTRA_OPERATIONS, mapped_columns, render_extra: check.py and the tests read them here
    "EXTRA_OPERATIONS", "client_from_env", "load_mapping", "main", "mapped_columns", "provision",
    "render_extra", "yaml_snippet",
]  # fmt: skip


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


def client_from_env(config: Mapping[str, Any]) -> MondayClient:
    url = (os.environ.get("MONDAY_API_URL") or DEFAULT_API_URL).strip()
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigError("MONDAY_API_URL must be https:// (plain http only for localhost)")
    return MondayClient(url, str(config.get("api_version") or DEFAULT_API_VERSION), read_timeout=120)


def provision(
    client: MondayClient,
    config: Mapping[str, Any],
    name: str,
    *,
    kind: str = "public",
    workspace_id: str | None = None,
    folder_id: str | None = None,
    subitems: bool = True,
) -> dict[str, Any]:
    item_columns = mapped_columns(config, "items")
    sub_columns = mapped_columns(config, "subitems") if subitems else None
    board_id = create_board(client, name, kind=kind, workspace_id=workspace_id, folder_id=folder_id)
    return {**complete_board(client, Layout(board_id), item_columns, sub_columns), "name": name}


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
    p.add_argument("--folder-id", help="the folder to create it in (optional)")
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
            folder_id=args.folder_id,
            subitems=not args.no_subitems,
        )
    except (ConfigError, ClientError) as exc:
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
