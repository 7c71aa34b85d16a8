"""``make verify-sqlserver`` (``python -m tools.verify_sqlserver``): the self-test users run on
their own SQL Server before the first real sync (issue 14).

- ``cli``: ``main`` (the command line), ``verify`` (every check, in order), ``dbt_build``,
  ``write_profiles``, ``finish``.
- ``engine``: ``Engine``, ``DuckDBEngine``, ``SqlServerEngine``: the two databases compared,
  behind one small interface.
- ``server``: ``server_facts``, ``describe``, ``prerequisites``, ``column_collations``: what is
  asked of SQL Server before anything is created.
- ``sample``: ``read_sample``, ``load_sample``, ``golden_cases``: the fixed sample ORDERS_UNIFIED
  (``sample_data/orders.yml`` plus the rows of tests/golden/payloads.yml).
- ``compare``: ``compare_engines``, ``quarantine_coverage``, ``golden_payloads``,
  ``documented_rendering``: the target against the DuckDB reference and the golden file.
- ``push``: ``push_twice``, ``push_checks``, ``compare_boards``: the pusher against the local
  monday sandbox, and the push log contract.
- ``report``: ``Check``, ``Report``, ``compare_rows``, ``not_run``: the checklist, as text and
  JSON.
"""
