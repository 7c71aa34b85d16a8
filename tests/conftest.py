"""Checks that would otherwise turn into silent skips: monday's schema for the sandbox is in the repo.

The one skip rule of the suite (tests/support/odbc.py): tests that need the system's ODBC
libraries skip with a one-line reason on a machine without them, and FAIL when ``CI=true``.

And what lets the suite run in parallel (``make test``: pytest-xdist, ``-n auto --dist loadfile``):
each test works in its own tmp_path (DuckDB file, dbt target/ and logs/, profiles.yml), each
sandbox listens on a port of its own (port 0), and the pusher's locks live in each test's own
database (pusher.store.locks); whole files go to a worker, the longest first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sandbox.resolvers import schema_path
from tests.support.odbc import require_system_odbc

# Under xdist whole files go to the workers in collection order (--dist loadfile
# --no-loadscope-reorder), so the folders whose files run longest come first and the quick unit
# files fill in at the end: both workers finish at about the same time.
LONGEST_FIRST = ("e2e", "dbt", "tools", "pusher", "sandbox_checks", "workflows")


def pytest_sessionstart(session) -> None:  # noqa: ANN001 - pytest hook signature
    sdl = schema_path()
    if not sdl.exists():
        raise SystemExit(
            f"monday's schema for monday.yml's api_version is not at {sdl}: restore tests/sandbox/schema "
            "from the repository, or add that version's schema (python -m tests.sandbox.schema_file)"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not hasattr(config, "workerinput"):  # not an xdist worker: the usual order
        return
    tests = Path(__file__).parent

    def rank(item: pytest.Item) -> int:
        folder = item.path.relative_to(tests).parts[0]
        return LONGEST_FIRST.index(folder) if folder in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: within a folder, files and tests keep their order


@pytest.fixture
def system_odbc() -> None:
    """Use in a test that talks to a real ODBC driver (see require_system_odbc)."""
    require_system_odbc()
