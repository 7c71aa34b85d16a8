"""The static complexity estimate of a GraphQL document, and the root fields of an operation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

from .limits import ITEM_LIST_FIELDS, Limits


def iter_fields(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
) -> Iterator[FieldNode]:
    """Fields of a selection set, flattening fragment spreads/inline fragments."""
    if selection_set is None:
        return
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            yield sel
        elif isinstance(sel, InlineFragmentNode):
            yield from iter_fields(sel.selection_set, fragments)
        elif isinstance(sel, FragmentSpreadNode):
            frag = fragments.get(sel.name.value)
            if frag is not None:
                yield from iter_fields(frag.selection_set, fragments)


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def root_fields(document: DocumentNode, operation: OperationDefinitionNode) -> list[tuple[str, str]]:
    """(response key, field name) of the operation's root fields, in order."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for node in iter_fields(operation.selection_set, fragments_of(document)):
        key = node.alias.value if node.alias else node.name.value
        if key not in seen:
            seen.add(key)
            out.append((key, node.name.value))
    return out


def _arg_int(node: FieldNode, name: str, variables: dict[str, Any], default: int) -> int:
    for arg in node.arguments or ():
        if arg.name.value != name:
            continue
        value = arg.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, ListValueNode):
            return len(value.values)
        if isinstance(value, VariableNode):
            raw = variables.get(value.name.value)
            if isinstance(raw, list):
                return len(raw)
            try:
                return int(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return default
    return default


def _items_requested(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> int:
    total = 0
    for node in iter_fields(selection_set, fragments):
        name = node.name.value
        if name == "items":
            if node.arguments:  # ItemsResponse.items has no arguments
                total += _arg_int(node, "limit", variables, _arg_int(node, "ids", variables, 25))
        elif name in ITEM_LIST_FIELDS:
            total += _arg_int(node, "limit", variables, 25)
        total += _items_requested(node.selection_set, fragments, variables)
    return total


def estimate_cost(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
    limits: Limits,
) -> int:
    """Rough static cost: a table per root field, plus a per-item page charge."""
    fragments = fragments_of(document)
    is_mutation = operation.operation.value == "mutation"
    cost = 0
    for node in iter_fields(operation.selection_set, fragments):
        name = node.name.value
        if name in limits.field_costs:
            cost += limits.field_costs[name]
        else:
            cost += limits.mutation_base_cost if is_mutation else limits.query_base_cost
        if name in ITEM_LIST_FIELDS and name != "items":
            cost += limits.per_item_cost * _arg_int(node, "limit", variables, 25)
        elif name == "items":
            cost += limits.per_item_cost * _arg_int(
                node, "limit", variables, _arg_int(node, "ids", variables, 25)
            )
        cost += limits.per_item_cost * _items_requested(node.selection_set, fragments, variables)
    return cost
