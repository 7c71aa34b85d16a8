"""A run's summary: what it renders and the exit code it gives."""

from __future__ import annotations

from pusher.errors import EXIT_LIMIT, EXIT_OK, EXIT_ROWS_FAILED
from pusher.run.summary import RowError, Summary


# ----------------------------------------------------------------- summary
def test_summary_render_and_exit_codes() -> None:
    s = Summary("ACME", "9001")
    assert "nothing to send" in s.render() and s.exit_code == EXIT_OK
    s.outbox_rows = 3
    s.ok("item", "create", 2)
    s.errors.append(RowError("item", "k", "create", "ColumnValueException", "bad"))
    text = s.render()
    assert "created 2" in text and "ColumnValueException" in text and "nothing to send" not in text
    assert s.exit_code == EXIT_ROWS_FAILED
    s.stopped = "daily limit"
    assert s.exit_code == EXIT_LIMIT and "STOPPED" in s.render()
