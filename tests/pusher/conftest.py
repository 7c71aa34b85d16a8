"""The ``env`` fixture of the pusher's tests: a hand-written outbox (tests/pusher/harness.py) and a
monday sandbox on the boards the module asks for (override ``sandbox_boards``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pusher.harness import TOKEN, Env, outbox_workspace
from tests.sandbox import SandboxServer
from tests.support.sandbox_boards import board_spec


@pytest.fixture
def sandbox_boards() -> list[dict[str, Any]]:
    """The boards the sandbox starts with: monday.yml's (a module overrides this for others)."""
    return board_spec()


@pytest.fixture
def env(tmp_path: Path, sandbox_boards: list[dict[str, Any]]) -> Iterator[Env]:
    db_path = outbox_workspace(tmp_path)
    with SandboxServer(token=TOKEN, board_spec=sandbox_boards) as server:
        yield Env(tmp_path, server, db_path)
