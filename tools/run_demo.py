"""`make run`'s push step: the pusher for every customer with work in the outbox.

With MONDAY_API_TOKEN set it pushes to monday (MONDAY_API_URL, else monday's endpoint). Without
it, it starts the local monday sandbox with the fixed boards of monday.yml ($ORDER_SYNC_CONFIG
when set), keeping its state in data/sandbox.json between runs, so the whole loop runs on a fresh
machine with no account. Boards that routes make on demand appear in the sandbox as the pusher
makes them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from pusher.commands.cli import main as pusher_main
from pusher.store.connection import connect
from tests.sandbox.spec import boards_from_mapping

REPO = Path(__file__).resolve().parent.parent
DEMO_WINDOW_SECONDS = 6.0


def board_spec(config_file: str) -> dict[str, Any]:
    return {"boards": boards_from_mapping(Path(config_file))}


def customers_with_work() -> list[str]:
    db = connect()
    try:
        rows = []
        for relation in ("STG_MON_CustMasterSchedule", "STG_MON_CustMasterSchedule_Subitems"):
            rows += db.query(f"SELECT DISTINCT customer_name FROM {db.relation(relation)}")
        return sorted({r[0] for r in rows if r[0]})
    finally:
        db.close()


def push_all(customers: list[str], extra: list[str]) -> int:
    return pusher_main(["--all-customers", *extra])


def print_boards(sandbox: Any, state_file: str) -> None:
    """Every board on the sandbox account with its active items (subitems boards included)."""
    snap = sandbox.snapshot()
    for board in sorted(snap["boards"], key=lambda b: int(b["id"])):
        if board.get("state", "active") != "active":
            continue
        count = len(sandbox.items(str(board["id"])))
        print(f"sandbox board {board['id']} {board['name']!r}: {count} active items")
    print(f"(sandbox state kept in {state_file})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.run_demo")
    parser.add_argument("--config", default=os.environ.get("ORDER_SYNC_CONFIG") or str(REPO / "monday.yml"))
    parser.add_argument("--sandbox-state", default="data/sandbox.json")
    args, extra = parser.parse_known_args(argv)
    start = time.perf_counter()
    customers = customers_with_work()
    if not customers:
        print("order-sync: nothing to send for any customer (the outbox is empty); no request made")
        return 0
    print(f"order-sync: {len(customers)} customer(s) with work: {', '.join(customers)}")
    if os.environ.get("MONDAY_API_TOKEN"):
        code = push_all(customers, extra)
    else:
        from tests.sandbox import SandboxServer

        Path(args.sandbox_state).parent.mkdir(parents=True, exist_ok=True)
        # monday's limits, with its one-minute window scaled to DEMO_WINDOW_SECONDS so that a first
        # push of a few thousand mutations is paced the way monday paces it, without the wait.
        with SandboxServer(
            state_file=args.sandbox_state,
            board_spec=board_spec(args.config),
            window_seconds=DEMO_WINDOW_SECONDS,
        ) as sandbox:
            os.environ["MONDAY_API_URL"] = sandbox.url
            os.environ["MONDAY_API_TOKEN"] = "sandbox-demo-token"  # noqa: S105 - the sandbox takes any token
            print(
                f"order-sync: MONDAY_API_TOKEN unset, pushing to the local monday sandbox ({sandbox.url}; "
                f"monday's limits per {DEMO_WINDOW_SECONDS:g} s instead of per minute)"
            )
            try:
                code = push_all(customers, extra)
            finally:
                del os.environ["MONDAY_API_TOKEN"]
            print_boards(sandbox, args.sandbox_state)
    print(f"order-sync: all customers pushed in {time.perf_counter() - start:.1f} s, exit code {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
