"""The database: connections, the outbox dbt builds and the push log the pusher writes back.

- ``connection``: ``connect(target)``, a dbt profile target as a ``Database``.
- ``database``: ``Database`` (parameterised queries, transactions, relation names).
- ``sqlserver``: what only SQL Server needs (connection string, connect errors).
- ``profiles``: finding and rendering dbt's profiles.yml (``find_profiles_file``, ``load_output``).
- ``outbox``: ``read_items``, ``read_subitems`` (``ItemRow``, ``SubitemRow``), ``label_in``.
- ``locks``: ``CustomerLock`` (one pusher per customer), ``DatabaseLocks`` (one mutation request
  in flight per board, one maker per board name): held by the database, across hosts.
- ``push_log``: ``PushLog`` (intents and outcomes into ``MON_PushLog``), ``LogEvent``,
  ``Confirmed``, ``outcome_events``.

Never talks to monday.
"""
