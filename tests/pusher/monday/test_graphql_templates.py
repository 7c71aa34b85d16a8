"""Every document the pusher can send validates against monday's published schema (2026-10),
and no value travels in the document text: values are GraphQL variables only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    Visitor,
    build_schema,
    parse,
    validate,
    visit,
)

from pusher.bulk import jobs as bulk_jobs
from pusher.monday import operations as ops
from pusher.monday.operations import Op
from pusher.monday.templates import OPERATIONS, render
from tests.sandbox.resolvers import schema_path
from tests.support.paths import REPO

SDL = schema_path()


MUTATIONS = (
    "create_items",
    "create_subitems",
    "update_items",
    "update_subitems",
    "delete_subitems",
    "archive_items",
    "create_group",
)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(SDL.read_text(encoding="utf-8"))


def _op(i: int, **kw: Any) -> Op:
    """An op whose every value is a unique marker, so a leak into the text is easy to spot."""
    values = {"sync_key": f"syncKEY-{i}-7f3a", "ex_factory": {"date": "2031-07-0" + str(i % 9 + 1)}}
    base: dict[str, Any] = {
        "entity": "item",
        "operation": "create",
        "sync_key": f"syncKEY-{i}-7f3a",
        "payload_hash": f"{i:064x}",
        "group_title": f"GROUP-TITLE-{i}-MARKER",
        "item_name": f"ITEM-NAME-{i}-MARKER / STYLE X",
        "column_values": json.dumps(values),
        "send_values": json.dumps(values),
        "monday_id": str(7_700_000_000 + i),
        "monday_parent_id": str(8_800_000_000 + i),
        "monday_group_id": f"group_mkMARKER{i}",
    }
    base.update(kw)
    return Op(**base)


def requests_for(n: int) -> list[ops.Request]:
    """Every request shape the pusher builds, for ``n`` rows."""
    out = [
        ops.build("create_items", [_op(i) for i in range(n)], "9001"),
        ops.build("create_subitems", [_op(i, entity="subitem") for i in range(n)]),
        # updates: values only, a move only, and both
        ops.build("update_items", [_op(i, operation="update") for i in range(n)], "9001"),
        ops.build(
            "update_items",
            [_op(i, operation="update", send_values=None, move=True) for i in range(n)],
            "9001",
        ),
        ops.build("update_items", [_op(i, operation="update", move=i % 2 == 0) for i in range(n)], "9001"),
        ops.build(
            "update_subitems", [_op(i, entity="subitem", operation="update") for i in range(n)], "9002"
        ),
        ops.build("delete_subitems", [_op(i, entity="subitem", operation="delete") for i in range(n)]),
        ops.build("archive_items", [_op(i, operation="archive") for i in range(n)]),
        ops.build("create_group", [_op(i, entity="group") for i in range(n)], "9001"),
        ops.read_board(["9001", "9002"][: max(1, min(n, 2))]),
        ops.find_by_sync_key("9001", "sync_key", [f"syncKEY-{i}-7f3a" for i in range(n)]),
        # reconcile (issue 21): a board's pages as they are, and where missing items went
        ops.read_board_items("9001", 500, ["sync_key", "price"]),
        ops.read_board_items("9001", 500, ["sync_key"], cursor="CURSOR-MARKER"),
        ops.read_board_subitems("9002", 500, ["sync_key", "qty"]),
        ops.read_board_subitems("9002", 500, ["qty"], cursor="CURSOR-MARKER"),
        ops.item_states([str(7_700_000_000 + i) for i in range(n)]),
        # the bulk path (issue 11): import jobs, their status, bulk archive / delete and theirs
        bulk_jobs.start_request("ingest", "9001", "group_mkMARKER0"),
        bulk_jobs.start_request("backfill", "9001", "group_mkMARKER0"),
        bulk_jobs.import_status_request([f"JOB-ID-MARKER-{i}" for i in range(max(1, n))]),
        bulk_jobs.removal_request("archive", "9001", [str(7_700_000_000 + i) for i in range(n)]),
        bulk_jobs.removal_request("delete", "9001", [str(7_700_000_000 + i) for i in range(n)]),
        bulk_jobs.status_request("job_status", "JOB-ID-MARKER-2"),
    ]
    return out


def _literals(document: DocumentNode) -> list[ValueNode]:
    """Every scalar literal written into the text (inside arguments, lists and input objects)."""
    found: list[ValueNode] = []

    class Collect(Visitor):
        def enter(self, node: Any, *_: Any) -> None:
            if isinstance(node, ValueNode) and not isinstance(
                node, ListValueNode | ObjectValueNode | VariableNode
            ):
                found.append(node)

    visit(document, Collect())
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, str):
        return [value, *(_strings(json.loads(value)) if value.startswith("{") else [])]
    return [str(value)] if value is not None else []


def test_every_operation_has_a_template() -> None:
    for name in OPERATIONS + bulk_jobs.BULK_OPERATIONS:
        assert (REPO / "graphql" / f"{name}.graphql.j2").is_file(), name


@pytest.mark.parametrize("n", [1, 2, 7])
def test_documents_validate_against_the_schema(schema: GraphQLSchema, n: int) -> None:
    for request in requests_for(n):
        document = parse(request.document)
        errors = validate(schema, document)
        assert not errors, (request.operation, n, [e.message for e in errors], request.document)
        # every declared variable is provided, and nothing more
        op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        declared = {v.variable.name.value for v in op.variable_definitions}
        assert declared == set(request.variables), request.operation


@pytest.mark.parametrize("n", [1, 3])
def test_no_value_is_pasted_into_the_text(n: int) -> None:
    for request in requests_for(n):
        document = parse(request.document)
        # Only structural constants may be literals (create_labels_if_missing: true).
        literals = _literals(document)
        if request.operation == "create_items":  # the visitor does see literals
            assert len(literals) == n
        for literal in literals:
            assert isinstance(literal, BooleanValueNode), (request.operation, literal)
            assert not isinstance(literal, StringValueNode)
        for value in _strings(request.variables):
            if len(value) >= 4:  # short ids like "9001" are checked via the AST above
                assert value not in request.document, (request.operation, value)


@pytest.mark.parametrize("n", [1, 4])
def test_mutations_ask_for_complexity_and_alias_every_row(n: int) -> None:
    for request in requests_for(n):
        document = parse(request.document)
        op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        roots = [f for f in op.selection_set.selections if isinstance(f, FieldNode)]
        assert any(f.name.value == "complexity" for f in roots), request.operation
        if request.mutation:
            assert op.operation.value == "mutation"
            aliases = {f.alias.value for f in roots if f.alias}
            for keys in request.aliases:
                assert set(keys) <= aliases
            assert sum(len(k) for k in request.aliases) == len(aliases)


def test_update_template_moves_only_rows_whose_group_changed() -> None:
    request = ops.build(
        "update_items",
        [_op(0, operation="update"), _op(1, operation="update", move=True)],
        "9001",
    )
    assert request.aliases == [("u0",), ("u1", "m1")]
    assert "move_item_to_group" in request.document and "m0:" not in request.document
    assert request.variables["g1"] == "group_mkMARKER1" and "g0" not in request.variables


def test_templates_refuse_values_in_their_context() -> None:
    with pytest.raises(TypeError):
        render("create_items", [{"name": "a value"}])
    for name in MUTATIONS:
        assert render(name, 1).startswith("mutation")


# ------------------------------------------------ operator commands: check, board create
class _RecordingClient:
    """Answers every document with ids, and keeps what ``check`` / ``board create`` would send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], bool]] = []

    def redact(self, text: Any) -> str:
        return str(text)

    def execute(self, query: str, variables: Any, *, mutation: bool, **_: Any) -> Any:
        from pusher.monday.client import Response

        self.sent.append((query, dict(variables), mutation))
        document = parse(query)
        op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        data: dict[str, Any] = {}
        for f in op.selection_set.selections:
            key = f.alias.value if f.alias else f.name.value
            data[key] = {"id": str(4200 + len(self.sent)), "board": {"id": "4299"}}
        data["boards"] = []
        return Response(200, data, [], None)


