"""The SQL spelling the generator and the edits share: a quoted column name, a string literal,
and a line's size total (the sum of its sizes, text sizes read as numbers)."""

from __future__ import annotations

from tools.reference_layout import Column, size_columns


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def size_total(columns: list[Column]) -> str:
    """The sum of a line's sizes; a text size counts as its number, blank or junk as 0."""
    terms = []
    for col in size_columns(columns):
        ref = ident(col.name)
        terms.append(
            f"coalesce(TRY_CAST(trim({ref}) AS INTEGER), 0)" if col.is_text else f"coalesce({ref}, 0)"
        )
    return " + ".join(terms)
