"""Deterministic sample ORDERS_UNIFIED in a DuckDB file, in the reference layout
(``python -m tools.sample_orders create|edit``; the usage is in ``cli``).

- ``generator``: ``Shape``, ``build_select``, ``create`` and what the rows are drawn from
  (``CUSTOMERS``, ``SEASONS``, the size families): the table, built inside DuckDB.
- ``edits``: ``edit``, ``edit_share``: the changes a planner's source would make.
- ``sql``: ``ident``, ``literal``, ``size_total``: the SQL spelling both share.
- ``cli``: ``main``, the command line (``__main__`` runs it).

``Shape``, ``build_select``, ``create``, ``edit`` and ``edit_share`` (and ``CUSTOMERS``,
``SEASONS``) are importable from the package itself.
"""

from __future__ import annotations

from tools.sample_orders.edits import edit, edit_share
from tools.sample_orders.generator import CUSTOMERS, SEASONS, Shape, build_select, create

__all__ = ["CUSTOMERS", "SEASONS", "Shape", "build_select", "create", "edit", "edit_share"]
