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

from .limits import ITEM_LIST_FIELDS, NESTED_LIST_FIELDS, Limits


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


def _element_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    limits: Limits,
) -> int:
    """One element of a nested list: 1 per scalar, 10 (``per_item_cost``) per object plus its own
    fields, and nested lists again (monday's published weights; tests/sandbox/README.md)."""
    cost = 0
    for node in iter_fields(selection_set, fragments):
        if node.selection_set is None:
            cost += 1
        elif node.name.value in NESTED_LIST_FIELDS:
            cost += _nested_list_cost(node, fragments, variables, limits)
        else:
            cost += limits.per_item_cost + _element_cost(node.selection_set, fragments, variables, limits)
    return cost


def _nested_list_cost(
    node: FieldNode, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any], limits: Limits
) -> int:
    """A list inside an item (``subitems``, ``column_values``): its object weight once, plus as many
    elements as ``ids`` / ``limit`` name, or ``unbounded_list_size`` when nothing bounds it."""
    size = _arg_int(node, "ids", variables, _arg_int(node, "limit", variables, limits.unbounded_list_size))
    return limits.per_item_cost + size * _element_cost(node.selection_set, fragments, variables, limits)


def _nested_per_item(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    limits: Limits,
) -> int:
    """What each item of an item list costs beyond ``per_item_cost``: its nested lists (items
    under ``items`` of ``items_page`` and the like are found on the way down)."""
    cost = 0
    for node in iter_fields(selection_set, fragments):
        name = node.name.value
        if name in NESTED_LIST_FIELDS:
            cost += _nested_list_cost(node, fragments, variables, limits)
        elif name == "items" and not node.arguments:  # ItemsResponse.items: the page's items
            cost += _nested_per_item(node.selection_set, fragments, variables, limits)
    return cost


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
    """Rough static cost: a table per root field, a per-item page charge, and each item's nested
    lists (``subitems``, ``column_values``) priced by monday's weights times the items a page may hold."""
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
        cost += _nested_lists(node, fragments, variables, limits)
    return cost


def _nested_lists(
    node: FieldNode, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any], limits: Limits
) -> int:
    """Nested lists of every item list under ``node``, times the items the list may return."""
    name = node.name.value
    if name in ITEM_LIST_FIELDS and (name != "items" or node.arguments):
        size = _arg_int(node, "limit", variables, _arg_int(node, "ids", variables, 25))
        return size * _nested_per_item(node.selection_set, fragments, variables, limits)
    return sum(
        _nested_lists(child, fragments, variables, limits)
        for child in iter_fields(node.selection_set, fragments)
    )
