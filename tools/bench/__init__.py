"""The benchmarks: figures printed, nothing asserted (``make bench-*``; README, "Benchmarks").

- ``transform``: ``python -m tools.bench.transform`` (``make bench-transform``): ``dbt build`` at
  50,000 and 1,000,000 lines (first build, a share changed, no change), node by node, against
  issue 13's targets.
- ``reference``: ``pandas_transform``, ``same_as_dbt``: the same transform in plain pandas +
  hashlib, and the check that it computed exactly what dbt did.
- ``unpivot``: ``python -m tools.bench.unpivot`` (``make bench-unpivot``): the forms of the size
  melt on DuckDB.
- ``push``: ``python -m tools.bench.push`` (``make bench-push``): ~2,000 items and ~8,000
  subitems into the monday sandbox at monday's scaled ceiling (a package: ``outbox``, ``run``,
  ``report``, ``cli``).
- ``scale``: ``python -m tools.bench.scale`` (``make bench-scale``): one customer's 50,000 lines
  over six seasons onto boards made on demand.
- ``parallel``: ``python -m tools.bench.parallel`` (``make bench-parallel``): 12 customers by
  season, one ``--all-customers`` process against one process per customer on one account.
- ``growth``: ``python -m tools.bench.growth`` (``make bench-growth``): the no-change build and the
  nothing-to-send push with the push log grown 20x, before and after the daily compaction.
- ``reconcile``: ``python -m tools.bench.reconcile`` (``make bench-reconcile``): a full board
  (10,000 items, ~87,000 subitems) read and compared by ``pusher reconcile``.
- ``common``: what the benchmarks share: ``dbt_command`` (a scheduled run's flags), ``in_child``
  (a function in a fresh process), ``peak_memory_mb``, ``generate`` / ``held_out`` (the sample
  data); for the benches that push: ``bench_folder`` (the temp folder, kept with ``--keep``),
  ``pusher_env``, ``scaled_sandbox`` (monday's limits on a scaled clock), ``machine_load``.
"""