def test_operator_documents_validate_and_carry_values_as_variables(schema: GraphQLSchema) -> None:
    import yaml

    from pusher.commands.board_create import EXTRA_OPERATIONS, provision
    from pusher.commands.check import run_check

    for name in EXTRA_OPERATIONS:
        assert (REPO / "graphql" / f"{name}.graphql.j2").is_file(), name
    config = yaml.safe_load((REPO / "monday.yml").read_text(encoding="utf-8"))
    client = _RecordingClient()
    provision(client, config, "BOARD-NAME-MARKER-77", workspace_id="555001")
    run_check(client, config)
    fields = {
        f for q, _, _ in client.sent for f in ("create_board", "create_column", "me", "boards") if f in q
    }
    assert fields == {"create_board", "create_column", "me", "boards"}
    _assert_valid_with_variables(schema, client.sent)


def test_board_maker_documents_validate_and_carry_values_as_variables(schema: GraphQLSchema) -> None:
    """Boards made on demand: list boards by page and workspace, read a board's layout, duplicate a
    template, create a board in a folder, and sweep placeholder items."""
    from pusher.boards import setup as board_setup

    client = _RecordingClient()
    assert board_setup.find_boards(client, "BOARD-NAME-MARKER-91", workspace_id="555001") == []
    board_setup.duplicate_board(
        client, "5001", "BOARD-NAME-MARKER-92", workspace_id="555001", folder_id="555002"
    )
    board_setup.create_board(client, "BOARD-NAME-MARKER-93", workspace_id="555001", folder_id="555002")
    with pytest.raises(board_setup.SetupFailed, match="not found"):
        board_setup.read_layout(client, "4299")
    board_setup.remove_placeholders(client, "4299", "sync_key")
    sent = [q for q, _, _ in client.sent]
    for root in ("boards(limit:", "duplicate_board(", "create_board(", "columns { id title type settings }"):
        assert any(root in q for q in sent), root
    workspaces = next(v for q, v, _ in client.sent if "ListBoards" in q)
    assert workspaces == {"limit": 100, "page": 1, "workspaces": ["555001"], "state": "active"}
    _assert_valid_with_variables(schema, client.sent)


