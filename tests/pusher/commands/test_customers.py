"""Customers side by side in one process (issue 20, part 3): ``--all-customers`` pushes up to
``--parallel`` customers at once, each on its own database connection, sharing one pacer; monday
still sees one mutation request at a time per board, every line lands once, and the account's
budget is not overrun. ``--parallel 1`` is the old one-after-another run.

Three customers on two board pairs of the sandbox: two share ``Orders`` (their mutations must take
turns), the third has ``Orders (2)`` to itself.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pusher.errors import EXIT_OK
from tests.pusher.harness import Env, cli, item_row, subitem_row
from tests.support.sandbox_boards import BOARD, SUBBOARD, board_spec

BOARD2, SUBBOARD2 = "9101", "9102"
ONE = (BOARD, SUBBOARD, "Orders")
TWO = (BOARD2, SUBBOARD2, "Orders (2)")
CUSTOMERS = {"GREYSON CLOTHIERS": ONE, "HARBOUR & LANE": ONE, "NORTHWIND": TWO}


@pytest.fixture
def sandbox_boards() -> list[dict[str, Any]]:
    first = {**board_spec()[0], "name": "Orders"}
    return [first, {**first, "id": BOARD2, "subitem_board_id": SUBBOARD2, "name": "Orders (2)"}]


def key(customer: int, line: int) -> str:
    return f"{customer:08d}-aaaa-bbbb-cccc-{line:012d}"


def three_customers(env: Env, lines: int = 6) -> set[str]:
    items, subitems = [], []
    for c, (customer, board) in enumerate(CUSTOMERS.items(), start=1):
        group = f"{customer} 2025 FALL"
        for n in range(1, lines + 1):
            k = key(c, n)
            items.append(dict(item_row(k, group=group, board=board), customer_name=customer))
            subitems += [
                dict(subitem_row(k, size, 3, board=board), customer_name=customer) for size in ("S", "M")
            ]
    env.outbox(items, subitems)
    return {r["sync_key"] for r in items}


def on_monday(env: Env) -> Counter[str]:
    return Counter(i["column_values"]["sync_key"] for b in (BOARD, BOARD2) for i in env.items(b))


def test_customers_pushed_side_by_side_land_once_with_one_mutation_at_a_time_per_board(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = three_customers(env)
    # Requests take long enough to overlap; a window of 60 mutations makes the run pace itself.
    env.server.configure(latency_ms=60, window_seconds=2, complexity_budget=600_000)

    assert cli(env, monkeypatch, "--all-customers", "--parallel", "3") == EXIT_OK

    said = capsys.readouterr().out
    assert on_monday(env) == {k: 1 for k in keys}
    subitems = Counter(s["column_values"]["sync_key"] for b in (SUBBOARD, SUBBOARD2) for s in env.items(b))
    assert subitems == {f"{k}|{size}": 1 for k in keys for size in ("S", "M")}
    stats = env.server.stats
    assert stats["max_concurrency_seen"] >= 2  # customers' requests were on the wire together
    assert stats["limits"]["max_mutations_in_flight_on_one_board"] == 1  # ...never two on a board
    assert stats["rate_limited_by_code"] == {}  # one budget, shared: no 429
    assert said.count("GREYSON CLOTHIERS") and said.count("NORTHWIND") and "3 customers, exit code 0" in said


def test_parallel_one_pushes_customers_one_after_another(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = three_customers(env, lines=2)
    env.server.configure(latency_ms=30)

    assert cli(env, monkeypatch, "--all-customers", "--parallel", "1") == EXIT_OK

    assert on_monday(env) == {k: 1 for k in keys}
    assert env.server.stats["max_concurrency_seen"] == 1
