"""Large create waves as monday import jobs, large removal waves as bulk archive/delete jobs
(docs/CONTRACT.md, "Initial loads", issue 11): the CSV, the decision, the job's log rows, and
never duplicate / never lose across failures and interrupted runs.

The sandbox tests run against the monday sandbox over HTTP with hand-made outbox tables (as
tests/test_pusher.py does); a hand-made outbox does not shrink when rows are confirmed, so a
rerun is given the outbox dbt would give it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pusher.bulk_csv import Unit, build_job, import_text, parse_report, split_units
from pusher.config import ColumnSpec, load_settings
from pusher.errors import ConfigError
from pusher.operations import Op
from tests.test_pusher import REPO

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    '{"a": [1, 2], "b": "c"}',
    'she said "hi", then left',
    "line one\nline two\r\nline three",
    "emoji 🧵👗 and ünïcödé",
    "+1-234, -5, @sum(A1:A9)",
    "  leading and trailing spaces  ",
]


def _op(entity: str, key: str, name: str, values: dict[str, Any], parent: str | None = None) -> Op:
    return Op(entity, "create", key, item_name=name, column_values=json.dumps(values), parent_sync_key=parent)


ITEM_COLUMNS = (
    ColumnSpec("sync_key", "Sync key", "text"),
    ColumnSpec("order_status", "Order status", "status"),
    ColumnSpec("ex_factory", "Ex factory", "date"),
    ColumnSpec("order_type", "Order type", "dropdown"),
    ColumnSpec("price", "Price", "numbers"),
    ColumnSpec("notes", "Notes", "long_text"),
)
SUB_COLUMNS = (ColumnSpec("sync_key", "Sync key", "text"), ColumnSpec("qty", "Quantity", "numbers"))


# ------------------------------------------------------------------ the CSV
def test_import_text_per_column_type() -> None:
    assert import_text({"label": "IN PRODUCTION"}, "status") == "IN PRODUCTION"
    assert import_text({"date": "2026-06-15"}, "date") == "2026-06-15"
    assert import_text({"date": "2026-06-15", "time": "10:00:00"}, "date") == "2026-06-15"
    assert import_text({"labels": ["BULK", "REPEAT"]}, "dropdown") == "BULK, REPEAT"
    assert import_text("12.50", "numbers") == "12.50"
    assert import_text({"text": "a\nb"}, "long_text") == "a\nb"
    assert import_text(None, "text") == ""
    with pytest.raises(ValueError, match="no import text form"):
        import_text({"unexpected": 1}, "text")


def test_csv_header_rows_and_row_map() -> None:
    units = [
        Unit(
            _op("item", "k1", "AAG-1 / ST / NAVY", {"sync_key": "k1", "order_status": {"label": "OPEN"},
                                                   "ex_factory": {"date": "2026-06-15"}, "price": "12.5"}),
            [_op("subitem", "k1|S", "S", {"sync_key": "k1|S", "qty": "10"}, "k1"),
             _op("subitem", "k1|M", "M", {"sync_key": "k1|M", "qty": "20"}, "k1")],
        ),
        Unit(_op("item", "k2", "AAG-2", {"sync_key": "k2", "order_type": {"labels": ["BULK", "REPEAT"]}})),
    ]  # fmt: skip
    job = build_job(units, ITEM_COLUMNS, SUB_COLUMNS)
    assert job.text.endswith("\r\n") and "\r\n" in job.text
    rows = list(csv.reader(io.StringIO(job.text)))
    assert rows[0] == [
        "name", "sync_key", "order_status", "ex_factory", "order_type", "price", "notes",
        "name.subitem", "sync_key.subitem", "qty.subitem",
    ]  # fmt: skip
    assert rows[1] == ["AAG-1 / ST / NAVY", "k1", "OPEN", "2026-06-15", "", "12.5", "", "", "", ""]
    assert rows[2] == ["", "", "", "", "", "", "", "S", "k1|S", "10"]
    assert rows[4][0] == "AAG-2" and rows[4][4] == "BULK, REPEAT"
    # serialNo n (1-based data row) is job.rows[n - 1]
    assert [op.sync_key for op in job.rows] == ["k1", "k1|S", "k1|M", "k2"]
    assert (job.items, job.subitems) == (2, 2)


def test_csv_carries_hostile_text_exactly() -> None:
    units = [
        Unit(_op("item", f"k{i}", text, {"sync_key": f"k{i}", "notes": {"text": text}}))
        for i, text in enumerate(HOSTILE)
    ]
    job = build_job(units, ITEM_COLUMNS, SUB_COLUMNS)
    rows = list(csv.reader(io.StringIO(job.text, newline="")))
    assert [(r[0], r[6]) for r in rows[1:]] == [(t, t) for t in HOSTILE]
    assert job.text.encode("utf-8").decode("utf-8") == job.text
    assert "'=HYPERLINK" not in job.text  # no formula escaping: monday stores text


def test_a_job_never_splits_an_item_from_its_subitems() -> None:
    units = [
        Unit(_op("item", f"k{i}", "n", {}), [_op("subitem", f"k{i}|{s}", s, {}) for s in range(i % 4)])
        for i in range(40)
    ]
    total = sum(u.rows for u in units)
    chunks = split_units(units, 25)
    assert all(sum(u.rows for u in c) <= 25 for c in chunks)
    assert sum(u.rows for c in chunks for u in c) == total
    assert all(sum(u.rows for u in c) > 25 - 4 for c in chunks[:-1])  # full but for the largest unit
    assert [u for c in chunks for u in c] == units
    assert split_units([Unit(_op("item", "big", "n", {}), [_op("subitem", "x", "x", {})] * 30)], 25) == []


def test_report_lines_by_serial_number() -> None:
    report = (
        "serialNo,status,itemId,error,color1\r\n"
        "1,success,12559470820,,\r\n"
        '2,validation_error,,"[color1]: Label ""NotALabel"" is invalid",bad label\r\n'
    )
    lines = parse_report(report)
    assert lines[1].status == "success" and lines[1].item_id == "12559470820"
    assert lines[2].item_id is None and 'Label "NotALabel" is invalid' in (lines[2].error or "")
    assert "color1: bad label" in (lines[2].error or "")


# ------------------------------------------------------------ configuration
def _config(tmp_path: Path, bulk: dict[str, Any] | None) -> str:
    data = yaml.safe_load((REPO / "monday.yml").read_text(encoding="utf-8"))
    if bulk is not None:
        data["bulk"] = bulk
    path = tmp_path / "monday.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_bulk_settings_and_backfill_needs_the_operators_word(tmp_path: Path) -> None:
    env = {"MONDAY_API_URL": "http://127.0.0.1:9"}
    s = load_settings("X", config_file=_config(tmp_path, None), env=env)
    assert (s.bulk.mode, s.bulk.min_rows, s.bulk.poll_seconds) == ("auto", 2000, 10.0)
    s = load_settings("X", config_file=_config(tmp_path, {"mode": "off", "min_rows": 50}), env=env)
    assert (s.bulk.mode, s.bulk.min_rows) == ("off", 50)
    assert (
        load_settings("X", config_file=_config(tmp_path, None), env=env, bulk_mode="ingest").bulk.mode
        == "ingest"
    )
    with pytest.raises(ConfigError, match="--initial-load"):
        load_settings("X", config_file=_config(tmp_path, None), env=env, bulk_mode="backfill")
    with pytest.raises(ConfigError, match="--initial-load"):
        load_settings("X", config_file=_config(tmp_path, {"mode": "backfill"}), env=env)
    s = load_settings(
        "X", config_file=_config(tmp_path, None), env=env, bulk_mode="backfill", initial_load=True
    )
    assert (s.bulk.mode, s.initial_load) == ("backfill", True)
    with pytest.raises(ConfigError, match="bulk"):
        load_settings("X", config_file=_config(tmp_path, {"mode": "sometimes"}), env=env)
    with pytest.raises(ConfigError, match="unknown key"):
        load_settings("X", config_file=_config(tmp_path, {"min_row": 5}), env=env)


def test_cli_refuses_backfill_without_initial_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pusher.cli import main
    from pusher.errors import EXIT_CONFIG

    code = main(["--customer", "X", "--config", _config(tmp_path, None), "--bulk", "backfill"])
    assert code == EXIT_CONFIG
    assert "--initial-load" in capsys.readouterr().out
