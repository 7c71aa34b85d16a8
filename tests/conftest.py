"""Checks that would otherwise turn into silent skips: the suite needs ../shared beside the repo."""

from __future__ import annotations

from tests.sandbox.resolvers import schema_path


def pytest_sessionstart(session) -> None:  # noqa: ANN001 - pytest hook signature
    sdl = schema_path()
    if not sdl.exists():
        raise SystemExit(
            f"monday's schema is not at {sdl}: check out ../shared beside the repo or set MONDAY_SCHEMA_SDL"
        )
