"""Status and dropdown labels an import job needs: monday's import creates no label (there is no
``create_labels_if_missing`` for it), so a row naming a label the column lacks fails validation.

The boards' columns are read once per run (``settings`` holds the labels). A new item whose
labels are all known goes in a job. One whose item labels are new goes first, by mutation (with
``create_labels_if_missing``): after it, the label exists and the other rows carrying it can go in
the job. One whose subitems carry a new label goes by mutation altogether.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pusher.boards.setup import render_extra
from pusher.bulk.files import Unit
from pusher.config.settings import ColumnSpec
from pusher.monday.operations import Op, Request
from pusher.run.context import RunContext

LABELLED = frozenset({"status", "dropdown"})


def labels_of(settings: Any) -> set[str]:
    """The label names in a column's ``settings`` (status: {"labels": {"0": "A"}}; dropdown:
    {"labels": [{"id": 1, "name": "A"}]}), JSON or a JSON string."""
    if isinstance(settings, str):
        try:
            settings = json.loads(settings or "{}")
        except ValueError:
            return set()
    raw = (settings or {}).get("labels") if isinstance(settings, Mapping) else None
    if isinstance(raw, Mapping):
        return {str(v) for v in raw.values() if v is not None}
    if isinstance(raw, list):
        return {str(x.get("name")) if isinstance(x, Mapping) else str(x) for x in raw}
    return set()


def wanted(op: Op, columns: Sequence[ColumnSpec]) -> set[tuple[str, str]]:
    """(column id, label) pairs the row's status and dropdown values name."""
    kinds = {c.id: c.type for c in columns if c.type in LABELLED}
    if not kinds or not op.column_values:
        return set()
    values = json.loads(op.column_values)
    out: set[tuple[str, str]] = set()
    for column in kinds:
        value = values.get(column)
        if isinstance(value, Mapping) and value.get("label") is not None:
            out.add((column, str(value["label"])))
        elif isinstance(value, Mapping) and isinstance(value.get("labels"), list):
            out |= {(column, str(x)) for x in value["labels"]}
    return out


class Labels:
    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.item_columns: Sequence[ColumnSpec] = ctx.settings.item_columns
        self.sub_columns: Sequence[ColumnSpec] = ctx.settings.subitem_columns
        self.known: dict[str, set[tuple[str, str]]] = {}  # board id → (column, label) on it

    def needed(self) -> bool:
        return any(c.type in LABELLED for c in (*self.item_columns, *self.sub_columns))

    def read(self, board_ids: Iterable[str | None]) -> None:
        ids = [b for b in dict.fromkeys(board_ids) if b and b not in self.known]
        if not ids or not self.needed():
            return
        request = Request(
            "board_layout", render_extra("board_layout"), {"ids": ids}, [("boards",)], mutation=False
        )
        resp = self.ctx.sender.call(request)
        for board in (resp.data or {}).get("boards") or []:
            if board:
                self.known[str(board["id"])] = {
                    (str(c["id"]), label)
                    for c in board.get("columns") or []
                    for label in labels_of(c.get("settings"))
                }

    def missing(self, board_id: str | None, op: Op, columns: Sequence[ColumnSpec]) -> set[tuple[str, str]]:
        if not board_id or not self.needed():
            return set()
        return wanted(op, columns) - self.known.get(board_id, set())

    def learn(self, board_id: str, pairs: set[tuple[str, str]]) -> None:
        self.known.setdefault(board_id, set()).update(pairs)

    def sort(
        self, board_id: str, sub_board: str | None, units: Sequence[Unit]
    ) -> tuple[list[Unit], list[Op], list[Op]]:
        """(units whose labels all exist: jobs; items bringing a new item label: by mutation
        first; items whose subitems bring a new label: by mutation with the rest)."""
        jobs: list[Unit] = []
        seeds: list[Op] = []
        later: list[Op] = []
        for unit in units:
            if any(self.missing(sub_board, sub, self.sub_columns) for sub in unit.subitems):
                later.append(unit.item)
                continue
            new = self.missing(board_id, unit.item, self.item_columns)
            if new:
                seeds.append(unit.item)  # creates the label (create_labels_if_missing)
                self.learn(board_id, new)
            else:
                jobs.append(unit)
        return jobs, seeds, later
