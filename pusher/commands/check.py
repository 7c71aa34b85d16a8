"""``python -m pusher check``: is monday ready for a sync? One read, no mutation.

- the token: ``me { id name }`` answers (else: which variable to set, what kind of token);
- every board monday.yml names (``boards.default`` and ``boards.customers``, or only the
  ``--customer`` ones), and every board made on demand that dbt plans on, exists and is readable;
- every mapped column (items on the board, subitems on the subitems board, the sync-key columns
  included) exists with the mapped type; status labels of the mapping exist on the column
  (a warning: the pusher sends ``create_labels_if_missing``, which needs permission to change the
  board's structure);
- capacity: monday allows 10,000 items per board (``boards.max_items_per_board``); warns below
  10% left, fails at none left; dbt's plan per board (``MON_BoardCapacity``): fails for a board
  planned past the limit, or not made yet while ``boards.auto_create`` is off (check_plan.py).

Exit 0 (warnings allowed), 2 when anything must be fixed first. Every problem names the fix.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pusher.commands import check_plan
from pusher.commands.board_create import client_from_env, load_mapping, mapped_columns, render_extra
from pusher.errors import EXIT_CONFIG, EXIT_OK, ConfigError
from pusher.monday.client import AuthFailed, ClientError, say_redacted

BOARD_ITEM_LIMIT = 10_000
LOW_CAPACITY_SHARE = 0.1


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        lines = ["order-sync check: " + ("OK" if self.ok else f"{len(self.problems)} problem(s) to fix")]
        lines += [f"  ok    {line}" for line in self.info]
        lines += [f"  WARN  {line}" for line in self.warnings]
        lines += [f"  FAIL  {line}" for line in self.problems]
        return "\n".join(lines)


def boards_to_check(config: Mapping[str, Any], customers: Sequence[str]) -> list[tuple[str, str, str | None]]:
    """(label, board_id, subitem_board_id) for the default board and each customer board that
    names a fixed board (routes without one have their boards made on demand)."""
    boards = config.get("boards")
    if not isinstance(boards, Mapping):
        raise ConfigError("monday.yml has no `boards` section")
    entries: list[tuple[str, Any]] = []
    named = {str(k).strip().casefold(): (str(k), v) for k, v in (boards.get("customers") or {}).items()}
    if customers:
        for c in customers:
            hit = named.get(c.strip().casefold())
            entries.append(
                (f"customer {c}", hit[1])
                if hit
                else (f"customer {c} (boards.default)", boards.get("default"))
            )
    else:
        if boards.get("default"):
            entries.append(("boards.default", boards["default"]))
        entries += [(f"customer {name}", entry) for name, entry in named.values()]
    out: list[tuple[str, str, str | None]] = []
    seen: set[tuple[str, str | None]] = set()
    for label, entry in entries:
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{label}: must be a mapping in monday.yml")
        if entry.get("board_id") is None or not str(entry["board_id"]).strip():
            continue  # a route whose boards are made on demand: MON_BoardCapacity lists them
        if not str(entry["board_id"]).strip().isdigit():
            raise ConfigError(f"{label}: board_id is not a numeric monday id in monday.yml")
        bid = str(entry["board_id"]).strip()
        sub = str(entry.get("subitem_board_id") or "").strip() or None
        if (bid, sub) not in seen:
            seen.add((bid, sub))
            out.append((label, bid, sub))
    return out


def _labels(settings: Any) -> set[str]:
    if isinstance(settings, str):
        try:
            settings = json.loads(settings)
        except ValueError:
            return set()
    labels = (settings or {}).get("labels") if isinstance(settings, Mapping) else None
    if isinstance(labels, Mapping):
        return {str(v) for v in labels.values()}
    if isinstance(labels, list):
        return {str(x.get("name") if isinstance(x, Mapping) else x) for x in labels}
    return set()


def check_columns(
    report: Report, where: str, board: Mapping[str, Any], wanted: Sequence[Mapping[str, Any]], section: str
) -> None:
    have = {str(c.get("id")): c for c in board.get("columns") or []}
    for col in wanted:
        cid, ctype = str(col["id"]), str(col["type"])
        found = have.get(cid)
        if found is None:
            by_title = [c for c in have.values() if str(c.get("title")) == str(col.get("title"))]
            hint = (
                f"; a column titled {col.get('title')!r} has id {by_title[0].get('id')!r}: put that id in"
                f" monday.yml {section}"
                if by_title
                else f"; add a {ctype} column {col.get('title')!r} with id {cid!r} on the board,"
                f" or fix the id in monday.yml {section}"
            )
            report.problems.append(f"{where}: no column {cid!r}{hint}")
            continue
        if str(found.get("type")) != ctype:
            report.problems.append(
                f"{where}: column {cid!r} is {found.get('type')!r} on monday but {ctype!r} in monday.yml "
                f"{section}; change the type in monday.yml (then `make generate`) or map another column"
            )
            continue
        wanted_labels = [str(x) for x in col.get("labels") or []]
        missing = [x for x in wanted_labels if x not in _labels(found.get("settings"))]
        if missing:
            report.warnings.append(
                f"{where}: status column {cid!r} lacks label(s) {', '.join(missing)}: add them on the board "
                "(the pusher creates missing labels only if its token may change the board's structure)"
            )


def run_check(
    client: Any,
    config: Mapping[str, Any],
    customers: Sequence[str] = (),
    creates: Mapping[str, int] | None = None,
    plan: list[dict[str, Any]] | None = None,
) -> Report:
    """``creates``: item creates waiting in the outbox per board id (checked against capacity);
    ``plan``: ``MON_BoardCapacity`` rows (None: not built)."""
    report = Report()
    targets = boards_to_check(config, customers)
    targets += check_plan.made_boards(plan, {b for _, b, _ in targets})
    boards_cfg = config.get("boards") if isinstance(config.get("boards"), Mapping) else {}
    limit = int(boards_cfg.get("max_items_per_board") or BOARD_ITEM_LIMIT)
    plan_problems, plan_info = check_plan.judge(plan, bool(boards_cfg.get("auto_create")))
    report.problems += plan_problems
    report.info += plan_info
    items_wanted = mapped_columns(config, "items")
    subs_wanted = mapped_columns(config, "subitems")
    ids = sorted({b for _, b, _ in targets} | {s for _, _, s in targets if s})
    try:
        resp = client.execute(render_extra("check_boards"), {"ids": ids}, mutation=False)
    except AuthFailed as exc:
        report.problems.append(
            f"monday refused the token ({exc.code}): set MONDAY_API_TOKEN to a valid monday API token "
            "(monday: profile picture → Developers → My access tokens)"
        )
        return report
    except ClientError as exc:
        report.problems.append(f"monday did not answer ({exc}): check MONDAY_API_URL and the network")
        return report
    data = resp.data or {}
    me = data.get("me") or {}
    if me.get("id"):
        report.info.append(f"token works: user {me.get('name') or ''} (id {me['id']})".replace("  ", " "))
    else:
        report.problems.append(
            "the token has no user (me is empty): use a personal or app token with read access"
        )
    for err in resp.errors:
        report.warnings.append(f"monday: {client.redact(err.get('message') or '')}")
    boards = {str(b["id"]): b for b in data.get("boards") or [] if b}
    for label, bid, sub in targets:
        board = boards.get(bid)
        if board is None or board.get("state") in ("deleted", "archived"):
            state = "" if board is None else f" ({board.get('state')})"
            report.problems.append(
                f"{label}: board {bid} not found or not accessible with this token{state}: fix board_id in "
                "monday.yml, share the board with the token's user, or create one with "
                "`python -m pusher board create --name ...`"
            )
            continue
        check_columns(report, f"{label}: board {bid}", board, items_wanted, "items.columns")
        count = int(board.get("items_count") or 0)
        left = limit - count
        where = f"{label}: board {bid} ({board.get('name')})"
        if left <= 0:
            report.problems.append(
                f"{where} is full ({count:,} of {limit:,} items): give the customer a board "
                "of its own (`python -m pusher board create`, monday.yml boards.customers) "
                "or archive old seasons"
            )
        elif left < limit * LOW_CAPACITY_SHARE:
            report.warnings.append(
                f"{where}: only {left:,} of {limit:,} items left: plan a new board "
                "(`python -m pusher board create`, monday.yml boards.customers)"
            )
        else:
            report.info.append(f"{where}: {count:,} items, room for {left:,} more")
        waiting = (creates or {}).get(bid, 0)
        if 0 < left < waiting:
            report.problems.append(
                f"{where}: the outbox holds {waiting:,} new items for it but only {left:,} fit: give "
                "customers boards of their own (`python -m pusher board create`, monday.yml "
                "boards.customers) before the next run"
            )
        if sub is None:
            report.warnings.append(
                f"{label}: no subitem_board_id in monday.yml: subitem rows will not be sent"
            )
            continue
        sub_board = boards.get(sub)
        if sub_board is None:
            report.problems.append(
                f"{label}: subitems board {sub} not found: it is the board monday made for board {bid}'s "
                "subitems (a subitem's board.id); fix subitem_board_id in monday.yml"
            )
            continue
        check_columns(report, f"{label}: subitems board {sub}", sub_board, subs_wanted, "subitems.columns")
    if not report.problems:
        report.info.append(f"{len(targets)} board(s) match the mapping in monday.yml")
    return report


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pusher check",
        description="Check the token, the boards of monday.yml against its column mapping, and the "
        "boards' remaining capacity. Reads only; needs MONDAY_API_TOKEN.",
        epilog="exit codes: 0 ready (warnings allowed), 2 something to fix first",
    )
    p.add_argument("--customer", action="append", default=[], help="only this customer's board (repeatable)")
    p.add_argument("--config", help="monday.yml (default: $ORDER_SYNC_CONFIG or ./monday.yml)")
    p.add_argument("--target", help="dbt target: where to count the outbox's new items (best effort)")
    p.add_argument("--profiles-dir", help="directory holding profiles.yml")
    p.add_argument("--log-format", choices=("text", "json"), default="text")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    say = say_redacted
    try:
        config = load_mapping(args.config)
        client = client_from_env(config)
        creates: dict[str, int] | None = None
        plan: list[dict[str, Any]] | None = None
        try:
            creates, plan = check_plan.from_database(config, args.target, args.profiles_dir, args.customer)
        except Exception as exc:  # noqa: BLE001 - the DB is optional here
            note = f"outbox not read ({type(exc).__name__}), new items not compared with capacity"
        report = run_check(client, config, args.customer, creates, plan)
        if creates is None:
            report.info.append(note)
    except ConfigError as exc:
        report = Report(
            problems=[f"{exc}" + (": export MONDAY_API_TOKEN first" if "TOKEN" in str(exc) else "")]
        )
    if args.log_format == "json":
        say(json.dumps({"event": "check", "ok": report.ok, **report.__dict__}, ensure_ascii=False))
    else:
        say(report.render())
    return EXIT_OK if report.ok else EXIT_CONFIG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
