"""No duplicates: a create whose earlier outcome is unknown is first looked up by its sync key.

When monday already has the item (or subitem), it is adopted: an ``adopt`` / ``ok`` outcome is
logged with what the unknown attempt had sent. If the outbox now wants something newer, a
follow-up update carries the difference. When monday does not have it, an earlier run's request
is resent under its own Idempotency-Key where possible (run/replay.py), so a request monday is still
applying is not doubled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from pusher.monday.operations import Op
from pusher.run.context import RunContext
from pusher.run.replay import Replayer


def _parent_id(hit: dict[str, Any]) -> str | None:
    parent = (hit.get("parent_item") or {}).get("id")
    return str(parent) if parent else None


PrepareUpdate = Callable[[Op, "str | None", "str | None", bool], bool]


class Adopter:
    def __init__(
        self,
        ctx: RunContext,
        prepare_update: PrepareUpdate,
    ) -> None:
        self.ctx = ctx
        self.prepare_update = prepare_update
        self.followups: dict[str, list[Op]] = {"item": [], "subitem": []}
        self.replayer = Replayer(ctx, self.follow_up)

    def mark_unresolved(self, op: Op) -> None:
        """Flag a create whose last attempt (this key, any run) has no known outcome."""
        prior = self.ctx.log.unresolved(op.entity, op.sync_key)
        if prior and prior.get("operation") in ("create", "adopt"):
            op.lookup_first = True
            op.prior = dict(prior)

    def before_send(self, ops: list[Op]) -> list[Op]:
        return self.adopt(ops, only_flagged=True)

    def adopt(self, ops: list[Op], only_flagged: bool = False) -> list[Op]:
        """Look ``ops`` up by sync key; adopt those monday already has and return the rest."""
        check = [op for op in ops if op.lookup_first or not only_flagged]
        if not check:
            return ops
        checked = {id(op) for op in check}
        entity = check[0].entity
        # One call is about one board: the items board, or the subitems board of the parents' board.
        board = check[0].board_id if entity == "item" else check[0].subitem_board_id
        column = (
            self.ctx.settings.item_sync_key_column
            if entity == "item"
            else self.ctx.settings.subitem_sync_key_column
        )
        found = self.ctx.sender.lookup(board or "", column, [op.sync_key for op in check])
        rest = [op for op in ops if id(op) not in checked]
        missing: list[Op] = []
        for op in check:
            hits = found.get(op.sync_key) or []
            if entity == "subitem":
                hits = [h for h in hits if _parent_id(h) == op.monday_parent_id] or hits
            if not hits:
                missing.append(op)
                continue
            if len(hits) > 1:
                self.ctx.summary.notes.append(
                    f"{entity} {op.sync_key}: {len(hits)} items carry this sync key; adopted the oldest"
                )
            self._adopt_one(op, hits[0])
        # Not on monday (yet): an earlier run's request may still be on its way in; resend it
        # under its own key rather than create these rows under a new one (run/replay.py).
        for op in self.replayer.replay(missing) if only_flagged else missing:
            op.lookup_first, op.prior = False, {}
            rest.append(op)
        return rest

    def _adopt_one(self, op: Op, hit: dict[str, Any]) -> None:
        prior = {k: v for k, v in op.prior.items() if v is not None}
        fields = ("payload_hash", "group_title", "item_name", "column_values")
        sent = dataclasses.replace(op, **{k: prior[k] for k in fields if k in prior})
        if op.entity == "subitem":
            extra = {"monday_parent_id": _parent_id(hit) or op.monday_parent_id}
        else:
            group = (hit.get("group") or {}).get("id") or op.monday_group_id
            extra = {"monday_group_id": str(group) if group else None}
        self.ctx.sender.record_ok_without_request(sent, "adopt", op.board_id or "", str(hit["id"]), **extra)
        self.follow_up(op, sent, str(hit["id"]))

    def follow_up(self, op: Op, sent: Op, monday_id: str | None) -> None:
        """Queue an update when what the outbox wants now is newer than what was ``sent``."""
        if sent.payload_hash == op.payload_hash or not monday_id:
            return
        follow = dataclasses.replace(
            op, operation="update", monday_id=monday_id, lookup_first=False, prior={}
        )
        moved = op.entity == "item" and sent.group_title != op.group_title
        if self.prepare_update(follow, sent.column_values, sent.item_name, moved):
            self.followups[op.entity].append(follow)
