"""Self-test on your own SQL Server before the first real sync (`make verify-sqlserver`, issue 14).

    python -m tools.verify_sqlserver [--target sqlserver] [--keep] [--schema NAME] [--json PATH]

With the usual ORDER_SYNC_SQLSERVER_* variables and a sqlserver output of profiles.yml it:
1. reports the server (version, edition, compatibility level, collations, login) and checks the
   prerequisites first, each with its fix: nothing is created when one fails;
2. creates a scratch schema, loads the fixed sample ORDERS_UNIFIED
   (tools/verify_sqlserver/sample_data/orders.yml plus the rows of tests/golden/payloads.yml) into
   it, and runs `dbt build --target <t>` into it; the same sample is built on DuckDB in a
   temporary file as the reference;
3. compares on the server: quarantine reasons, unpivoted sizes, group titles, item names,
   column_values, payload hashes (against the golden file, the documented rendering and the DuckDB
   build), the outbox rows;
4. runs `python -m pusher` with that target twice against the local monday sandbox (monday is never
   called): the push log contract of docs/CONTRACT.md, and the second run sends nothing;
5. prints one checklist (✔/✘, the first differing values for a ✘), writes it as JSON, drops the
   scratch schema unless --keep, and exits 0 only when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from pusher.errors import ConfigError
from tools.verify_sqlserver.compaction import compaction_check
from tools.verify_sqlserver.compare import (
    compare_engines,
    documented_rendering,
    golden_payloads,
    quarantine_coverage,
)
from tools.verify_sqlserver.engine import DuckDBEngine, Engine, SqlServerEngine
from tools.verify_sqlserver.push import compare_boards, lock_check, push_checks, push_twice
from tools.verify_sqlserver.report import Check, Report, not_run
from tools.verify_sqlserver.sample import load_sample, read_sample
from tools.verify_sqlserver.server import column_collations, describe, prerequisites, server_facts

REPO = Path(__file__).resolve().parents[2]
DEFAULT_JSON = Path("logs") / "verify-sqlserver.json"
REFERENCE_TARGET = "verify_duckdb_reference"


def say(text: str) -> None:
    print(f"verify-sqlserver: {text}", file=sys.stderr, flush=True)


def scratch_name() -> str:
    return "order_sync_verify_" + datetime.now(UTC).strftime("%Y%m%d%H%M%S")


def write_profiles(work: Path, profiles_file: Path, engines: list[Engine]) -> Path:
    """A profiles.yml of its own: the user's outputs (env_var() calls untouched), each engine's
    output pointed at its scratch schema."""
    profiles = yaml.safe_load(profiles_file.read_text(encoding="utf-8")) or {}
    outputs = (profiles.get("order_sync") or {}).get("outputs") or {}
    mine = {e.target: e.profile_output(outputs) for e in engines}
    directory = work / "profiles"
    directory.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump({"order_sync": {"target": engines[-1].target, "outputs": mine}}, sort_keys=False)
    (directory / "profiles.yml").write_text(text, encoding="utf-8")
    return directory


def dbt_build(engine: Engine, profiles_dir: Path, work: Path, *extra: str) -> Check:
    """`dbt build` (models, data tests, hooks; unit tests run in `make test`) into the scratch schema;
    ``extra``: more flags (``--full-refresh``)."""
    engine.close()
    exe = Path(sys.executable).with_name("dbt")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "dbt.cli.main"]
    cmd += [
        "build", "--project-dir", str(REPO / "dbt_project"), "--profiles-dir", str(profiles_dir),
        "--target", engine.target, "--target-path", str(work / f"target-{engine.target}"),
        "--log-path", str(work / f"logs-{engine.target}"),
        "--vars", json.dumps({"source_schema": engine.schema}),
        "--exclude", "resource_type:unit_test", "--no-version-check", "--no-use-colors", *extra,
    ]  # fmt: skip
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    lines = proc.stdout.splitlines()
    done = next((line.split("Done. ", 1)[1] for line in reversed(lines) if "Done. " in line), "")
    name = f"dbt build --target {engine.target} into schema {engine.schema} ({engine.label})"
    if proc.returncode == 0:
        return Check(name, True, f"{done} in {seconds:.0f} s")
    failed = [line.strip() for line in lines if " ERROR " in line or " FAIL " in line or "Error" in line]
    tail = failed or [line.strip() for line in (lines + proc.stderr.splitlines())[-8:]]
    return Check(name, False, f"exit code {proc.returncode} after {seconds:.0f} s; {done}", tail)


def verify(target: Engine, reference: Engine, work: Path, profiles_file: Path, keep: bool = False) -> Report:
    """Every check, in order; later steps are reported as not run when an earlier one fails."""
    report = Report(f"order-sync self-test: target {target.target}, scratch schema {target.schema}")
    if isinstance(target, SqlServerEngine):
        facts = server_facts(target)
        report.facts.update(describe(facts))
        report.facts["ORDERS_UNIFIED column collation"] = column_collations(target, "dbo")
        for check in prerequisites(facts):
            report.add(check)
        if not report.ok:
            report.add(not_run("the self-test itself", "a prerequisite is missing (nothing was created)"))
            return report
    engines = [reference, target]
    sample = read_sample()
    created: list[Engine] = []
    try:
        for engine in engines:
            say(f"loading the sample into {engine.label}, schema {engine.schema}")
            engine.create_schema()
            created.append(engine)
            load_sample(engine, sample)
        if isinstance(target, SqlServerEngine):
            report.facts["sample column collation"] = column_collations(target, target.schema)
        report.add(Check("scratch schema created, sample loaded", True, f"{len(sample.rows)} rows"))
        profiles_dir = write_profiles(work, profiles_file, engines)
        for engine in engines:
            say(f"dbt build on {engine.label}")
            if not report.add(dbt_build(engine, profiles_dir, work)).ok:
                report.add(not_run("comparisons and push", f"dbt build failed on {engine.label}"))
                return report
        for check in compare_engines(reference, target):
            report.add(check)
        report.add(quarantine_coverage(target))
        for engine in engines:
            report.add(golden_payloads(engine, work / f"target-{engine.target}"))
        report.add(documented_rendering(reference, target))
        say(f"pushing to the local monday sandbox from {reference.label} and {target.label}")
        runs = {engine.target: push_twice(engine, profiles_dir) for engine in engines}
        for check in push_checks(target, runs[target.target]):
            report.add(check)
        report.add(compare_boards(reference, target, runs[reference.target], runs[target.target]))
        report.add(lock_check(target, profiles_dir))
        say(f"compacting the push log on {target.label}")
        rebuild = lambda *flags: dbt_build(target, profiles_dir, work, *flags)  # noqa: E731
        report.add(compaction_check(target, profiles_dir, rebuild))
    except Exception as exc:  # noqa: BLE001 - anything the server says is a finding to report
        report.add(Check("the self-test ran to the end", False, f"{type(exc).__name__}: {exc}"))
    finally:
        for engine in created:
            if keep:  # the reference build is kept too, in the work directory
                engine.close()
                continue
            try:
                engine.drop_schema()
            except Exception as exc:  # noqa: BLE001
                report.add(
                    Check(f"drop scratch schema {engine.schema}", False, f"{type(exc).__name__}: {exc}")
                )
            engine.close()
    return report


def finish(report: Report, json_path: Path) -> int:
    report.write_json(json_path)
    print(report.text())
    print(f"JSON: {json_path}" + ("" if report.ok else " -- send it to us with the output above"))
    return 0 if report.ok else 1


def default_target() -> str:
    name = os.environ.get("ORDER_SYNC_TARGET", "")
    return name if name.startswith("sqlserver") else "sqlserver"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.verify_sqlserver", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--target", default=default_target(), help="a sqlserver output of profiles.yml")
    parser.add_argument("--profiles-dir", help="directory holding profiles.yml (default: as dbt)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch schema and the work directory")
    parser.add_argument("--schema", default=scratch_name(), help="scratch schema (default: a new, dated one)")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"the checklist as JSON ({DEFAULT_JSON})"
    )
    args = parser.parse_args(argv)

    from pusher.store.connection import connect
    from pusher.store.profiles import find_profiles_file, load_output

    report = Report(f"order-sync self-test: target {args.target}")
    output: dict[str, Any] = {}
    step = "settings (profiles.yml, target, local sandbox)"
    try:
        from tests.sandbox.resolvers import schema_path

        if not schema_path().exists():  # the local sandbox validates every request against it
            raise ConfigError(
                f"monday's schema for the local sandbox is not at {schema_path()}: restore it from the "
                "repository (git checkout -- tests/sandbox/schema) or set MONDAY_SCHEMA_SDL"
            )
        profiles_file = find_profiles_file(args.profiles_dir)
        output = load_output(args.target, args.profiles_dir)
        if str(output.get("type")).lower() != "sqlserver":
            raise ConfigError(f"target {args.target} is type {output.get('type')}: pick a sqlserver output")
        say(f"connecting to {output.get('server')} (target {args.target})")
        step = "connect to SQL Server"
        connect(args.target, args.profiles_dir).close()
    except ConfigError as exc:
        report.add(Check(step, False, str(exc)))
        return finish(report, args.json)
    except Exception as exc:  # noqa: BLE001 - a driver refusing the settings before it connects
        detail = (
            f"{type(exc).__name__}: {' '.join(str(exc).split())} (check the ORDER_SYNC_SQLSERVER_* variables)"
        )
        for secret in (output.get("password"), output.get("client_secret")):
            detail = detail.replace(str(secret), "***") if secret else detail
        report.add(Check(step, False, detail))
        return finish(report, args.json)
    work = Path(tempfile.mkdtemp(prefix="verify-sqlserver-"))
    target = SqlServerEngine(
        f"SQL Server ({args.target})", args.target, args.schema,
        lambda: connect(args.target, args.profiles_dir).conn,
    )  # fmt: skip
    reference = DuckDBEngine("DuckDB (reference)", REFERENCE_TARGET, args.schema, work / "reference.duckdb")
    try:
        report = verify(target, reference, work, profiles_file, keep=args.keep)
    finally:
        if args.keep:
            say(f"kept schema {args.schema} and the work directory {work} (dbt logs, compiled SQL)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return finish(report, args.json)


if __name__ == "__main__":
    sys.exit(main())
