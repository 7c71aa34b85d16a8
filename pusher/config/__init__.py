"""monday.yml, the command line and the environment, read and validated once.

- ``settings``: ``Settings`` (one immutable value per run), ``Filters``, ``BulkConfig``,
  ``load_settings``, ``config_path``.
- ``boards``: the mapping and at-scale sections of monday.yml as values (``ColumnSpec``, ``Route``,
  ``BoardsConfig``, ``mapped_columns``, ``load_boards``, ``size_curve_column``).
- ``dbt_mapping``: what dbt reads of monday.yml (``dbt_mapping``) and its ``fingerprint``.
- ``rules``: every rule of monday.yml, written once (``problems``: every problem at once, each
  naming the key and the fix; ``check``); codegen (tools.codegen) calls it too.

Imports nothing of the pusher but ``pusher.errors``.
"""
