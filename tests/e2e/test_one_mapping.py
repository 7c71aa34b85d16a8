"""One monday.yml for dbt and the pusher (issue 19): a user edits the board ids in monday.yml.
Built the way `make run` and the Kestra flow build (the file's mapping passed to dbt), the lines land
on the new boards. Built from a stale mapping (a plain `dbt build` on the committed generated
macro), the pusher refuses with exit 2, names the file, what dbt built from and the command that
fixes it, and sends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pusher.commands.cli import main
from pusher.config.dbt_mapping import dbt_mapping, fingerprint
from pusher.errors import EXIT_CONFIG, EXIT_OK
from tests.sandbox.spec import boards_from_mapping
from tests.support.dbt import dbt, mapping_vars, sample_orders
from tests.support.duck import sql
from tests.support.paths import MONDAY_YML, REPO
from tests.support.pushing import ROOMY_BUDGET, against_sandbox

TOKEN = "tok-one-mapping"
CUSTOMER = "GREYSON CLOTHIERS"


def _new_board_ids(work: Path) -> Path:
    config = yaml.safe_load(MONDAY_YML.read_text(encoding="utf-8"))
    config["boards"]["default"].update(board_id="9101", subitem_board_id="9102")
    path = work / "monday.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_edited_board_ids_land_on_the_new_boards_and_a_stale_build_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "orders.duckdb"
    sample_orders("create", "--db", db, "--lines", "120")
    config = _new_board_ids(tmp_path)
    # A stale build: dbt's mapping is the committed generated macro (board 9001), not the file.
    dbt("build", "--quiet", "--exclude", "resource_type:unit_test", work=tmp_path, db=db)
    spec = boards_from_mapping(config) + boards_from_mapping(MONDAY_YML)
    env = {"ORDER_SYNC_CONFIG": str(config)}
    with against_sandbox(
        tmp_path, db, TOKEN, monkeypatch, env=env, board_spec=spec, complexity_budget=ROOMY_BUDGET
    ) as sandbox:
        capsys.readouterr()
        assert main(["--customer", CUSTOMER]) == EXIT_CONFIG
        said = capsys.readouterr()
        err = said.out + said.err
        assert f"another mapping than {config}" in err
        assert "macros/generated/monday_mapping.sql" in err  # what dbt built from
        assert "nothing was sent" in err
        codegen = f"python -m tools.codegen --config {config} --print-vars"
        assert f'dbt build --project-dir dbt_project --vars "$({codegen})"' in err
        assert sandbox.stats["mutation_requests"] == 0
        assert sql(db, "select count(*) from main.MON_PushLog")[0][0] == 0

        # The fix, as the message says: the outbox rebuilt from the file the pusher reads.
        dbt("build", "--quiet", "--exclude", "resource_type:unit_test", "--vars", mapping_vars(config),
            work=tmp_path, db=db)  # fmt: skip
        (source,) = sql(db, "select mapping_source from main.MON_SyncMapping")[0]
        assert source == "the dbt var order_sync_mapping"
        assert main(["--customer", CUSTOMER]) == EXIT_OK
        wanted = sql(db, "select count(*) from main.MON_CustMasterSchedule where is_live")[0][0]
        assert wanted > 0
        assert len(sandbox.items("9101")) == wanted and sandbox.items("9102")
        assert sandbox.items("9001") == [] and sandbox.items("9002") == []


@pytest.mark.parametrize("config", ["monday.yml", "docs/examples/monday.by-season.yml"])
def test_dbt_and_the_pusher_fingerprint_a_mapping_alike(tmp_path: Path, config: str) -> None:
    """The MD5 dbt stamps (Jinja's tojson) and the one the pusher computes (Python's json) agree,
    for the repository's mapping and the at-scale example (numbers, nulls, nested routes)."""
    path = REPO / config
    db = tmp_path / "orders.duckdb"
    dbt("run", "--quiet", "--select", "MON_SyncMapping", "--vars", mapping_vars(path), work=tmp_path, db=db)
    (stamp,) = sql(db, "select mapping_fingerprint from main.MON_SyncMapping")[0]
    assert stamp == fingerprint(dbt_mapping(yaml.safe_load(path.read_text(encoding="utf-8"))))
