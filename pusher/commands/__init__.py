"""``python -m pusher``: the commands a user runs, their options and what they print.

- ``cli``: ``main``: ``push`` (the default: ``--customer X`` / ``--all-customers``) and dispatch.
- ``customers``: one customer's push, and several side by side (``--parallel``), sharing one pacer.
- ``args``: the push command line (``build_parser``, ``settings_from_args``).
- ``output``: text or JSON lines (``Output``, ``JsonLogFormatter``).
- ``status``: ``python -m pusher status``: how the sync is doing, from the database alone.
- ``check``, ``check_plan``: ``python -m pusher check``: is monday ready for a sync.
- ``board_create``: ``python -m pusher board create``: a new board with every mapped column.
"""
