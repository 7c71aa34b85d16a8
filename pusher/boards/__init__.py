"""monday boards as a run sees them: which board a row goes to, what a board holds, and
making and setting up boards.

- ``targets``: ``Targets``, ``Target``: the board of each outbox row.
- ``views``: ``Boards``, ``BoardView``: each board read once per run; groups found or created.
- ``capacity``: ``over_limit``, ``read_plan``, ``BOARD_FULL``: monday's 10,000 items a board.
- ``maker``: ``BoardMaker``, ``BoardTarget``: boards found by name or made on demand, logged.
- ``setup``: the steps shared by ``board create`` and boards made on demand (``create_board``,
  ``complete_board``, ``read_layout``, ``Layout``).
"""
