"""The thin pusher: read the dbt outbox, send it to monday.com, append what happened to MON_PushLog."""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
