"""The push benchmark (``python -m tools.bench.push``, ``make bench-push``): ~2,000 items and
~8,000 subitems into the monday sandbox at monday's scaled ceiling; the whole method is in ``cli``.

- ``outbox``: ``build_outbox``: sample orders → ``dbt build`` → the outbox as tables of
  ``bench.duckdb``, one customer on one board.
- ``run``: ``run``: one ``--bulk`` mode's first sync onto a fresh sandbox in its own process, and
  its figures; ``start_sandbox`` and the scaled limits.
- ``report``: ``TARGETS``, ``target_checks``, ``bulk_checks``, ``print_figures``, ``print_bulk``:
  the figures against the targets, as tables.
- ``cli``: ``main``, the command line (``__main__`` runs it).
"""
