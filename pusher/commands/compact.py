"""``python -m pusher compact [--keep-days N] [--target T]``: the daily retention step (issue 23).

Moves the push-log rows that a later ``ok`` of the same key superseded and that are older than
``history.keep_days`` (monday.yml, default 90) from ``MON_PushLog`` to ``MON_PushLogArchive``
(pusher.store.compaction says exactly which rows stay). ``MON_CustMasterSchedule_History`` reads
both tables, so history gives the same answers; the scheduled build and the pusher read only the
hot log. Run it after the scheduled ``dbt build`` (it needs the compacted state that build makes).
Exit 0, or 2 when the configuration or the database is not ready (the message names the fix).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from pusher.config.settings import config_path
from pusher.errors import EXIT_OK, ConfigError, PusherError
from pusher.store.compaction import compact
from pusher.store.connection import connect

DEFAULT_KEEP_DAYS = 90


def keep_days_from_config(explicit: str | None) -> int:
    """``history.keep_days`` of monday.yml (``--config``, else ORDER_SYNC_CONFIG, else monday.yml)."""
    path = config_path(explicit, os.environ)
    try:
        data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    history = data.get("history") if isinstance(data, dict) else None
    value = history.get("keep_days", DEFAULT_KEEP_DAYS) if isinstance(history, dict) else history
    if history is None:
        value = DEFAULT_KEEP_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{path}: history.keep_days must be a whole number of days, at least 1, got {value!r}; "
            f"fix: e.g. `history: {{keep_days: {DEFAULT_KEEP_DAYS}}}`"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pusher compact", description=__doc__.split("\n")[0])
    p.add_argument("--keep-days", type=int, help="override history.keep_days of monday.yml")
    p.add_argument("--chunk-days", type=int, default=7, help="days of log moved per transaction (default 7)")
    p.add_argument("--config", help="monday.yml (default: ORDER_SYNC_CONFIG, else monday.yml)")
    p.add_argument("--target", help="the profile's output (default: ORDER_SYNC_TARGET, else the profile's)")
    p.add_argument("--profiles-dir", help="where profiles.yml is (default: DBT_PROFILES_DIR, else .)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        keep = args.keep_days if args.keep_days is not None else keep_days_from_config(args.config)
        if args.chunk_days < 1:
            raise ConfigError(f"--chunk-days must be at least 1, got {args.chunk_days}")
        db = connect(args.target, args.profiles_dir)
        try:
            started = time.monotonic()
            done = compact(db, keep, chunk_days=args.chunk_days)
        finally:
            db.close()
    except PusherError as exc:
        print(f"order-sync compact: {exc}", file=sys.stderr)
        return exc.exit_code
    if done.cutoff is None:
        print("order-sync compact: nothing folded yet (the compacted state has no watermark): nothing moved")
        return EXIT_OK
    print(
        f"order-sync compact: {done.archived:,} superseded rows logged before "
        f"{done.cutoff:%Y-%m-%d %H:%M} UTC "
        f"moved to MON_PushLogArchive in {done.chunks} chunk(s), {time.monotonic() - started:.1f} s; "
        f"MON_PushLog now {done.hot_rows:,} rows, the archive {done.archive_rows:,}"
    )
    return EXIT_OK
