"""Which board each outbox row goes to, with boards made on demand (docs/CONTRACT.md, issue 10).

A row with a ``board_id`` uses it. A create whose board is not made yet (``board_id`` null, a
``board_name``) goes through ``BoardMaker.ensure`` once per board name: it finds the board by
name or makes it (``boards.auto_create``), and logs it. A row without either (an outbox built
before the board columns) goes to the customer's configured board (``Settings.board_id``).

A board that cannot be had leaves its rows in the outbox: when a person must act (auto_create off,
no subitems board configured) the run ends with exit 2 after the other boards synced; when monday
did not answer, exit 1 and the next run tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pusher.config.settings import Settings
from pusher.errors import RefusedError
from pusher.monday.client import ClientError
from pusher.store.outbox import ItemRow, SubitemRow
from pusher.store.push_log import Confirmed

log = logging.getLogger(__name__)

BOARD_NOT_MADE = "BOARD_NOT_MADE"  # auto_create off: a person makes the board (exit 2)
BOARD_UNAVAILABLE = "BOARD_UNAVAILABLE"  # monday did not answer while making it (exit 1)
NO_BOARD = "NO_BOARD"  # the row names no board and monday.yml gives the customer none
NO_SUBITEM_BOARD = "NO_SUBITEM_BOARD"  # subitems for a board whose subitems board is unknown


@dataclass
class Target:
    """One board the run works on (``board_id`` None while it cannot be had)."""

    board_name: str | None
    board_id: str | None = None
    subitem_board_id: str | None = None
    sizes_mode: str | None = None
    problem: tuple[str, str] | None = None  # (code, message) when the board cannot be had


class Targets:
    """Board ids by board name and id, filled from the rows, monday.yml and boards made."""

    def __init__(self, settings: Settings, maker: Callable[[], Any]) -> None:
        self.s = settings
        self.default_board = settings.board_id
        self.default_subitem_board = settings.subitem_board_id
        self.maker = maker  # → a board_maker.BoardMaker (made when first needed)
        self.by_id: dict[str, Target] = {}
        self.by_name: dict[str, Target] = {}
        self.refused: list[str] = []  # messages for the person who must set a board up

    # ----------------------------------------------------------------- learn
    def learn(self, board_id: str | None, name: str | None, sub_id: str | None, sizes: str | None) -> None:
        if not board_id:
            return
        target = self.by_id.setdefault(board_id, Target(name, board_id))
        target.board_name = target.board_name or name
        target.subitem_board_id = target.subitem_board_id or sub_id
        target.sizes_mode = target.sizes_mode or sizes
        if name:
            self.by_name.setdefault(name, target)

    def learn_rows(self, items: Iterable[ItemRow], subitems: Iterable[SubitemRow] = ()) -> None:
        for r in items:
            self.learn(r.board_id, r.board_name, r.subitem_board_id, r.sizes_mode)
        for s in subitems:
            self.learn(s.board_id, s.board_name, s.subitem_board_id, None)
        if self.default_board:
            self.learn(self.default_board, None, self.default_subitem_board, None)

    # ------------------------------------------------------------ make boards
    def boards_to_make(self, rows: Iterable[ItemRow]) -> dict[str, Any]:
        """The boards that creates are placed on but that have no id yet (``BoardTarget`` by name):
        those found without asking monday are learnt, the rest are returned for ``make``, one at a
        time, so a run can start one board's import jobs before the next board is made (issue 22).
        With ``boards.auto_create`` off, one refusal names them all and none is returned."""
        from pusher.boards.maker import BoardTarget

        wanted: dict[str, BoardTarget] = {}
        for r in rows:
            if (
                r.operation == "create"
                and not r.board_id
                and r.board_name
                and r.board_name not in self.by_name
            ):
                overflow = str(r.overflow_no or "1")
                wanted.setdefault(
                    r.board_name,
                    BoardTarget(
                        r.board_name,
                        r.route_key or r.board_name,
                        int(overflow) if overflow.isdigit() else 1,
                        r.sizes_mode or "subitems",
                    ),
                )
        if not wanted:
            return {}
        maker = self.maker()
        missing = {}
        for name, want in wanted.items():
            known = maker.known(want)
            if known is None:
                missing[name] = want
            else:
                self._made(name, known)
        if missing and not self.s.boards.auto_create:
            self.refused.append(str(maker.refusal(missing.values())))
            for want in missing.values():
                message = (
                    f"board {want.board_name!r} is not on monday yet and boards.auto_create is off "
                    "(see the REFUSED note of this run for the fix)"
                )
                self.by_name[want.board_name] = Target(want.board_name, problem=(BOARD_NOT_MADE, message))
            return {}
        return missing

    def make(self, want: Any) -> Target:
        """Find or make one board of ``boards_to_make``: its target, with a problem when it could
        not be had (its rows stay in the outbox)."""
        try:
            self._made(want.board_name, self.maker().ensure(want))
        except RefusedError as exc:
            self.refused.append(str(exc))
            self.by_name[want.board_name] = Target(want.board_name, problem=(BOARD_NOT_MADE, str(exc)))
        except ClientError as exc:  # board_maker.BoardNotMade among them: the next run tries again
            log.warning("board %r could not be made or found: %s", want.board_name, exc)
            problem = (BOARD_UNAVAILABLE, str(exc))
            self.by_name[want.board_name] = Target(want.board_name, problem=problem)
        return self.by_name[want.board_name]

    def _made(self, name: str, got: Any) -> None:
        self.learn(got.board_id, name, got.subitem_board_id, got.sizes_mode)

    # --------------------------------------------------------------- resolve
    def for_item(self, row: ItemRow, confirmed: Confirmed | None) -> Target:
        """The board of an item row: its own, else the one made for its board name (creates),
        else where the log last saw the item, else the customer's configured board."""
        if row.board_id:
            return self.by_id[row.board_id]
        if row.board_name and row.operation == "create":
            return self.by_name.get(row.board_name) or Target(row.board_name, problem=self._unknown(row))
        if confirmed is not None and confirmed.board_id:
            self.learn(confirmed.board_id, None, None, None)
            return self.by_id[confirmed.board_id]
        return self._default()

    @staticmethod
    def _unknown(row: ItemRow) -> tuple[str, str]:
        return (NO_BOARD, f"board {row.board_name!r} was neither found nor made")

    def for_subitem(self, row: SubitemRow, parent: Confirmed | None) -> Target:
        """A subitem goes with its parent: the board the log saw the parent on (this run's creates
        included), else the row's board, else the configured board."""
        if parent is not None and parent.live and parent.board_id:
            self.learn(parent.board_id, None, None, None)
            target = self.by_id[parent.board_id]
            if target.subitem_board_id is None and row.board_id == parent.board_id:
                target.subitem_board_id = row.subitem_board_id
            return target
        if row.board_id:
            return self.by_id[row.board_id]
        if row.board_name:  # the parent's board is not made yet: nothing to do there this run
            return self.by_name.get(row.board_name) or Target(row.board_name)
        return self._default()

    def _default(self) -> Target:
        if self.default_board:
            return self.by_id[self.default_board]
        message = (
            "the outbox row names no board and monday.yml gives this customer no board_id: "
            "rebuild the outbox with dbt (it places every line on a board)"
        )
        return Target(None, problem=(NO_BOARD, message))

    def subitems_board(self, target: Target) -> tuple[str | None, str | None]:
        """(subitems board id, why not) for subitems on ``target``'s board."""
        if target.subitem_board_id:
            return target.subitem_board_id, None
        message = (
            f"board {target.board_name or ''} ({target.board_id}) has no known subitems board: set "
            "subitem_board_id beside its board_id in monday.yml (the board monday made for its "
            "subitems), or use sizes: column for the route"
        )
        if message not in self.refused:
            self.refused.append(message)
        return None, message
