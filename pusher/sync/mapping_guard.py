"""One monday.yml for both halves: nothing is sent from an outbox dbt built from another mapping.

dbt stamps ``MON_SyncMapping`` and every outbox row with the fingerprint of the mapping it built
from (``pusher.config.dbt_mapping``). A mapping edited after the last ``dbt build`` (a board id, a
column) would otherwise send the old mapping's boards and values without a word; the run refuses
instead (exit 2) and names the file, what dbt built from, and the command that rebuilds it.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from pusher.config.settings import Settings
from pusher.errors import ConfigError
from pusher.store.database import Database
from pusher.store.outbox import ItemRow, SubitemRow, read_build_mapping


def rebuild_command(config_file: str) -> str:
    """The one command that builds the outbox from ``config_file``."""
    vars_of = f"python -m tools.codegen --config {shlex.quote(config_file)} --print-vars"
    return f'dbt build --project-dir dbt_project --vars "$({vars_of})"'


def check_mapping(
    settings: Settings, db: Database, rows: Iterable[ItemRow | SubitemRow], unsent: str = "nothing was sent"
) -> None:
    """Refuse (``ConfigError``) when the build's mapping is not the one ``settings`` were read from."""
    mine = settings.mapping_fingerprint
    if mine is None:
        return
    built = read_build_mapping(db)
    if built is None:
        raise ConfigError(
            f"{db.schema}.MON_SyncMapping does not exist: the outbox was built by an older version, "
            f"so it cannot be told whether it follows {settings.config_file}; {unsent}. "
            f"Rebuild it: {rebuild_command(settings.config_file)}"
        )
    theirs, source = built
    stamps = {r.mapping_fingerprint for r in rows if r.mapping_fingerprint}
    if theirs == mine and stamps <= {mine}:
        return
    other = theirs if theirs != mine else sorted(stamps - {mine})[0]
    raise ConfigError(
        f"dbt built the outbox from another mapping than {settings.config_file}: dbt used {source} "
        f"(mapping {other[:12]}), {settings.config_file} is mapping {mine[:12]}; {unsent}. "
        f"Rebuild the outbox from the file the pusher reads, then push again: "
        f"{rebuild_command(settings.config_file)}"
    )
