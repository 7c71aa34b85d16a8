"""What a run prints: text, or one JSON object per line with ``--log-format json``."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pusher.run.summary import Summary


class JsonLogFormatter(logging.Formatter):
    """One JSON object per log record (``--log-format json``)."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "event": "log",
                "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": self.redact(record.getMessage()),
            },
            ensure_ascii=False,
        )


class Output:
    """Prints text or one JSON object per line; the token never reaches the output."""

    def __init__(self, fmt: str, token: str) -> None:
        self.json = fmt == "json"
        self.token = token

    def redact(self, text: str) -> str:
        return text.replace(self.token, "[REDACTED]") if self.token else text

    def emit(self, event: str, text: str | None = None, **fields: Any) -> None:
        if self.json:
            record = {"event": event, "at": datetime.now(UTC).isoformat(), **fields}
            if text is not None and "text" not in record:
                record["text"] = text
            print(self.redact(json.dumps(record, ensure_ascii=False, default=str)), flush=True)
        elif text is not None:
            print(self.redact(text), flush=True)

    def say(self, text: str) -> None:
        """What Sync prints (the dry-run plan): a ``message`` event in json mode."""
        self.emit("message", text)


def summary_fields(summary: Summary) -> dict[str, Any]:
    def rows(errs: Sequence[Any]) -> list[dict[str, Any]]:
        return [dataclasses.asdict(e) for e in errs]

    return {
        "customer": summary.customer,
        "board_id": summary.board_id,
        "boards": summary.board_fields(),
        "jobs": [dict(job) for job in summary.jobs],
        "dry_run": summary.dry_run,
        "outbox_rows": summary.outbox_rows,
        "counts": dict(sorted(summary.counts.items())),
        "errors": rows(summary.errors),
        "unknown": rows(summary.unknown),
        "deferred": rows(summary.deferred),
        "failed": summary.failed,
        "http_calls": summary.http_calls,
        "seconds": round(summary.seconds, 3),
        "paced_seconds": round(summary.paced_seconds, 3),
        "limit_wait_seconds": round(summary.limit_wait_seconds, 3),
        "stopped": summary.stopped,
        "refused": list(summary.refused),
        "notes": list(summary.notes),
        "exit_code": summary.exit_code,
    }
