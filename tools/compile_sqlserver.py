"""Compile the dbt project for SQL Server offline and check that every compiled file is T-SQL.

    python -m tools.compile_sqlserver [--project-dir dbt_project] [--target-path DIR]

No SQL Server can run here, so the T-SQL paths are verified by compiling for the `sqlserver`
target of profiles.example.yml with no server reachable (`dbt compile --target sqlserver
--no-populate-cache`, var offline_compile=true so nothing introspects the database) and parsing
every compiled model, data test and hook with sqlfluff's tsql dialect; the incremental models are
compiled a second time as a scheduled build runs them (var offline_incremental: is_incremental()
true), into target/incremental/. A file fails when sqlfluff
finds an unparsable section, or when it holds something the tsql grammar accepts but SQL Server
does not run: a `::` cast, a TRUE/FALSE literal, a call to a function that is not a T-SQL
built-in (e.g. DuckDB's sha256, to_json, regexp_full_match), or a stray LIMIT that the grammar
reads as an alias or as an implicit procedure call. Exits 1 naming file and snippet.
Unit tests are not compiled: dbt needs the database to type their fixtures; they run on DuckDB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# T-SQL built-in functions (SQL Server 2016+) a compiled file may call. Anything else without a
# schema prefix is reported: the tsql grammar parses any name(...) as a function call.
TSQL_FUNCTIONS = frozenset(
    """
    abs acos ascii asin atan atn2 avg cast ceiling char charindex checksum checksum_agg choose
    coalesce col_length collationproperty compress concat concat_ws convert cos cot count
    count_big cume_dist current_timestamp current_user cursor_status datalength dateadd datediff
    datediff_big datefromparts datename datepart datetime2fromparts datetimefromparts
    datetimeoffsetfromparts day db_id db_name decompress degrees dense_rank difference eomonth
    error_message error_number error_line error_procedure error_severity error_state exp
    first_value floor format formatmessage getdate getutcdate grouping grouping_id hashbytes
    host_name iif isdate isjson isnull isnumeric json_modify json_query json_value lag last_value
    lead left len log log10 lower ltrim max min month nchar newid newsequentialid ntile nullif
    object_id object_name objectproperty openjson parse patindex percent_rank percentile_cont
    percentile_disc pi power quotename radians rand rank replace replicate reverse right round
    row_number rowcount_big rtrim schema_id schema_name scope_identity sign sin smalldatetimefromparts
    soundex space sqrt square stdev stdevp str string_agg string_escape string_split stuff
    substring sum switchoffset sysdatetime sysdatetimeoffset sysutcdatetime tan timefromparts
    todatetimeoffset translate trim try_cast try_convert try_parse type_id type_name unicode upper
    user_name var varp year
    """.split()
)


def _problems(path: str) -> list[str]:
    """What in one compiled file is not T-SQL, as readable lines (empty when clean)."""
    from sqlfluff.core import FluffConfig, Linter

    linter = Linter(config=FluffConfig(overrides={"dialect": "tsql", "large_file_skip_byte_limit": 0}))
    parsed = linter.parse_string(Path(path).read_text(), fname=path)
    if parsed.tree is None:
        return [f"not parsed at all: {'; '.join(str(v) for v in parsed.violations)[:300]}"]
    found: list[str] = []

    def snippet(seg) -> str:  # noqa: ANN001 - sqlfluff segment
        line, pos = seg.pos_marker.line_no, seg.pos_marker.line_pos
        text = " ".join(seg.raw.split())
        return f"line {line}:{pos}: {text[:160]}"

    for seg in parsed.tree.recursive_crawl("unparsable"):
        found.append(f"unparsable section at {snippet(seg)}")
    for seg in parsed.tree.recursive_crawl("casting_operator"):
        found.append(f"'::' cast (DuckDB/Postgres; T-SQL uses CAST/CONVERT) at {snippet(seg)}")
    for seg in parsed.tree.recursive_crawl("boolean_literal"):
        found.append(f"TRUE/FALSE literal (T-SQL has none; use 1/0 BIT) at {snippet(seg)}")
    for seg in parsed.tree.recursive_crawl("execute_script_statement"):
        first = next((c for c in seg.segments if c.is_code), None)
        if first is None or first.raw.lower() not in ("exec", "execute"):
            # T-SQL reads a bare word after a statement as a procedure call: `... limit 1`.
            found.append(f"implicit procedure call (a stray LIMIT/OFFSET?) at {snippet(seg)}")
    for seg in parsed.tree.recursive_crawl("alias_expression"):
        words = [c.raw.lower() for c in seg.segments if c.is_code and c.raw.lower() != "as"]
        if words and words[-1] in ("limit", "offset", "qualify"):
            found.append(f"'{words[-1]}' read as an alias (DuckDB {words[-1].upper()}?) at {snippet(seg)}")
    for seg in parsed.tree.recursive_crawl("function_name"):
        parts = [p.raw.strip('[]"').lower() for p in seg.segments if p.is_code and p.raw != "."]
        if len(parts) == 1 and parts[0] not in TSQL_FUNCTIONS:
            found.append(f"function {parts[0]}() is not a T-SQL built-in at {snippet(seg)}")
    return found


def compile_project(
    project_dir: Path, target_path: Path, work: Path, incremental: bool = False
) -> subprocess.CompletedProcess[str]:
    """``dbt compile`` for SQL Server offline; ``incremental``: only the incremental models, as a
    scheduled build runs them (is_incremental() true: the fold of the rows since the watermark)."""
    profiles = work / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "profiles.example.yml", profiles / "profiles.yml")
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [str(dbt)] if dbt.exists() else [sys.executable, "-m", "dbt.cli.main"]
    cmd += [
        "compile", "--target", "sqlserver", "--no-populate-cache",
        "--project-dir", str(project_dir), "--profiles-dir", str(profiles),
        "--target-path", str(target_path), "--log-path", str(work / "logs"),
        "--vars", f"{{offline_compile: true, offline_incremental: {str(incremental).lower()}}}",
        "--no-version-check", "--no-partial-parse", "--exclude", "resource_type:unit_test",
    ]  # fmt: skip
    if incremental:
        cmd += ["--select", "config.materialized:incremental"]
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false", ORDER_SYNC_TARGET="sqlserver")
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.compile_sqlserver", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--project-dir", type=Path, default=REPO / "dbt_project")
    parser.add_argument("--target-path", type=Path, help="where the compiled files go (default: a temp dir)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="compile-sqlserver-"))
    try:
        target = (args.target_path or work / "target").resolve()
        for incremental in (False, True):  # every file as a first build, then the incremental folds
            into = target / "incremental" if incremental else target
            proc = compile_project(args.project_dir.resolve(), into, work, incremental)
            if proc.returncode != 0:
                sys.stdout.write(proc.stdout[-6000:] + proc.stderr[-3000:])
                print(f"dbt compile --target sqlserver failed (exit {proc.returncode})", file=sys.stderr)
                return 1
        files = sorted(str(p) for p in target.rglob("compiled/**/*.sql"))
        if not files:
            print(f"dbt compile wrote no files under {target / 'compiled'}", file=sys.stderr)
            return 1
        with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            results = list(pool.map(_problems, files, chunksize=4))
        bad = [(f, p) for f, p in zip(files, results, strict=True) if p]
        for path, problems in bad:
            print(f"{Path(path).relative_to(target)}:", file=sys.stderr)
            for problem in problems[:10]:
                print(f"  {problem}", file=sys.stderr)
        print(
            f"{len(files)} compiled files (models, analyses, data tests, hooks) parsed as T-SQL: "
            + (f"{len(bad)} with problems" if bad else "all clean")
            + f"; compiled into {target}"
            + ("" if args.target_path else " (removed)")
        )
        return 1 if bad else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
