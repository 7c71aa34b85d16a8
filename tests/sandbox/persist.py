"""The sandbox state as JSON on disk: a snapshot plus a journal of what changed since.

``save`` writes the whole state (temp file + rename). ``flush``, called after every request that
changed something, appends one JSON line to ``<state file>.journal`` holding only the boards and
items that changed, so a request costs what it changed, not the size of the state (re-writing
400,000 items per request made a big push quadratic). When the journal outgrows the snapshot it
is folded into a new snapshot. ``load`` reads the snapshot and replays the journal; a torn last
line (the process killed while writing it) is ignored. Snapshot and journal carry a generation
number, so journal lines older than the snapshot are never replayed over it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .boards import ID_START, BoardStore
from .item_index import ValueIndex, creation_order

STATE_VERSION = 1
MIN_COMPACT_BYTES = 1 << 20


def journal_path(path: str | os.PathLike[str]) -> Path:
    return Path(f"{os.fspath(path)}.journal")


class Persistence(BoardStore):
    """Serialising, saving and loading; the item side lives in :class:`SandboxState`."""

    index: ValueIndex

    def __init__(self, max_items_per_board: int = 10_000) -> None:
        super().__init__(max_items_per_board)
        self._generation = 0
        self._snapshot_bytes = 0
        self._journal_bytes = 0

    # -------------------------------------------------------------- layout
    def _live_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "generation": self._generation,
            "counter": self.counter,
            "boards": list(self.boards.values()),
            "items": list(self.items.values()),
        }

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the state in its JSON layout."""
        return json.loads(self.to_json())  # type: ignore[no-any-return]

    def to_json(self) -> str:
        return json.dumps(self._live_dict(), separators=(",", ":"))

    def clear(self) -> None:
        self.boards.clear()
        self.items.clear()
        self._board_items.clear()
        self._live_counts.clear()
        self._dirty_boards.clear()
        self._dirty_items.clear()
        self.index.clear()
        self.counter = ID_START

    def _put_board(self, board: dict[str, Any]) -> None:
        self.boards[str(board["id"])] = board
        self._board_items.setdefault(str(board["id"]), [])

    def _put_item(self, item: dict[str, Any]) -> None:
        iid = str(item["id"])
        old = self.items.get(iid)
        if old is None:
            self._board_items.setdefault(item["board_id"], []).append(iid)
        elif old["state"] != "deleted":
            self._count(old["board_id"], -1)
        if item["state"] != "deleted":
            self._count(item["board_id"], 1)
        self.items[iid] = item

    def load_dict(self, data: dict[str, Any]) -> None:
        self.clear()
        self._apply_entry(data)
        self._generation = int(data.get("generation", 0))
        self._dirty_boards.clear()
        self._dirty_items.clear()

    def _apply_entry(self, entry: dict[str, Any]) -> None:
        self.counter = max(self.counter, int(entry.get("counter", ID_START)))
        for board in entry.get("boards", []):
            self._put_board(board)
        for item in entry.get("items", []):
            self._put_item(item)
        self.index.clear()

    # ---------------------------------------------------------------- disk
    def save(self, path: str | os.PathLike[str]) -> None:
        """Atomically write the whole state as JSON (temp file + rename); empty the journal."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._generation += 1
        text = self.to_json()
        fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        journal_path(target).unlink(missing_ok=True)
        self._snapshot_bytes, self._journal_bytes = len(text), 0
        self._dirty_boards.clear()
        self._dirty_items.clear()

    def flush(self, path: str | os.PathLike[str]) -> None:
        """Append what changed since the last save or flush to the journal."""
        if not self._dirty_boards and not self._dirty_items:
            return
        if not Path(path).exists():
            self.save(path)
            return
        entry = {
            "generation": self._generation,
            "counter": self.counter,
            "boards": [b for bid, b in self.boards.items() if bid in self._dirty_boards],
            "items": [
                self.items[i] for i in sorted(self._dirty_items, key=creation_order) if i in self.items
            ],
        }
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with journal_path(path).open("a", encoding="utf-8") as fh:
            fh.write(line)
        self._journal_bytes += len(line)
        self._dirty_boards.clear()
        self._dirty_items.clear()
        if self._journal_bytes > max(self._snapshot_bytes, MIN_COMPACT_BYTES):
            self.save(path)

    def load(self, path: str | os.PathLike[str]) -> bool:
        """Load the snapshot at ``path`` and replay its journal; return whether there was one."""
        target = Path(path)
        if not target.exists() or target.stat().st_size == 0:
            return False
        text = target.read_text(encoding="utf-8")
        self.load_dict(json.loads(text))
        self._snapshot_bytes, self._journal_bytes = len(text), 0
        journal = journal_path(target)
        if journal.exists():
            for line in journal.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    break  # torn last line
                if entry.get("generation") == self._generation:
                    self._apply_entry(entry)
                    self._journal_bytes += len(line) + 1
        return True
