"""``python -m pusher reconcile``: the boards as planners left them, compared with what the push log
says monday holds (board_read, compare), reported and, with ``--repair``, written back to the push
log as rows the outbox reads (repair), so the next ordinary push puts the board back (issue 21)."""
