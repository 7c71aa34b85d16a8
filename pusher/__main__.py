"""``python -m pusher``: see ``pusher.commands.cli``."""

from __future__ import annotations

import sys

from pusher.commands.cli import main

sys.exit(main())
