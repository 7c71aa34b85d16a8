"""The self-test's checklist: one ``Check`` per thing verified, printed with ✔/✘ and written as JSON.

A failed check carries the first differing values, so what a user sends back says exactly what
differs on their server.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MAX_SHOWN = 5  # differing values shown per failed check


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    differences: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"{'✔' if self.ok else '✘'} {self.name}"
        out = [f"{head}: {self.detail}" if self.detail else head]
        out += [f"    {d}" for d in self.differences[:MAX_SHOWN]]
        if len(self.differences) > MAX_SHOWN:
            out.append(f"    ... and {len(self.differences) - MAX_SHOWN} more (all of them in the JSON)")
        return out


@dataclass
class Report:
    title: str
    facts: dict[str, Any] = field(default_factory=dict)  # the server: version, collation, ...
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    def text(self) -> str:
        lines = [self.title]
        lines += [f"  {k}: {v}" for k, v in self.facts.items()]
        for check in self.checks:
            lines += check.lines()
        passed = sum(c.ok for c in self.checks)
        lines.append(f"{passed} of {len(self.checks)} checks passed" + ("" if self.ok else ": NOT READY"))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "ok": self.ok,
            "facts": self.facts,
            "checks": [asdict(c) for c in self.checks],
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=str) + "\n")


def show(value: Any) -> str:
    """A value as a user would want it in a message: exact, control characters visible."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 300 else text[:300] + "..."


def _sort_key(row: Sequence[Any]) -> tuple[str, ...]:
    return tuple(
        "" if v is None else json.dumps(v, sort_keys=True, ensure_ascii=False, default=str) for v in row
    )


def compare_rows(
    name: str,
    columns: Sequence[str],
    reference: Iterable[Sequence[Any]],
    got: Iterable[Sequence[Any]],
    labels: tuple[str, str] = ("DuckDB", "SQL Server"),
    key_width: int = 1,
) -> Check:
    """Two multisets of rows; ✘ lists, per key (the first ``key_width`` columns), what each side has."""
    want, have = Counter(map(tuple, reference)), Counter(map(tuple, got))
    if want == have:
        total = sum(have.values())
        return Check(name, True, f"{total} rows identical on both")
    missing, extra = want - have, have - want
    by_key: dict[tuple[Any, ...], tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]] = {}
    for row in sorted(missing.elements(), key=_sort_key):
        by_key.setdefault(row[:key_width], ([], []))[0].append(row)
    for row in sorted(extra.elements(), key=_sort_key):
        by_key.setdefault(row[:key_width], ([], []))[1].append(row)
    differences = []
    for key, (ours, theirs) in sorted(by_key.items(), key=lambda kv: _sort_key(kv[0])):
        where = ", ".join(f"{c}={show(v)}" for c, v in zip(columns, key, strict=False))
        ours_text, theirs_text = _rest(columns, ours, key_width), _rest(columns, theirs, key_width)
        differences.append(f"{where}: {labels[0]} {ours_text}, {labels[1]} {theirs_text}")
    detail = f"{len(by_key)} keys differ ({sum(missing.values())} rows only on {labels[0]}, "
    detail += f"{sum(extra.values())} only on {labels[1]})"
    return Check(name, False, detail, differences)


def _rest(columns: Sequence[str], rows: list[tuple[Any, ...]], key_width: int) -> str:
    if not rows:
        return "has no such row"
    rest = columns[key_width:]
    shown = [
        "{" + ", ".join(f"{c}={show(v)}" for c, v in zip(rest, row[key_width:], strict=False)) + "}"
        for row in rows
    ]
    return " + ".join(shown)


def not_run(name: str, why: str) -> Check:
    return Check(name, False, f"not run: {why}")
