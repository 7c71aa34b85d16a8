"""Exceptions that end a run, each carrying the exit code the CLI returns for it."""

from __future__ import annotations

EXIT_OK = 0
EXIT_ROWS_FAILED = 1
EXIT_CONFIG = 2
EXIT_LIMIT = 3
EXIT_BUSY = 4


class PusherError(Exception):
    """Base class: a run that cannot go on. ``exit_code`` is what ``python -m pusher`` returns."""

    exit_code = EXIT_ROWS_FAILED


class ConfigError(PusherError):
    """monday.yml, profiles.yml, the environment or the board is not usable as configured."""

    exit_code = EXIT_CONFIG


class RefusedError(PusherError):
    """A safety guard refused the run (e.g. too many archives); ``--force`` overrides."""

    exit_code = EXIT_CONFIG


class LimitStop(PusherError):
    """monday's daily call limit (or a rate limit that would not clear) stopped the run cleanly.

    Everything sent so far is logged; the next run resumes from the outbox.
    """

    exit_code = EXIT_LIMIT

    def __init__(self, message: str, code: str = "LIMIT_WAIT_EXCEEDED") -> None:
        super().__init__(message)
        self.code = code


class CustomerBusy(PusherError):
    """Another run is pushing this customer (or holds the DuckDB file): this one sent nothing.

    The other run carries on; the next run (or this one with ``--wait-for-lock``) continues from
    the outbox.
    """

    exit_code = EXIT_BUSY
