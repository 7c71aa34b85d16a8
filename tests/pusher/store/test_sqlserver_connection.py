"""The pusher's SQL Server connection: the connection string for every sqlserver output of
profiles.example.yml (exactly, and the same string dbt-sqlserver builds), secrets kept out of
errors, and real connection attempts through real drivers that must fail fast and say why.

Drivers used: FreeTDS (apt package tdsodbc, from
.ci/run), Microsoft ODBC Driver 18 (the copy bundled in the pip package mssql-python-odbc, pulled
in by mssql-python, registered under its usual name in a private odbcinst.ini unless the system has
msodbcsql18 registered already) and mssql-python itself. No SQL Server is contacted: the attempts go
to a closed port and to a silent listener on 127.0.0.1. The tests that load a driver need the
system's ODBC libraries: without them they skip with a one-line reason, and fail when CI=true
(tests/support/odbc.py, require_system_odbc), so CI proves the real drivers.
"""

from __future__ import annotations

import configparser
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pusher.errors import ConfigError
from pusher.store.profiles import load_output
from pusher.store.sqlserver import _connect_sqlserver, sqlserver_connection_string
from tests.support.odbc import require_system_odbc
from tests.support.paths import PROFILES_EXAMPLE, REPO

PASSWORD = "pw;with}brace"  # noqa: S105 - a test value; must never show up in an error
SECRET = "sp-secret;x}y"  # noqa: S105
ENV = {
    "ORDER_SYNC_SQLSERVER_HOST": "sql.example.com",
    "ORDER_SYNC_SQLSERVER_PORT": "14330",
    "ORDER_SYNC_SQLSERVER_DATABASE": "ORDERS",
    "ORDER_SYNC_SQLSERVER_USER": "order_sync",
    "ORDER_SYNC_SQLSERVER_PASSWORD": PASSWORD,
    "ORDER_SYNC_AZURE_CLIENT_ID": "11111111-2222-3333-4444-555555555555",
    "ORDER_SYNC_AZURE_CLIENT_SECRET": SECRET,
}
TAIL = (
    "APP=order-sync-pusher;Pooling=true;SQL_ATTR_TRACE=SQL_OPT_TRACE_OFF;"
    "ConnectRetryCount=3;ConnectRetryInterval=10"
)
EXPECTED = {
    "sqlserver": "DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql.example.com,14330;Database=ORDERS;"
    "UID={order_sync};PWD={pw;with}}brace};encrypt=Yes;TrustServerCertificate=No;" + TAIL,
    "sqlserver_mssql_python": "SERVER=sql.example.com,14330;Database=ORDERS;UID=order_sync;"
    "PWD={pw;with}}brace};encrypt=Yes;TrustServerCertificate=No",
    "sqlserver_freetds": "DRIVER={FreeTDS};TDS_Version=7.4;ClientCharset={UTF-8};"
    "SERVER=sql.example.com,14330;Database=ORDERS;UID={order_sync};PWD={pw;with}}brace};"
    "encrypt=Yes;TrustServerCertificate=No;" + TAIL,
    "sqlserver_azure": "DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql.example.com,14330;Database=ORDERS;"
    "Authentication=ActiveDirectoryServicePrincipal;UID={11111111-2222-3333-4444-555555555555};"
    "PWD={sp-secret;x}}y};encrypt=Yes;TrustServerCertificate=No;" + TAIL,
}


@pytest.fixture(scope="module")
def profiles_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("profiles")
    shutil.copy(PROFILES_EXAMPLE, work / "profiles.yml")
    return work


# --------------------------------------------------------------------------- connection strings


@pytest.mark.parametrize("target", sorted(EXPECTED))
def test_connection_string_per_profile_output(profiles_dir: Path, target: str) -> None:
    output = load_output(target, str(profiles_dir), env=ENV)
    assert int(output["login_timeout"]) > 0 and int(output["query_timeout"]) > 0
    assert sqlserver_connection_string(output, env={}) == EXPECTED[target]


