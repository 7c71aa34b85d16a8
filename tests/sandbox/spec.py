"""The sandbox boards that a monday.yml points at, with its mapped item and subitem columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MONDAY_YML = Path(__file__).resolve().parents[2] / "monday.yml"


def boards_from_mapping(config_file: Path = MONDAY_YML) -> list[dict[str, Any]]:
    config = yaml.safe_load(Path(config_file).read_text())

    def columns(section: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(section["sync_key"])] + [
            {k: c[k] for k in ("id", "title", "type", "labels") if k in c} for c in section["columns"]
        ]

    # Only boards with a fixed id exist before the first run; routes without one are made on
    # demand by the pusher (boards.auto_create), so the sandbox starts without them.
    routes = [(config["boards"].get("default") or {}), *(config["boards"].get("customers") or {}).values()]
    boards = [b for b in routes if b.get("board_id")]
    return [
        {
            "id": str(b["board_id"]),
            "name": "Customer master schedule",
            **({"subitem_board_id": str(b["subitem_board_id"])} if b.get("subitem_board_id") else {}),
            "columns": columns(config["items"]),
            "subitem_columns": columns(config["subitems"]),
        }
        for b in boards
    ]
