"""Checks that would otherwise turn into silent skips: the suite needs ../shared beside the repo.

And the one skip rule of the suite (tests/support/odbc.py): tests that need the system's ODBC
libraries skip with a one-line reason on a machine without them, and FAIL when ``CI=true``.
"""

from __future__ import annotations

import pytest

from tests.sandbox.resolvers import schema_path
from tests.support.odbc import require_system_odbc


def pytest_sessionstart(session) -> None:  # noqa: ANN001 - pytest hook signature
    sdl = schema_path()
    if not sdl.exists():
        raise SystemExit(
            f"monday's schema is not at {sdl}: check out ../shared beside the repo or set MONDAY_SCHEMA_SDL"
        )


@pytest.fixture
def system_odbc() -> None:
    """Use in a test that talks to a real ODBC driver (see require_system_odbc)."""
    require_system_odbc()
