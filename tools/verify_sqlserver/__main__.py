"""``python -m tools.verify_sqlserver``: see ``tools.verify_sqlserver.cli``."""

from __future__ import annotations

import sys

from tools.verify_sqlserver.cli import main

sys.exit(main())
