"""``python -m tools.sample_orders``: see ``tools.sample_orders.cli``."""

from __future__ import annotations

import sys

from tools.sample_orders.cli import main

sys.exit(main())
