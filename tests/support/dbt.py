"""dbt and the sample data, run the way every test runs them: the repository's project, and a work
directory of the test's own for profiles.yml, target/, logs/ and the DuckDB file. Nothing is
written into the checkout (not dbt_project/target, not data/), so tests can run side by side."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

from tests.support.duck import sql
from tests.support.paths import DBT_PROJECT, PROFILES_EXAMPLE, REPO

DBT = Path(sys.executable).with_name("dbt")


def dbt_command() -> list[str]:
    """The venv's dbt executable, else dbt's module."""
    return [str(DBT)] if DBT.exists() else [sys.executable, "-m", "dbt.cli.main"]


def dbt_env(
    work: Path, db: Path | None = None, target: str = "duckdb", base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``base`` (default: this process's environment) with work's profiles.yml, the target, the
    DuckDB file (default work/orders.duckdb) and no usage statistics."""
    env = dict(os.environ if base is None else base)
    env.update(
        DBT_PROFILES_DIR=str(work),
        ORDER_SYNC_TARGET=target,
        ORDER_SYNC_DUCKDB=str(db or work / "orders.duckdb"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def copy_profiles(work: Path) -> Path:
    """work/profiles.yml: the example profile (every secret through env_var), unless there is one."""
    profiles = work / "profiles.yml"
    if not profiles.exists():
        shutil.copy(PROFILES_EXAMPLE, profiles)
    return profiles


def dbt(
    *args: str,
    work: Path,
    db: Path | None = None,
    target: str = "duckdb",
    target_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``dbt ARGS`` on the project with work's profile; target/ (or ``target_path``) and logs/ in
    work. ``env`` replaces this process's environment as the base; ``check`` asserts exit 0."""
    copy_profiles(work)
    cmd = [
        *dbt_command(), *args, "--project-dir", str(DBT_PROJECT),
        "--target-path", str(target_path or work / "target"), "--log-path", str(work / "logs"),
        "--no-version-check",
    ]  # fmt: skip
    proc = subprocess.run(
        cmd, cwd=REPO, env=dbt_env(work, db, target, env), capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip
    if check:
        assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-3000:]
    return proc


class DbtProject(SimpleNamespace):
    """A work directory and its DuckDB file: dbt commands on them, queries of the file."""

    work: Path
    db: Path

    def dbt(self, command: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return dbt(command, *extra, work=self.work, db=self.db, check=False)

    def build(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.dbt("build", *extra)

    def query(self, query: str) -> list[tuple]:
        return sql(self.db, query)


def new_project(work: Path, db: Path) -> DbtProject:
    copy_profiles(work)
    return DbtProject(work=work, db=db)


def run_module(module: str, *args: str | Path) -> str:
    """``python -m MODULE ARGS`` from the repository, as a user runs it; its output."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def sample_orders(*args: str | Path) -> str:
    """``python -m tools.sample_orders ARGS`` (create / edit a sample ORDERS_UNIFIED)."""
    return run_module("tools.sample_orders", *args)


def mapping_vars(config: Path) -> str:
    """The ``dbt --vars`` JSON that builds with another monday.yml (``tools.codegen --print-vars``)."""
    return run_module("tools.codegen", "--config", config, "--print-vars").strip()


def dbt_run(work: Path, db: Path, tables_only: bool = False) -> None:
    """``dbt run``: the models only (their tests run in tests/dbt/), about half the time of ``dbt
    build``. ``tables_only`` after a source change: the views (outbox, state) read the tables live."""
    select = ["--select", "config.materialized:table"] if tables_only else []
    dbt("run", "--quiet", *select, work=work, db=db)
