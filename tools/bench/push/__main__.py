"""``python -m tools.bench.push``: see ``tools.bench.push.cli``."""

from __future__ import annotations

import sys

from tools.bench.push.cli import main

sys.exit(main())