def _assert_valid_with_variables(schema: GraphQLSchema, sent: list[tuple[str, dict[str, Any], bool]]) -> None:
    for query, variables, mutation in sent:
        document = parse(query)
        errors = validate(schema, document)
        assert not errors, ([e.message for e in errors], query)
        op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        assert {v.variable.name.value for v in op.variable_definitions} == set(variables), query
        assert (op.operation.value == "mutation") == mutation
        for literal in _literals(document):
            assert isinstance(literal, BooleanValueNode), (query, literal)
        for value in _strings(variables):
            if len(value) >= 4:
                assert value not in query, value


def test_an_installed_pusher_finds_its_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pip install .` (not editable) ships the templates as data files; outside a checkout the
    pusher renders from that copy, and with neither it says where it looked and what to do."""
    from pusher.monday import templates

    repo = Path(templates.__file__).resolve().parents[2]
    # [tool.setuptools.data-files] "share/..." = ["graphql/*..."] (tomllib is 3.11+, we allow 3.10)
    section = (repo / "pyproject.toml").read_text().split("[tool.setuptools.data-files]", 1)[1]
    line = next(x for x in section.splitlines() if x.startswith('"'))
    target, patterns = json.loads(line.split(" = ", 1)[0]), json.loads(line.split(" = ", 1)[1])
    assert Path(target).parts[-3:] == templates.INSTALLED_DIR.parts[-3:]
    shipped = {p.name for pattern in patterns for p in repo.glob(pattern)}
    assert {p.name for p in (repo / "graphql").iterdir() if p.name.endswith(templates.SUFFIX)} <= shipped

    installed = tmp_path / "share" / "order-sync" / "graphql"
    installed.mkdir(parents=True)
    for name in shipped:
        (installed / name).write_text((repo / "graphql" / name).read_text())
    monkeypatch.delenv("ORDER_SYNC_GRAPHQL_DIR", raising=False)
    monkeypatch.setattr(templates, "TEMPLATE_DIR", tmp_path / "no-checkout")
    monkeypatch.setattr(templates, "INSTALLED_DIR", installed)
    assert templates.template_dir() == installed
    assert "create_item" in render("create_items", 2)

    monkeypatch.setattr(templates, "INSTALLED_DIR", tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match="ORDER_SYNC_GRAPHQL_DIR"):
        templates.template_dir()
