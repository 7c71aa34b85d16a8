"""Load and render the GraphQL templates in ``graphql/`` (one Jinja template per operation).

Templates only ever see *structure* (how many rows, which rows also move group); values travel
as GraphQL variables built in ``operations.py``, so nothing from the data reaches document text.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "graphql"
SUFFIX = ".graphql.j2"

OPERATIONS = (
    "create_items",
    "create_subitems",
    "update_items",
    "update_subitems",
    "delete_subitems",
    "delete_items",
    "archive_items",
    "create_group",
    "read_board",
    "find_items_by_sync_key",
    "read_board_items",
    "read_next_items",
    "read_board_subitems",
    "read_next_subitems",
    "item_states",
)


# Where `pip install .` (not editable) puts the templates: [tool.setuptools.data-files].
INSTALLED_DIR = Path(sys.prefix) / "share" / "order-sync" / "graphql"


def template_dir() -> Path:
    """``ORDER_SYNC_GRAPHQL_DIR``, else the checkout's ``graphql/``, else the installed copy."""
    if os.environ.get("ORDER_SYNC_GRAPHQL_DIR"):
        return Path(os.environ["ORDER_SYNC_GRAPHQL_DIR"])
    for directory in (TEMPLATE_DIR, INSTALLED_DIR):
        if (directory / f"{OPERATIONS[0]}{SUFFIX}").is_file():
            return directory
    raise FileNotFoundError(
        f"the GraphQL templates (*{SUFFIX}) are in neither {TEMPLATE_DIR} nor {INSTALLED_DIR}: run from "
        "a checkout of the repository, reinstall it with `pip install .`, or set ORDER_SYNC_GRAPHQL_DIR"
    )


@lru_cache(maxsize=4)
def _environment(directory: str) -> jinja2.Environment:
    # GraphQL, not HTML: there is nothing to escape because no value is ever rendered.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
        keep_trailing_newline=True,
    )


def _check_structure(value: Any, path: str = "rows") -> None:
    """Templates get ints, bools and None only: a string here would be a value leaking into text."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            _check_structure(v, f"{path}.{k}")
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for i, v in enumerate(value):
            _check_structure(v, f"{path}[{i}]")
    elif not (value is None or isinstance(value, bool | int)):
        raise TypeError(f"template context {path} must be structural (int/bool), got {type(value).__name__}")


def render(operation: str, rows: Sequence[Mapping[str, Any]] | int = 1) -> str:
    """Render ``operation`` for ``rows`` (a list of per-row flags, or a row count)."""
    if operation not in OPERATIONS:
        raise KeyError(f"unknown GraphQL operation {operation!r}")
    default = {"changes": True, "move": False}
    row_list: list[Mapping[str, Any]] = [default] * rows if isinstance(rows, int) else list(rows)
    _check_structure(row_list)
    template = _environment(str(template_dir())).get_template(operation + SUFFIX)
    return template.render(rows=row_list).strip() + "\n"
