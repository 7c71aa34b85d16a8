"""monday.yml read into Settings: a board per customer, and configuration errors (no sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pusher.config.settings import load_settings
from pusher.errors import EXIT_CONFIG, ConfigError

MONDAY_YML = """
api_version: "2026-10"
boards:
  default: {board_id: "9001", subitem_board_id: "9002"}
  customers:
    Greyson Clothiers: {board_id: "7001", subitem_board_id: "7002"}
items: {sync_key: {id: sync_key}}
subitems: {sync_key: {id: sub_key}}
sync: {max_archive_share: 0.25}
"""


@pytest.fixture
def monday_yml(tmp_path: Path) -> str:
    path = tmp_path / "monday.yml"
    path.write_text(MONDAY_YML)
    return str(path)


# ------------------------------------------------------------------ config
def test_board_per_customer_else_default(monday_yml: str) -> None:
    s = load_settings("GREYSON CLOTHIERS", config_file=monday_yml, env={})
    assert (s.board_id, s.subitem_board_id, s.max_archive_share) == ("7001", "7002", 0.25)
    d = load_settings("OTHER CO", config_file=monday_yml, env={})
    assert (d.board_id, d.subitem_board_id) == ("9001", "9002")
    assert d.subitem_sync_key_column == "sub_key" and d.api_url == "https://api.monday.com/v2"


def test_config_errors(monday_yml: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings("X", config_file=str(tmp_path / "missing.yml"), env={})
    with pytest.raises(ConfigError, match="https"):
        load_settings("X", config_file=monday_yml, env={"MONDAY_API_URL": "http://api.example.com/v2"})
    bad = tmp_path / "bad.yml"
    bad.write_text("boards: {default: {board_id: 'abc'}}")
    with pytest.raises(ConfigError, match="numeric"):
        load_settings("X", config_file=str(bad), env={})
    with pytest.raises(ConfigError, match="positive"):
        load_settings("X", config_file=monday_yml, env={}, batch_size=0)
    assert load_settings("X", config_file=monday_yml, env={}, batch_size=10_000).batch_size == 500
    assert EXIT_CONFIG == ConfigError.exit_code == 2
