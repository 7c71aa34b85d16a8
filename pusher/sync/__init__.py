"""The run of one customer: the outbox, board by board, in the order that keeps it safe.

- ``run``: ``Sync``: read the outbox, guard, route, then removals, items, subitems.
- ``board_step``: ``BoardStep``: what one run sends to one board.
- ``adopt``: ``Adopter``: a create whose earlier fate is unknown is looked up before it is sent.
- ``plan``: ``build_plan``: ``--dry-run``, from the outbox and the log alone.
- ``guards``: ``archive_guard``, ``delete_guard``: no run removes more than
  ``sync.max_archive_share`` of what is live without ``--force``.
- ``mapping_guard``: ``check_mapping``: nothing is sent from an outbox dbt built from another
  monday.yml mapping.
"""