@pytest.mark.parametrize("target", sorted(EXPECTED))
def test_connection_string_is_the_one_dbt_sqlserver_builds(profiles_dir: Path, target: str) -> None:
    """dbt-sqlserver's own builders, fed the same profile output, give the same string (APP aside)."""
    from dbt.adapters.sqlserver import __version__
    from dbt.adapters.sqlserver.sqlserver_backend import (
        build_mssql_python_connection_string,
        build_pyodbc_connection_string,
    )
    from dbt.adapters.sqlserver.sqlserver_credentials import SQLServerCredentials

    output = load_output(target, str(profiles_dir), env=ENV)
    fields = {k: v for k, v in output.items() if not k.startswith("_") and k not in ("type", "threads")}
    fields["port"] = int(fields["port"])
    creds = SQLServerCredentials.from_dict(SQLServerCredentials.translate_aliases(fields))
    if output.get("backend") == "mssql-python":
        dbt_string = build_mssql_python_connection_string(creds)
    else:
        dbt_string = build_pyodbc_connection_string(creds).replace(
            f"APP=dbt-sqlserver/{__version__.version}", "APP=order-sync-pusher"
        )
    assert sqlserver_connection_string(output, env={}) == dbt_string


def test_freetds_without_a_pinned_tds_version_is_refused() -> None:
    output = {"type": "sqlserver", "driver": "FreeTDS", "server": "h", "database": "D", "password": PASSWORD}
    with pytest.raises(ConfigError, match=r"TDS_Version=7\.4") as info:
        sqlserver_connection_string(output, env={})
    assert PASSWORD not in str(info.value)
    assert sqlserver_connection_string(output, env={"TDSVER": "7.4"}).startswith("DRIVER={FreeTDS};")


def test_token_only_authentication_is_refused_with_the_alternative() -> None:
    output = {"type": "sqlserver", "server": "h", "database": "D", "authentication": "CLI"}
    with pytest.raises(ConfigError, match="ActiveDirectoryServicePrincipal"):
        sqlserver_connection_string(output, env={})


@pytest.mark.usefixtures("system_odbc")
def test_missing_odbc_driver_names_the_package_to_install() -> None:
    output = {
        "type": "sqlserver", "_target": "sqlserver", "driver": "ODBC Driver 17 for SQL Server",
        "server": "127.0.0.1", "port": 1, "database": "ORDERS", "user": "u", "password": PASSWORD,
        "login_timeout": 5,
    }  # fmt: skip
    with pytest.raises(ConfigError) as info:
        _connect_sqlserver(output)
    message = str(info.value)
    assert "127.0.0.1 port 1" in message and "ODBC Driver 17 for SQL Server" in message
    assert "msodbcsql18" in message and "mssql-python" in message and PASSWORD not in message


# --------------------------------------------------------------------------- real attempts


def _registered_driver(name: str) -> str | None:
    """The shared library registered for ODBC driver `name` in the system odbcinst.ini."""
    proc = subprocess.run(["odbcinst", "-j"], capture_output=True, text=True, check=False)
    ini = next(
        (line.split(":", 1)[1].strip() for line in proc.stdout.splitlines() if line.startswith("DRIVERS")),
        "/etc/odbcinst.ini",
    )
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini)
    if parser.has_option(name, "Driver"):
        return parser.get(name, "Driver")
    return None


def _freetds_library() -> str:
    library = _registered_driver("FreeTDS")
    for candidate in (library, "/usr/lib/x86_64-linux-gnu/odbc/libtdsodbc.so", "/usr/lib64/libtdsodbc.so"):
        if candidate and (Path(candidate).exists() or "/" not in candidate):
            return candidate
    pytest.fail(
        "FreeTDS's ODBC driver is not installed: apt-get install tdsodbc (Debian/Ubuntu; .ci/run does it), "
        "dnf install freetds (RHEL), brew install freetds (macOS)"
    )


