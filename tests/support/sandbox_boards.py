"""The sandbox's boards as the repository's monday.yml makes them, and a board read the way a
monday client reads it."""

from __future__ import annotations

from typing import Any

import requests

from tests.sandbox import SandboxServer
from tests.sandbox.spec import boards_from_mapping

BOARD, SUBBOARD = "9001", "9002"  # monday.yml's default board and its subitems board


def board_spec() -> list[dict[str, Any]]:
    """The sandbox boards, built from the repo's monday.yml mapping."""
    return boards_from_mapping()


def read_board(sandbox: SandboxServer, board: str, token: str = "tok-read-board") -> list[dict[str, Any]]:
    """Every active item of ``board`` as monday shows it to a client (column texts), paged."""
    items: list[dict[str, Any]] = []
    query = (
        "query($b: [ID!], $c: String) { boards(ids: $b) { items_page(limit: 500, cursor: $c) "
        "{ cursor items { id name state group { id title } parent_item { id } "
        "column_values { id text } } } } }"
    )
    cursor = None
    while True:
        resp = requests.post(
            sandbox.url,
            json={"query": query, "variables": {"b": [board], "c": cursor}},
            headers={"Authorization": token, "API-Version": "2026-10"},
            timeout=30,
        )
        page = resp.json()["data"]["boards"][0]["items_page"]
        items += page["items"]
        cursor = page["cursor"]
        if not cursor:
            return items
