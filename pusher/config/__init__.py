"""monday.yml, the command line and the environment, read and validated once.

- ``settings``: ``Settings`` (one immutable value per run), ``Filters``, ``BulkConfig``,
  ``load_settings``, ``config_path``.
- ``boards``: the mapping and at-scale sections of monday.yml (``ColumnSpec``, ``Route``,
  ``BoardsConfig``, ``mapped_columns``, ``load_boards``, ``check_scope``).

Imports nothing of the pusher but ``pusher.errors``.
"""
