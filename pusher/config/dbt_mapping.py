"""What dbt reads of monday.yml, and the fingerprint both halves compare (docs/CONTRACT.md).

dbt reads the ``items``, ``subitems``, ``sync``, ``boards`` and ``scope`` sections: as the dbt var
``order_sync_mapping`` (``python -m tools.codegen --print-vars``, what ``make run`` and the Kestra
flow pass) or from the generated macro ``monday_mapping()`` (``make generate``). Every build stamps
its outbox rows and ``MON_SyncMapping`` with the MD5 of that mapping's JSON with sorted keys
(macro ``mapping_fingerprint``); the pusher computes the same of the file it reads and sends
nothing from an outbox built from another mapping.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

DBT_SECTIONS = ("items", "subitems", "sync", "boards", "scope")


def dbt_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """The sections of a (checked) monday.yml that dbt reads; absent optional ones left out."""
    return {key: data[key] for key in DBT_SECTIONS if data.get(key) is not None}


def fingerprint(mapping: Mapping[str, Any]) -> str:
    """MD5 of the mapping as dbt's ``tojson(..., sort_keys=True)`` writes it. Values YAML reads as
    dates are text to dbt (codegen writes them as strings), so here too."""
    plain = json.loads(json.dumps(mapping, default=str))
    return hashlib.md5(json.dumps(plain, sort_keys=True).encode("utf-8"), usedforsecurity=False).hexdigest()
