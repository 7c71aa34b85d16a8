"""Items by the text of one column, per board: what makes ``items_page_by_column_values`` on a
board of 10,000 items a dictionary lookup instead of a scan.

An index for (board, column) is built on the first lookup and kept current from then on by the
state (``added`` for a new item, ``texts`` before and ``moved`` after a change). Only columns
whose text depends on the stored value alone are indexed; other columns are filtered by a scan.
Every item is indexed whatever its state: readers filter by state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# Column types whose text is a function of the item's own stored value.
INDEXED_TYPES = frozenset({"name", "text", "numbers", "long_text", "date"})

TextOf = Callable[[dict[str, Any], str], str]
Key = tuple[str, str]


def creation_order(item_id: str) -> tuple[int, str]:
    """Sort key that puts item ids in creation order (ids are increasing integers)."""
    return (int(item_id), "") if item_id.isdigit() else (1 << 62, item_id)


class ValueIndex:
    """(board id, column id) -> column text -> ids of the items with that text."""

    def __init__(self, text_of: TextOf) -> None:
        self._text_of = text_of
        self._maps: dict[Key, dict[str, dict[str, None]]] = {}

    def clear(self) -> None:
        self._maps.clear()

    def _map(
        self, key: Key, item_ids: Iterable[str], items: dict[str, dict[str, Any]]
    ) -> dict[str, dict[str, None]]:
        found = self._maps.get(key)
        if found is None:
            found = {}
            for iid in item_ids:
                found.setdefault(self._text_of(items[iid], key[1]), {})[iid] = None
            self._maps[key] = found
        return found

    def lookup(
        self,
        board_id: str,
        column_id: str,
        texts: Iterable[str],
        item_ids: Iterable[str],
        items: dict[str, dict[str, Any]],
    ) -> set[str]:
        """Ids of the board's items whose ``column_id`` text is one of ``texts``."""
        by_text = self._map((board_id, column_id), item_ids, items)
        out: set[str] = set()
        for text in texts:
            out.update(by_text.get(text, ()))
        return out

    def added(self, item: dict[str, Any]) -> None:
        for (board_id, column_id), by_text in self._maps.items():
            if board_id == item["board_id"]:
                by_text.setdefault(self._text_of(item, column_id), {})[item["id"]] = None

    def texts(self, item: dict[str, Any], column_ids: Iterable[str]) -> dict[str, str]:
        """The current texts of the indexed ones among ``column_ids`` (call before a change)."""
        board_id = item["board_id"]
        return {cid: self._text_of(item, cid) for cid in column_ids if (board_id, cid) in self._maps}

    def moved(self, item: dict[str, Any], before: dict[str, str]) -> None:
        """Re-file ``item`` under its new texts (``before`` from :meth:`texts`)."""
        for cid, old in before.items():
            new = self._text_of(item, cid)
            if new != old:
                by_text = self._maps[(item["board_id"], cid)]
                bucket = by_text.get(old)
                if bucket is not None:
                    bucket.pop(item["id"], None)
                    if not bucket:
                        del by_text[old]
                by_text.setdefault(new, {})[item["id"]] = None
