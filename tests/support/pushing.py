"""An end-to-end run's world: ``python -m pusher`` (in this process or as a child) with the
repository as its working directory, a work directory whose profiles.yml points at the test's
DuckDB file, the test's token, and the monday sandbox."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox import SandboxServer
from tests.support.dbt import copy_profiles
from tests.support.paths import REPO

# Every run of a test shares one sandbox budget; a roomy one keeps the pacer from sleeping.
ROOMY_BUDGET = 500_000_000


def pusher_env(work: Path, db: Path, api_token: str, **extra: str) -> dict[str, str]:
    """This process's environment with work's profile, the DuckDB file and the token (and
    ``extra``): what a pusher child process gets."""
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(work),
        ORDER_SYNC_DUCKDB=str(db),
        ORDER_SYNC_TARGET="duckdb",
        MONDAY_API_TOKEN=api_token,
        **extra,
    )
    return env


@contextlib.contextmanager
def against_sandbox(
    work: Path,
    db: Path,
    api_token: str,
    monkeypatch: pytest.MonkeyPatch | None = None,
    env: Mapping[str, str] | None = None,
    **sandbox: Any,
) -> Iterator[SandboxServer]:
    """This process set up as ``pusher_env`` says (plus ``env``), a ``SandboxServer(**sandbox)``
    started and MONDAY_API_URL pointing at it; all undone on the way out (with ``monkeypatch``:
    when that is undone)."""
    copy_profiles(work)
    with contextlib.ExitStack() as stack:
        mp = monkeypatch or stack.enter_context(pytest.MonkeyPatch.context())
        mp.chdir(REPO)
        for key, value in pusher_env(work, db, api_token, **(env or {})).items():
            if os.environ.get(key) != value:
                mp.setenv(key, value)
        server = stack.enter_context(SandboxServer(**sandbox))
        mp.setenv("MONDAY_API_URL", server.url)
        yield server
