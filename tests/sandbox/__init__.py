"""A local fake of the monday.com GraphQL API (version 2026-10) for tests and demos.

    from tests.sandbox import SandboxServer

    with SandboxServer(board_spec="board.yml") as sandbox:
        requests.post(sandbox.url, json={"query": "{ me { id } }"},
                      headers={"Authorization": "t", "API-Version": "2026-10"})

Run standalone with ``python -m tests.sandbox --port 8765 --state .sandbox/state.json``.
"""

from .errors import MondayError
from .faults import FAULT_KINDS
from .limits import Limits
from .server import SandboxServer
from .state import SandboxState, load_board_spec

__all__ = [
    "FAULT_KINDS",
    "Limits",
    "MondayError",
    "SandboxServer",
    "SandboxState",
    "load_board_spec",
]
