"""Request counters of the sandbox, as reported by ``GET /_sandbox/stats``."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    """Counters reported by ``GET /_sandbox/stats``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.counters: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.mutations: Counter[str] = Counter()
            self.queries: Counter[str] = Counter()
            self.rate_limited: Counter[str] = Counter()
            self.app_errors: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.versions: Counter[str] = Counter()

    def bump(self, bucket: str, key: str, n: int = 1) -> None:
        with self._lock:
            getattr(self, bucket)[key] += n

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.counters["requests"],
                "mutation_requests": self.counters["mutation_requests"],
                "query_requests": self.counters["query_requests"],
                "idempotent_replays": self.counters["idempotent_replays"],
                "idempotency_conflicts": self.counters["idempotency_conflicts"],
                "complexity_charged": self.counters["complexity_charged"],
                "responses_by_status": dict(self.by_status),
                "mutations_by_field": dict(self.mutations),
                "queries_by_field": dict(self.queries),
                "rate_limited_by_code": dict(self.rate_limited),
                "errors_by_code": dict(self.app_errors),
                "faults_fired": dict(self.faults),
                "api_versions": dict(self.versions),
            }
