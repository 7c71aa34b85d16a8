"""The one skip rule of the suite: tests that need the system's ODBC libraries (unixODBC,
FreeTDS's driver, libltdl for mssql-python's bundled driver; ``apt-get install unixodbc tdsodbc
libltdl7``) skip with a one-line reason on a machine without them, and FAIL when ``CI=true``, so
CI still proves the real drivers. Nothing imports pyodbc at import time, so collection never
depends on them. The same in every xdist worker: each reads CI from the environment it inherits.
"""

from __future__ import annotations

import ctypes.util
import os
from pathlib import Path

import pytest

SYSTEM_ODBC_PACKAGES = "apt-get install unixodbc tdsodbc libltdl7"
FREETDS_CANDIDATES = ("/usr/lib/x86_64-linux-gnu/odbc/libtdsodbc.so", "/usr/lib64/libtdsodbc.so")


def missing_system_odbc() -> str | None:
    """What of the system ODBC libraries is missing (None when all are there)."""
    try:
        import pyodbc  # noqa: F401 - needs unixODBC's libodbc.so.2 to import
    except ImportError as exc:
        return f"unixODBC is not installed ({exc})"
    if not ctypes.util.find_library("ltdl"):
        return "libltdl is not installed (mssql-python's bundled ODBC driver needs it)"
    if not any(Path(p).exists() for p in FREETDS_CANDIDATES) and not ctypes.util.find_library("tdsodbc"):
        return "FreeTDS's ODBC driver (libtdsodbc) is not installed"
    return None


def require_system_odbc() -> None:
    """Skip (fail when CI=true) a test that needs the system ODBC libraries, with a one-line reason."""
    reason = missing_system_odbc()
    if reason is None:
        return
    message = f"needs system ODBC libraries: {reason}; {SYSTEM_ODBC_PACKAGES}"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{message} (CI=true: required)", pytrace=False)
    pytest.skip(message)
