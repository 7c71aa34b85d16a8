"""End to end: a sample ORDERS_UNIFIED, dbt, ``python -m pusher`` and the monday sandbox, and the
board checked against the source (tests/support/expected_board.py)."""
