"""What the benchmarks share: the dbt command of a scheduled run, a function run in a fresh
process (its result after a marker), the process's own peak memory, and the sample data (the
default shape or the held-out one); for the benches that push (growth, parallel, reconcile), the
temp folder of a run, the environment dbt and the pusher get in it, the sandbox on a scaled clock,
and the machine's load printed beside the figures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from tools.sample_orders import Shape, create

if TYPE_CHECKING:
    from tests.sandbox import SandboxServer

REPO = Path(__file__).resolve().parents[2]

# The flags of a scheduled `dbt build`, the Makefile's DBT_RUN_FLAGS: unit tests left to
# `make test` (about 12 s of CPU at 50,000 lines), no usage statistics (no network call).
DBT_BUILD_FLAGS = ["--exclude", "resource_type:unit_test", "--no-send-anonymous-usage-stats"]

_RESULT = "bench-transform-result: "


def in_child(function: str, *args: object, module: str) -> object:
    """Runs ``module.function`` in a fresh process and returns its JSON result. The benchmark
    process itself stays small: Linux hands a child its parent's peak memory through fork and
    exec (ru_maxrss), so a big parent would floor the peak printed for every dbt build."""
    code = (
        f"import json, sys; from {module} import {function}; "
        "print('\\n" + _RESULT + "' + json.dumps(" + function + "(*json.loads(sys.argv[1]))))"
    )
    argv = json.dumps([str(a) if isinstance(a, Path) else a for a in args])
    proc = subprocess.run(
        [sys.executable, "-c", code, argv], cwd=REPO, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return {"error": next((x for x in reversed(lines) if "Error" in x), lines[-1] if lines else "?")}
    # DuckDB may draw a progress bar on the same stdout: the result is what follows the marker.
    return json.loads(proc.stdout[proc.stdout.rindex(_RESULT) + len(_RESULT) :].strip())


def peak_memory_mb() -> float:
    """This process's own peak resident memory (VmHWM; not ru_maxrss, see in_child)."""
    try:
        return int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dbt_command(command: str, db: Path, profiles_dir: Path, target_dir: Path) -> tuple[list[str], dict]:
    """A `dbt <command>` of this project on the DuckDB file ``db``, as the scheduled run gives it
    (DBT_BUILD_FLAGS for a build), and its environment."""
    env = dict(os.environ, ORDER_SYNC_DUCKDB=str(db), DBT_PROFILES_DIR=str(profiles_dir))
    flags = DBT_BUILD_FLAGS if command == "build" else ["--no-send-anonymous-usage-stats"]
    cmd = [str(Path(sys.executable).with_name("dbt")), command, *flags,
           "--project-dir", str(REPO / "dbt_project"), "--target-path", str(target_dir),
           "--log-path", str(target_dir / "logs"), "--quiet"]  # fmt: skip
    return cmd, env


def generate(db: str | Path, n: int, shape: str) -> float:
    """``n`` sample lines in ``db`` (shape ``default`` or ``held-out``); the seconds it took."""
    start = time.perf_counter()
    if shape == "held-out":
        create(Path(db), n, seed=1, bad_rows=0, shape=Shape(customers=12, seasons=8, lines_per_order=(1, 6)))
        held_out(Path(db))
    else:
        create(Path(db), n, seed=1, bad_rows=0)
    return time.perf_counter() - start


def held_out(db: Path | str) -> None:
    """The legacy habits sample_orders does not write: every size filled (0 or '0' where the
    sample leaves NULL or ''), and every text size padded to 8 characters, as a CHAR(8) would."""
    from tools.reference_layout import read_layout, size_columns

    sets = []
    for col in size_columns(read_layout()):
        q = '"' + col.name.replace('"', '""') + '"'
        if col.is_text:
            sets.append(f"{q} = rpad(' ' || coalesce(nullif(trim({q}), ''), '0'), 8, ' ')")
        else:
            sets.append(f"{q} = coalesce({q}, 0)")
    con = duckdb.connect(str(db))
    con.execute(f"UPDATE dbo.ORDERS_UNIFIED SET {', '.join(sets)}")
    con.close()


@contextmanager
def bench_folder(name: str, keep: bool) -> Iterator[Path]:
    """A temp folder ``bench-<name>-…`` for one bench run, with profiles.example.yml as its
    profiles.yml; removed at the end, or kept (and its path printed) when ``keep``."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    try:
        shutil.copy(REPO / "profiles.example.yml", folder / "profiles.yml")
        yield folder
    finally:
        if keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def pusher_env(folder: Path, db: Path, config: Path, token: str) -> dict[str, str]:
    """The environment dbt and the pusher run in: the profiles.yml of ``folder`` (bench_folder) on
    the DuckDB file ``db``, the mapping ``config``, and the sandbox's ``token``."""
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(folder),
        "ORDER_SYNC_DUCKDB": str(db),
        "ORDER_SYNC_TARGET": "duckdb",
        "ORDER_SYNC_CONFIG": str(config),
        "MONDAY_API_TOKEN": token,
    }


def scaled_sandbox(token: str, scale: float, **options: Any) -> SandboxServer:
    """The sandbox with monday's limits on a clock ``scale`` times faster: its minute 60/scale s,
    300/scale ms a request and 20/scale ms more a mutation, no daily call cap; ``options`` go to
    SandboxServer as they are."""
    from tests.sandbox import SandboxServer  # here: the transform benches never start one

    return SandboxServer(
        token=token,
        window_seconds=60.0 / scale,
        daily_calls=0,
        latency_ms=300.0 / scale,
        latency_per_mutation_ms=20.0 / scale,
        **options,
    )


def machine_load() -> str:
    """The load a bench's wall times were measured under, to print beside them."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
