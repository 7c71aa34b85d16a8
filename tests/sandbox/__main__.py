"""CLI: ``python -m tests.sandbox --port 8765 --state .sandbox/state.json [--board-spec FILE]``."""

from __future__ import annotations

import argparse
import signal
import sys
from dataclasses import fields
from typing import Any

from .limits import Limits
from .server import ACCEPTED_VERSIONS, SandboxServer


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tests.sandbox", description="Local fake monday.com API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--state", metavar="FILE", help="persist state to this JSON file")
    p.add_argument("--board-spec", metavar="FILE.yml", help="YAML boards to ensure exist at start")
    p.add_argument(
        "--schema",
        metavar="SDL",
        help="schema file (default: $MONDAY_SCHEMA_SDL or tests/sandbox/schema/monday-<api_version>.graphql)",
    )
    p.add_argument("--token", help="accept only this Authorization token (default: any non-empty)")
    p.add_argument(
        "--admin-token",
        action="append",
        metavar="TOKEN",
        help="an account admin's token (repeatable; default: every token is an admin's)",
    )
    p.add_argument(
        "--api-versions",
        default=",".join(ACCEPTED_VERSIONS),
        help="comma-separated accepted API-Version values",
    )
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--latency-per-mutation-ms", type=float, default=0.0)
    p.add_argument("--idempotency-window-seconds", type=float, default=1800.0)
    p.add_argument("--max-items-per-board", type=int, default=10_000)
    p.add_argument("--verbose", action="store_true", help="log each request")
    defaults = Limits()
    for f in fields(Limits):
        if f.name == "field_costs":
            continue
        value = getattr(defaults, f.name)
        p.add_argument(
            "--" + f.name.replace("_", "-"),
            type=type(value),
            default=value,
            help=f"(default {value}{'' if f.name.endswith('cost') else '; 0 = unlimited'})",
        )
    p.add_argument(
        "--field-cost",
        action="append",
        default=[],
        metavar="FIELD=COST",
        help="override the complexity cost of a root field (repeatable)",
    )
    return p


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    limits = Limits(**{f.name: getattr(args, f.name) for f in fields(Limits) if f.name != "field_costs"})
    for item in args.field_cost:
        name, _, cost = item.partition("=")
        limits.field_costs[name.strip()] = int(cost)
    server = SandboxServer(
        args.host,
        args.port,
        token=args.token,
        admin_tokens=args.admin_token,
        state_file=args.state,
        board_spec=args.board_spec,
        schema_path=args.schema,
        limits=limits,
        latency_ms=args.latency_ms,
        latency_per_mutation_ms=args.latency_per_mutation_ms,
        idempotency_window_seconds=args.idempotency_window_seconds,
        max_items_per_board=args.max_items_per_board,
        accepted_versions=tuple(v.strip() for v in args.api_versions.split(",") if v.strip()),
        verbose=args.verbose,
    )
    print(f"monday sandbox listening on {server.url}", flush=True)
    # SIGTERM stops like Ctrl-C, so the state file is written out whole (the journal folded in).
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
