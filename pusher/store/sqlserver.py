"""Everything SQL Server specific: the connection string, connecting, and readable connect errors."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pusher.errors import ConfigError
from pusher.store.database import Database

# The pusher connects with the same profile output and the same connection string as
# dbt-sqlserver 1.11 (dbt/adapters/sqlserver/sqlserver_backend.py: build_pyodbc_connection_string
# and build_mssql_python_connection_string), so dbt and the pusher reach the same database the same
# way. The one difference: APP names the pusher, so a DBA can tell the two sessions apart.

PUSHER_APP = "order-sync-pusher"
DEFAULT_DRIVER = "ODBC Driver 18 for SQL Server"
DEFAULT_PORT = 1433
DEFAULT_LOGIN_TIMEOUT = 10  # seconds; the ODBC connect (login) timeout
DEFAULT_QUERY_TIMEOUT = 300  # seconds per statement; the pusher's statements are small

# dbt-sqlserver's connection-string aliases for the mssql-python backend (sqlserver_constants.py).
_AUTH_ALIASES = {
    "msi": "ActiveDirectoryMSI",
    "activedirectorymsi": "ActiveDirectoryMSI",
    "activedirectoryintegrated": "ActiveDirectoryIntegrated",
    "adintegrated": "ActiveDirectoryIntegrated",
    "serviceprincipal": "ActiveDirectoryServicePrincipal",
    "activedirectoryserviceprincipal": "ActiveDirectoryServicePrincipal",
    "auto": "ActiveDirectoryDefault",
    "default": "ActiveDirectoryDefault",
    "activedirectorydefault": "ActiveDirectoryDefault",
    "activedirectorypassword": "ActiveDirectoryPassword",
    "activedirectoryinteractive": "ActiveDirectoryInteractive",
    "activedirectorydevicecode": "ActiveDirectoryDeviceCode",
    "access_token": "ActiveDirectoryAccessToken",
    "activedirectoryaccesstoken": "ActiveDirectoryAccessToken",
}
# Modes where dbt-sqlserver's pyodbc path fetches an Azure token itself (azure-identity) and hands
# it to the driver: the pusher does not; the driver-native modes (ActiveDirectoryServicePrincipal,
# ActiveDirectoryPassword, ActiveDirectoryDefault, ...) cover the same logins.
_PYODBC_TOKEN_AUTH = {
    "cli",
    "environment",
    "auto",
    "msi",
    "activedirectorymsi",
    "serviceprincipal",
    "activedirectoryaccesstoken",
}
_MSSQL_PYTHON_UNSUPPORTED_AUTH = {"cli", "environment", "activedirectoryaccesstoken"}

_INSTALL_MSODBC = (
    "install Microsoft ODBC Driver 18 for SQL Server: Debian/Ubuntu: add Microsoft's package "
    "repository (packages.microsoft.com) and `ACCEPT_EULA=Y apt-get install msodbcsql18`; "
    "RHEL/Fedora: `ACCEPT_EULA=Y dnf install msodbcsql18` from the same repository; macOS: "
    "`brew tap microsoft/mssql-release && HOMEBREW_ACCEPT_EULA=Y brew install msodbcsql18`; Windows: "
    "the msodbcsql.msi installer. No root? use target sqlserver_mssql_python (pip package "
    "mssql-python bundles the driver) or sqlserver_freetds"
)
_INSTALL_FREETDS = (
    "install FreeTDS's ODBC driver: Debian/Ubuntu `apt-get install tdsodbc` (registers [FreeTDS] in "
    "/etc/odbcinst.ini); RHEL/Fedora `dnf install freetds` (EPEL), then register libtdsodbc.so with "
    "`odbcinst -i -d`; macOS `brew install freetds unixodbc` and register it the same way"
)


def _odbc_value(value: Any) -> str:
    """A value in ODBC braces, '}' doubled (dbt-sqlserver's pyodbc formatting)."""
    text = "" if value is None else str(value)
    return "{" + text.replace("}", "}}") + "}"


def _plain_value(value: Any) -> str:
    """dbt-sqlserver's mssql-python formatting: braces only when needed."""
    text = "" if value is None else str(value)
    if text.startswith(" ") or text.endswith(" ") or any(ch in text for ch in ";{}"):
        return "{" + text.replace("}", "}}") + "}"
    return text


def _driver_value(value: Any) -> str:
    """DRIVER=...: a value already in braces is kept as it is (so it can carry extra parts)."""
    text = str(value)
    if len(text) >= 2 and text.startswith("{") and text.endswith("}"):
        return text
    return "{" + text + "}"


def _truthy(value: Any, default: bool) -> bool:
    if value is None:
        return default
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _first(output: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if output.get(key) not in (None, ""):
            return output[key]
    return None


def _auth_key(value: Any) -> str:
    return "" if value is None else str(value).replace("_", "").replace(" ", "").lower()


def _seconds(output: Mapping[str, Any], key: str, default: int) -> int:
    value = output.get(key)
    try:
        seconds = int(value) if value not in (None, "") else 0
    except (TypeError, ValueError):
        raise ConfigError(f"`{key}` must be a whole number of seconds, not {value!r}") from None
    return seconds if seconds > 0 else default


def sqlserver_backend(output: Mapping[str, Any]) -> str:
    backend = str(output.get("backend") or "pyodbc").strip().lower()
    if backend not in ("pyodbc", "mssql-python"):
        raise ConfigError(f"sqlserver `backend` must be pyodbc or mssql-python, not {backend!r}")
    return backend


def sqlserver_address(output: Mapping[str, Any]) -> tuple[str, int | None]:
    """(host, port) as the connection string uses them; port None for a named instance."""
    host = str(_first(output, "host", "server") or "").strip()
    if not host:
        raise ConfigError("the sqlserver target needs `server` (ORDER_SYNC_SQLSERVER_HOST)")
    if "\\" in host:
        return host, None
    port = _first(output, "port")
    try:
        return host, int(port) if port is not None else DEFAULT_PORT
    except (TypeError, ValueError):
        raise ConfigError(f"sqlserver `port` must be a number, not {port!r}") from None


def _is_freetds(driver: str) -> bool:
    return "freetds" in driver.lower() or "libtdsodbc" in driver.lower()


def sqlserver_connection_string(output: Mapping[str, Any], env: Mapping[str, str] | None = None) -> str:
    """The connection string dbt-sqlserver builds for this profile output (APP aside).
    Contains secrets: never log it."""
    env = os.environ if env is None else env
    mssql = sqlserver_backend(output) == "mssql-python"
    fmt = _plain_value if mssql else _odbc_value
    host, port = sqlserver_address(output)
    parts: list[str] = []
    if not mssql:
        driver = str(_first(output, "driver") or DEFAULT_DRIVER)
        if _is_freetds(driver) and "tdsversion" not in _auth_key(driver) and not env.get("TDSVER"):
            raise ConfigError(
                "FreeTDS needs its TDS version pinned, else it ignores login_timeout and waits forever "
                "on a server that does not answer: set the profile's driver to "
                "'{FreeTDS};TDS_Version=7.4;ClientCharset={UTF-8}' (or export TDSVER=7.4)"
            )
        parts.append(f"DRIVER={_driver_value(driver)}")
    parts.append(f"SERVER={host},{port}" if port else f"SERVER={host}")
    parts.append(f"Database={_first(output, 'database', 'dbname') or ''}")

    raw_auth = str(_first(output, "authentication", "auth") or "sql").strip()
    key = _auth_key(raw_auth)
    if mssql and key in _MSSQL_PYTHON_UNSUPPORTED_AUTH or not mssql and key in _PYODBC_TOKEN_AUTH:
        raise ConfigError(
            f"authentication {raw_auth!r} needs an Azure token fetched outside the driver, which the pusher "
            "does not do: use ActiveDirectoryServicePrincipal (client_id + client_secret), "
            "ActiveDirectoryPassword, ActiveDirectoryDefault, or ActiveDirectoryMsi with the "
            "mssql-python backend"
        )
    auth = _AUTH_ALIASES.get(key, raw_auth) if mssql else raw_auth
    key = _auth_key(auth)
    user = _first(output, "UID", "user", "username")
    password = _first(output, "PWD", "password", "pass")
    if key.startswith("activedirectory") and key != "activedirectoryaccesstoken":
        parts.append(f"Authentication={auth}")
        if key == "activedirectorypassword":
            parts += [f"UID={fmt(user)}", f"PWD={fmt(password)}"]
        elif key == "activedirectoryserviceprincipal":
            client_id = _first(output, "client_id", "app_id")
            parts += [f"UID={fmt(client_id)}", f"PWD={fmt(_first(output, 'client_secret', 'app_secret'))}"]
        elif key == "activedirectoryinteractive" or key == "activedirectorymsi" and user:
            parts.append(f"UID={fmt(user)}")
    elif _truthy(_first(output, "windows_login", "trusted_connection"), False):
        parts.append("Trusted_Connection=yes")
    elif key == "sql":
        parts += [f"UID={fmt(user)}", f"PWD={fmt(password)}"]
    parts.append(f"encrypt={'Yes' if _truthy(output.get('encrypt'), True) else 'No'}")
    trust = _first(output, "trust_cert", "TrustServerCertificate")
    parts.append(f"TrustServerCertificate={'Yes' if _truthy(trust, False) else 'No'}")
    if not mssql:
        trace = "ON" if _truthy(_first(output, "trace_flag", "SQL_ATTR_TRACE"), False) else "OFF"
        parts += [
            f"APP={PUSHER_APP}",
            "Pooling=true",
            f"SQL_ATTR_TRACE=SQL_OPT_TRACE_{trace}",
            "ConnectRetryCount=3",
            "ConnectRetryInterval=10",
        ]
    return ";".join(parts)


def _secrets(output: Mapping[str, Any]) -> list[str]:
    keys = ("PWD", "password", "pass", "client_secret", "app_secret", "access_token")
    return [str(output[k]) for k in keys if output.get(k) not in (None, "")]


def _likely_fix(output: Mapping[str, Any], state: str, low: str, driver: str, login_timeout: int) -> str:
    host, port = sqlserver_address(output)
    where = f"{host} port {port}" if port else f"{host} (named instance)"
    freetds = _is_freetds(driver)
    missing = ("can't open lib", "data source name not found", "file not found")
    if state == "IM002" or any(s in low for s in missing):
        try:
            import pyodbc  # type: ignore[import-not-found]

            have = ", ".join(pyodbc.drivers()) or "none"
        except ImportError:
            have = "unknown"
        install = _INSTALL_FREETDS if freetds else _INSTALL_MSODBC
        return f"the ODBC driver {driver!r} is not installed (registered drivers: {have}): {install}"
    if "login failed" in low or "18456" in low or state == "28000":
        database = _first(output, "database", "dbname")
        return (
            "the server answered but refused the login: check ORDER_SYNC_SQLSERVER_USER / "
            "ORDER_SYNC_SQLSERVER_PASSWORD (Azure: ORDER_SYNC_AZURE_CLIENT_ID / _SECRET and a database "
            "user created FROM EXTERNAL PROVIDER), that SQL Server authentication is enabled (mixed "
            f"mode) and that the login may open database {database!r}"
        )
    if any(s in low for s in ("certificate", "ssl", "tls", "encryption not supported")):
        return (
            "TLS failed: this machine does not trust the server's certificate (install its CA; for a "
            "test server only, trust_cert: true), or the server does not support encryption"
        )
    tds = "; with FreeTDS, TDS_Version=7.4 must be pinned" if freetds else ""
    if any(s in low for s in ("hyt00", "timeout", "timed out", "[258]")):
        return (
            f"no SQL Server answered at {where} within login_timeout={login_timeout}s: a firewall "
            "dropping the packets, the wrong port (something else listens there, or a named instance "
            "on a port of its own: set ORDER_SYNC_SQLSERVER_PORT), or a server that is down" + tds
        )
    refused = ("refused", "unavailable or does not exist", "unable to establish", "tcp provider")
    if any(s in low for s in (*refused, "10061", "0x2749", "08001", "08s01")):
        return (
            f"nothing accepts SQL Server connections at {where}: is SQL Server running with TCP/IP "
            "enabled, are host and port right (default 1433; ORDER_SYNC_SQLSERVER_HOST / _PORT), and "
            "does every firewall on the way let it through" + tds
        )
    install = _INSTALL_FREETDS if freetds else _INSTALL_MSODBC
    return f"check host and port, the firewall, the login and the driver ({install})"


def describe_connect_error(output: Mapping[str, Any], exc: BaseException, login_timeout: int) -> str:
    """A connection failure as one readable line: where, what the driver said, the likely fix.
    Never contains a password or client secret."""
    host, port = sqlserver_address(output)
    if sqlserver_backend(output) == "mssql-python":
        driver = "mssql-python (bundled Microsoft ODBC Driver 18)"
    else:
        driver = str(output.get("driver") or DEFAULT_DRIVER)
    args = getattr(exc, "args", ())
    state = str(args[0]) if len(args) > 1 else ""
    said = " ".join(str(args[-1] if args else exc).split())
    for secret in _secrets(output):
        said = said.replace(secret, "***")
    fix = _likely_fix(output, state, f"{state} {said}".lower(), driver, login_timeout)
    where = f"{host} port {port}" if port else f"{host} (named instance)"
    target = output.get("_target", "sqlserver")
    head = f"cannot connect to SQL Server {where} (target {target}, driver {driver})"
    return f"{head}: {said} -- likely fix: {fix}"


def _connect_sqlserver(output: Mapping[str, Any]) -> Database:
    """Connects as dbt-sqlserver does: pyodbc, or the mssql-python package for `backend:
    mssql-python`; login_timeout is the ODBC connect timeout, query_timeout each statement's."""
    conn_str = sqlserver_connection_string(output)
    login_timeout = _seconds(output, "login_timeout", DEFAULT_LOGIN_TIMEOUT)
    query_timeout = _seconds(output, "query_timeout", DEFAULT_QUERY_TIMEOUT)
    if sqlserver_backend(output) == "mssql-python":
        try:
            import mssql_python as module  # type: ignore[import-not-found]
        except ImportError as exc:
            raise ConfigError(
                f"backend mssql-python needs the pip package mssql-python (pip install mssql-python; on "
                f"Debian/Ubuntu also apt-get install libltdl7): {exc}"
            ) from None
    else:
        try:
            import pyodbc as module  # type: ignore[import-not-found]
        except ImportError as exc:
            raise ConfigError(
                "the sqlserver target needs pyodbc and unixODBC (Debian/Ubuntu: apt-get install unixodbc; "
                f"RHEL: dnf install unixODBC; macOS: brew install unixodbc): {exc}"
            ) from None
    try:
        conn = module.connect(conn_str, autocommit=False, timeout=login_timeout)
    except module.Error as exc:
        raise ConfigError(describe_connect_error(output, exc, login_timeout)) from None
    try:
        conn.timeout = query_timeout
    except AttributeError:  # pragma: no cover - a backend without per-connection query timeouts
        pass
    schema = str(output.get("schema") or "dbo")
    return Database(conn, "sqlserver", schema, reopen=lambda: _connect_sqlserver(output))