def _msodbc18_library() -> str:
    library = _registered_driver("ODBC Driver 18 for SQL Server")
    if library and Path(library).exists():
        return library
    try:
        import mssql_python_odbc  # noqa: F401 - only its files are used
    except ImportError:
        pytest.fail("mssql-python is not installed: pip install -e '.[dev]' (pyproject lists mssql-python)")
    base = Path(sys.modules["mssql_python_odbc"].__file__).parent / "libs" / "linux"
    found = sorted(base.glob("debian_ubuntu/*/lib/libmsodbcsql-18*.so*")) or sorted(
        base.glob("*/*/lib/libmsodbcsql-18*.so*")
    )
    if not found:
        pytest.fail(f"no libmsodbcsql-18 under {base}: reinstall mssql-python (pip install -e '.[dev]')")
    return str(found[0])


@pytest.fixture(scope="module")
def odbc_env(tmp_path_factory: pytest.TempPathFactory, profiles_dir: Path) -> dict[str, str]:
    """Environment for a pusher subprocess: both ODBC drivers registered in a private odbcinst.ini."""
    require_system_odbc()
    try:
        import mssql_python  # noqa: F401
        import pyodbc  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"{exc}: apt-get install unixodbc libltdl7, then pip install -e '.[dev]'")
    sysini = tmp_path_factory.mktemp("odbc")
    (sysini / "odbcinst.ini").write_text(
        f"[FreeTDS]\nDriver={_freetds_library()}\n\n"
        f"[ODBC Driver 18 for SQL Server]\nDriver={_msodbc18_library()}\n"
    )
    (sysini / "odbc.ini").write_text("")
    env = dict(os.environ, **ENV, ODBCSYSINI=str(sysini), DBT_PROFILES_DIR=str(profiles_dir))
    env.update(ORDER_SYNC_SQLSERVER_HOST="127.0.0.1")
    env.pop("TDSVER", None)
    return env


class SilentListener:
    """A TCP listener on loopback that accepts connections and never sends a byte."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


CONNECT = (
    "import sys\nfrom pusher.store.connection import connect\nfrom pusher.errors import ConfigError\n"
    "try:\n    connect(sys.argv[1])\nexcept ConfigError as exc:\n    print(exc)\n    sys.exit(3)\n"
    "print('connected?!')\n"
)


def test_unreachable_servers_fail_fast_naming_server_and_fix(odbc_env: dict[str, str]) -> None:
    """Closed port and silent listener, through FreeTDS, ODBC Driver 18 and mssql-python: each attempt
    ends within 20 s (login_timeout is 10 in the profile) with a message naming server, port and fix."""
    listener = SilentListener()
    procs = {}
    try:
        started = time.monotonic()
        for target in ("sqlserver", "sqlserver_freetds", "sqlserver_mssql_python"):
            for kind, port in (("closed", _closed_port()), ("silent", listener.port)):
                env = dict(odbc_env, ORDER_SYNC_SQLSERVER_PORT=str(port))
                proc = subprocess.Popen(
                    [sys.executable, "-c", CONNECT, target], cwd=REPO, env=env, text=True,
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                )  # fmt: skip
                procs[(target, kind)] = (proc, port)
        finished: dict[tuple[str, str], tuple[float, str, int]] = {}
        while len(finished) < len(procs) and time.monotonic() - started < 40:
            for key, (proc, _) in procs.items():
                if key not in finished and proc.poll() is not None:
                    finished[key] = (time.monotonic() - started, proc.stdout.read(), proc.returncode)
            time.sleep(0.1)
    finally:
        for proc, _ in procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        listener.close()
    hung = sorted(set(procs) - set(finished))
    assert not hung, f"connection attempts still running after 40 s: {hung}"
    for (target, kind), (elapsed, out, code) in sorted(finished.items()):
        port = procs[(target, kind)][1]
        where = f"{target} / {kind}: {out}"
        assert code == 3, where
        assert elapsed < 20, f"{where} took {elapsed:.1f} s"
        assert f"cannot connect to SQL Server 127.0.0.1 port {port}" in out, where
        assert "likely fix" in out and "firewall" in out and "port" in out, where
        assert PASSWORD not in out and "PWD=" not in out, where
    silent = finished[("sqlserver_freetds", "silent")][1]
    assert "login_timeout=10s" in silent and "TDS_Version" in silent
