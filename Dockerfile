# The image the Kestra flow runs (workflows/customer-orders.yml): the project installed with dbt
# and both of its adapters, and an ODBC driver for SQL Server. Build: `make image`. No container
# engine runs where this project is developed: tests/test_image.py keeps this file in step with
# .ci/run and pyproject.toml, and hadolint lints it (`make lint`), but it has not been built there.
#
#   (default)            Debian's FreeTDS (tdsodbc); dbt and the pusher use the profile output
#                        sqlserver_freetds (TDS version pinned, so a silent server times out)
#   --build-arg ODBC_DRIVER=msodbc18 --build-arg ORDER_SYNC_TARGET=sqlserver
#                        Microsoft's ODBC Driver 18 from packages.microsoft.com (accepts its EULA)
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim-bookworm

ARG ODBC_DRIVER=freetds
ARG ORDER_SYNC_TARGET=sqlserver_freetds
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# unixodbc: pyodbc's driver manager (dbt-sqlserver imports pyodbc); tdsodbc: FreeTDS's driver;
# libltdl7: the driver mssql-python bundles (profile output sqlserver_mssql_python). The same
# packages .ci/run installs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends unixodbc tdsodbc libltdl7 \
    && rm -rf /var/lib/apt/lists/*

RUN if [ "$ODBC_DRIVER" = "msodbc18" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
        && curl -fsSL https://packages.microsoft.com/keys/microsoft.asc \
           | gpg --dearmor -o /usr/share/keyrings/microsoft-prod.gpg \
        && echo "deb [signed-by=/usr/share/keyrings/microsoft-prod.gpg] https://packages.microsoft.com/debian/12/prod bookworm main" \
           > /etc/apt/sources.list.d/mssql-release.list \
        && apt-get update \
        && ACCEPT_EULA=Y apt-get install -y --no-install-recommends msodbcsql18 \
        && rm -rf /var/lib/apt/lists/*; \
    elif [ "$ODBC_DRIVER" != "freetds" ]; then \
        echo "ODBC_DRIVER must be freetds or msodbc18, not '$ODBC_DRIVER'" >&2; exit 1; \
    fi \
    && if [ "$ODBC_DRIVER" = "msodbc18" ] && [ "$ORDER_SYNC_TARGET" = "sqlserver_freetds" ]; then \
        echo "with ODBC_DRIVER=msodbc18 pass --build-arg ORDER_SYNC_TARGET=sqlserver" >&2; exit 1; \
    fi

RUN useradd --create-home --uid 10001 ordersync
WORKDIR /app

# Everything `python -m pusher` and `dbt build` read; the rest of the repository stays out
# (.dockerignore).
COPY pyproject.toml README.md monday.yml profiles.example.yml ./
COPY pusher ./pusher
COPY tools ./tools
COPY graphql ./graphql
COPY dbt_project ./dbt_project
RUN pip install --no-cache-dir . \
    && cp profiles.example.yml profiles.yml \
    && mkdir -p dbt_project/target dbt_project/logs \
    && chown -R ordersync:ordersync dbt_project

ENV DBT_PROFILES_DIR=/app \
    ORDER_SYNC_TARGET=${ORDER_SYNC_TARGET} \
    TDSVER=7.4
USER 10001

# dbt's parsed project and run results: on a volume, so a scheduled build pays a partial parse.
VOLUME ["/app/dbt_project/target"]
CMD ["python", "-m", "pusher", "--help"]
