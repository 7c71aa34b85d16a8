"""Scale benchmark: one customer with 50,000 order lines over six seasons, boards made on demand.

    python -m tools.bench.scale                                  # 50,000 lines, every run below
    python -m tools.bench.scale --lines 5000 --modes subitems    # a smaller run
    python -m tools.bench.scale --runs side_by_side queue        # leave out the mutation path
    python -m tools.bench.scale --scale 20                       # monday's minute shrunk to 3 s
    python -m tools.bench.scale --profile /tmp/prof              # where the pusher's CPU goes

Per size mode (`sizes: subitems`, then `sizes: column`), in a temp dir:

1. ``tools.sample_orders create --customers 1 --seasons 6 --lines-per-order 1-6`` (orders of
   1-6 lines, ~8.7 non-zero sizes a line) and ``dbt build`` with the mapping of
   ``docs/examples/monday.by-season.yml`` passed as ``--vars`` (``tools.codegen --print-vars``);
   the built database is copied for each run, so every run starts from the same outbox;
2. per run, the monday sandbox (``tests/sandbox``), started EMPTY (no board at all), with monday's
   limits and latency scaled like ``tools.bench.push`` does: a window of 60/scale s holding the
   full 10,000,000 points, 300/scale ms per request + 20/scale ms per mutation; the daily call
   limit is off (the figures say how many calls each plan's day allows); imports at 200 rows a
   monday second;
3. ``python -m pusher --all-customers`` exactly as an operator runs it (``ORDER_SYNC_CONFIG``
   pointing at the example), the first sync. The runs (``--runs``): ``mutations`` (``--bulk
   off``), ``side_by_side`` (``--bulk backfill --initial-load``; the sandbox runs the account's
   import jobs side by side) and ``queue`` (the same, the sandbox runs them one at a time in upload
   order: monday documents neither). After the ``side_by_side`` run (the only one with
   ``sizes: column``), ``tools.sample_orders edit --share 0.05`` (5 % of the lines: new quantities,
   sizes zeroed, cancelled, moved to another season), ``dbt build`` and a second sync with the
   pusher's default ``--bulk``.

Prints per sync: boards made, live items and subitems, the fullest board, mutations (by kind),
import jobs and their rows, HTTP calls, 429s, "monday minutes" (wall time ÷ the scaled window: how
long monday would take at its real limits), the floor (rows created ÷ the import rate: no load
can be faster at that rate, one job at a time) and the pusher's CPU seconds. It asserts nothing.
The sandbox runs in this process (its state is read directly), the pusher in its own.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from tests.sandbox import SandboxServer
from tools.bench.common import pusher_env, scaled_sandbox
from tools.bench.scale_report import IMPORT_RATE, Figures, render, verdict
from tools.sample_orders import SEASONS, Shape, create, edit_share

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "monday.by-season.yml"
TOKEN = "tok-bench-scale-31d7"  # noqa: S105 (the sandbox accepts only this)
PROFILE_DIR: Path | None = None  # --profile: each push's cProfile stats are written here
RUNS = {  # run → (pusher arguments of the first sync, the sandbox's import_processing)
    "mutations": (["--bulk", "off"], "side_by_side"),
    "side_by_side": (["--bulk", "backfill", "--initial-load"], "side_by_side"),
    "queue": (["--bulk", "backfill", "--initial-load"], "queue"),
}


def board_census(sandbox: SandboxServer) -> dict[str, Any]:
    """Boards, live items/subitems and the fullest board (items counting toward its limit)."""
    state = sandbox.state
    with state.lock:
        boards = list(state.boards.values())
        counts = {b["id"]: state.count_items(b["id"]) for b in boards}
        live = {b["id"]: len(state.board_items(b["id"])) for b in boards}
    subs = [b for b in boards if b.get("type") == "sub_items_board"]
    mains = [b for b in boards if b.get("type") != "sub_items_board"]
    fullest = max(((b["name"], counts[b["id"]]) for b in boards), key=lambda x: x[1], default=("", 0))
    return {
        "item_boards": len(mains),
        "subitem_boards": len(subs),
        "items": sum(live[b["id"]] for b in mains),
        "subitems": sum(live[b["id"]] for b in subs),
        "archived": sum(counts[b["id"]] - live[b["id"]] for b in boards),
        "fullest": fullest,
    }


def slug(label: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in label).strip("-")


def _run(cmd: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"{what} failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result


def dbt_build(tmp: Path, env: dict[str, str], config: Path) -> float:
    """``dbt build`` with the mapping of ``config`` passed as --vars; returns its wall time."""
    dbt_vars = _run(
        [sys.executable, "-m", "tools.codegen", "--config", str(config), "--print-vars"], env, "codegen"
    ).stdout.strip()
    started = time.monotonic()
    dbt = str(Path(sys.executable).with_name("dbt"))
    _run(
        [dbt, "build", "--project-dir", "dbt_project", "--vars", dbt_vars, "--quiet"]
        + ["--exclude", "resource_type:unit_test"]  # data tests run; unit tests are make test's
        + ["--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        env,
        "dbt build",
    )
    return time.monotonic() - started


def push(
    sandbox: SandboxServer, env: dict[str, str], label: str, window: float, log: Path, extra: list[str]
) -> Figures:
    """One ``python -m pusher --all-customers``, with the sandbox's figures before and after."""
    before, census0 = sandbox.stats, board_census(sandbox)
    jobs0 = set(sandbox.jobs.jobs)
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    own0 = resource.getrusage(resource.RUSAGE_SELF)  # this process is the sandbox (and little else)
    started, monday0 = time.monotonic(), sandbox.clock.now()
    with log.open("a") as out:
        out.write(f"\n===== {label}\n")
        out.flush()
        profile = ["-m", "cProfile", "-o", str(PROFILE_DIR / f"{slug(label)}.prof")] if PROFILE_DIR else []
        code = subprocess.run(
            [sys.executable, *profile, "-m", "pusher", "--all-customers", *extra],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    seconds = time.monotonic() - started
    cpu1, own1 = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    fig = figures(label, seconds, window, code, sandbox, before, census0)
    fig.cpu_seconds = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    fig.sandbox_cpu_seconds = own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime
    with sandbox.state.lock:
        new = [j for key, j in sandbox.jobs.jobs.items() if key not in jobs0]
    fig.jobs, fig.job_rows = len(new), sum(j.counts["submitted"] for j in new)
    uploads = [j.uploaded_at - monday0 for j in new if j.uploaded_at is not None]
    ends = [j.ended_at - monday0 for j in new if j.ended_at is not None]
    if uploads and ends:  # monday seconds after the push began
        fig.timeline = (min(uploads), max(uploads), max(ends))
    return fig


def figures(
    label: str,
    seconds: float,
    window: float,
    code: int,
    sandbox: SandboxServer,
    before: dict[str, Any],
    census0: dict[str, Any],
) -> Figures:
    """What a push did: the sandbox's figures now against ``before`` (stats) and ``census0``."""
    after, census = sandbox.stats, board_census(sandbox)
    mutations = Counter(after["mutations_by_field"])
    mutations.subtract(before["mutations_by_field"])
    limited = sum(after["rate_limited_by_code"].values()) - sum(before["rate_limited_by_code"].values())
    return Figures(
        label,
        seconds,
        window,
        code,
        item_boards=census["item_boards"],
        subitem_boards=census["subitem_boards"],
        boards_made=census["item_boards"] - census0["item_boards"],
        items=census["items"],
        subitems=census["subitems"],
        archived=census["archived"],
        fullest=census["fullest"],
        mutations=+mutations,
        calls=after["requests"] - before["requests"],
        rate_limited=limited,
        created=max(0, census["items"] + census["subitems"] - census0["items"] - census0["subitems"]),
    )


def write_config(tmp: Path, mode: str, window: float) -> Path:
    """The example monday.yml with every route's size mode set to ``mode``."""
    config = yaml.safe_load(EXAMPLE.read_text())
    config["boards"]["default"]["sizes"] = mode
    # monday asks for ~10 s between bulk job polls: on the scaled clock, 10 s / scale
    config["bulk"] = {**config.get("bulk", {}), "poll_seconds": 10.0 * window / 60.0}
    path = tmp / "monday.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return path


def build(mode: str, args: argparse.Namespace, tmp: Path) -> Path:
    """The sample orders of ``args`` and ``dbt build`` with size mode ``mode``: the database."""
    db = tmp / "built.duckdb"
    create(db, args.lines, seed=1, bad_rows=0, shape=Shape(args.customers, args.seasons, (1, 6)))
    built = dbt_build(tmp, run_env(tmp, db, write_config(tmp, mode, 60.0 / args.scale)), tmp / "monday.yml")
    print(f"[{mode}] dbt build {built:.0f}s", flush=True)
    return db


def run_env(tmp: Path, db: Path, config: Path) -> dict[str, str]:
    shutil.copy(REPO / "profiles.example.yml", tmp / "profiles.yml")
    return pusher_env(tmp, db, config, TOKEN)


def run_one(mode: str, run: str, built: Path, args: argparse.Namespace, change: bool) -> list[Figures]:
    """One run on a copy of the built database and an empty sandbox; the change's sync after it."""
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-scale-{mode}-{run}-"))
    window = 60.0 / args.scale
    extra, processing = RUNS[run]
    try:
        db = tmp / "orders.duckdb"
        shutil.copy(built, db)
        config = write_config(tmp, mode, window)
        env = run_env(tmp, db, config)
        sandbox = scaled_sandbox(
            TOKEN, args.scale, import_rows_per_second=IMPORT_RATE, import_processing=processing
        )
        with sandbox:
            env["MONDAY_API_URL"] = sandbox.url
            log = tmp / "pusher.log"
            figs = [push(sandbox, env, f"{mode}: first sync, {run}", window, log, extra)]
            print(render(figs[-1:], args), flush=True)
            if change:
                edit_share(db, args.share, seed=1)
                built_s = dbt_build(tmp, env, config)
                print(f"[{mode}] dbt build after the edit {built_s:.0f}s", flush=True)
                figs.append(push(sandbox, env, f"{mode}: after {args.share:.0%} changed", window, log, []))
                print(render(figs[-1:], args), flush=True)
            if any(f.exit_code for f in figs):
                print(log.read_text()[-4000:])
        return figs
    finally:
        if args.keep:
            print(f"[{mode}/{run}] kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run_mode(mode: str, args: argparse.Namespace) -> list[Figures]:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-scale-{mode}-"))
    try:
        built = build(mode, args, tmp)
        runs = args.runs if mode == "subitems" else [r for r in args.runs if r == "side_by_side"]
        return [f for run in runs for f in run_one(mode, run, built, args, change=run == "side_by_side")]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.bench.scale", description=__doc__.split("\n")[0])
    p.add_argument("--lines", type=int, default=50_000, help="order lines (one customer by default)")
    p.add_argument("--customers", type=int, default=1, help="spread the lines over this many customers")
    p.add_argument("--seasons", type=int, default=6, help="seasons the lines fall in (a board each)")
    p.add_argument("--modes", nargs="+", choices=("subitems", "column"), default=["subitems", "column"])
    p.add_argument("--scale", type=float, default=10.0, help="monday's timings divided by this")
    p.add_argument("--share", type=float, default=0.05, help="share of lines changed before the second sync")
    p.add_argument(
        "--runs",
        nargs="+",
        choices=tuple(RUNS),
        default=list(RUNS),
        help="first syncs to run: mutations (--bulk off), backfill with the sandbox's import jobs "
        "side_by_side or one at a time (queue); the 5%% change follows side_by_side",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp dirs (database, pusher output)")
    p.add_argument("--profile", type=Path, help="write each push's cProfile stats (pstats) to this folder")
    args = p.parse_args(argv)
    if not 1 <= args.seasons <= len(SEASONS):
        p.error(f"--seasons takes 1 to {len(SEASONS)} (the sample's seasons)")
    global PROFILE_DIR
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile.resolve()
    figs = [f for mode in args.modes for f in run_mode(mode, args)]
    print(render(figs, args, "scale bench, all runs"))
    print(verdict(figs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
