"""Refresh the sandbox's copy of monday's schema: ``python -m tests.sandbox.schema_file SDL VERSION``.

monday publishes its GraphQL schema per API version (the API reference's "Schema" page links
``https://api.monday.com/v2/get_schema?format=sdl&version=<version>``). The sandbox keeps its types,
fields, arguments, enums and directives only: monday's description texts are left out (they are
monday's prose, and a third of the file). The result is written to
``tests/sandbox/schema/monday-<version>.graphql``, the file the sandbox validates every request
against when monday.yml's ``api_version`` is that version.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphql import build_schema, parse, print_ast
from graphql.language import Visitor, visit

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"


def schema_file(version: str) -> Path:
    return SCHEMA_DIR / f"monday-{version}.graphql"


class _NoDescriptions(Visitor):
    def enter(self, node, *_args):  # noqa: ANN001, ANN202 - graphql-core's visitor signature
        if getattr(node, "description", None) is not None:
            object.__setattr__(node, "description", None)  # AST nodes are frozen dataclasses


def without_descriptions(sdl: str) -> str:
    """The same schema (every type and field) printed without description texts."""
    document = parse(sdl, no_location=True)
    visit(document, _NoDescriptions())
    printed = print_ast(document) + "\n"
    build_schema(printed)  # still a valid schema
    return printed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m tests.sandbox.schema_file", description=__doc__.split("\n")[0]
    )
    p.add_argument("sdl", help="monday's SDL as downloaded")
    p.add_argument("version", help="its API version, e.g. 2026-10 (monday.yml's api_version)")
    args = p.parse_args(argv)
    target = schema_file(args.version)
    target.write_text(without_descriptions(Path(args.sdl).read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
