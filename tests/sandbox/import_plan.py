"""What an import job does with its file: the checks before processing, then one row at a time.

``plan`` runs once the file is uploaded: it rejects the job (failure_reason + message) or fills
the validation results, resolves ``on_match`` and leaves the rows to run as steps. ``run_steps``
creates and updates items through the same state methods the mutations use, so imported items
count toward the board limit, reach the value index and read back exactly like created ones.
"""

from __future__ import annotations

from typing import Any

from .errors import MondayError
from .import_csv import InvalidUpload, ParsedFile, Row, parse_upload
from .import_job import COMPLETED, FAILED, PROCESSING, ImportJob, RowResult, Step
from .import_values import row_values
from .limits import Limits
from .state import ITEM_NAME_MAX, SandboxState

MATCH_TYPES = frozenset({"email", "phone", "text", "name", "numbers", "link", "date", "long_text", "status"})


def _columns(board: dict[str, Any] | None) -> dict[str, dict[str, Any]] | None:
    if board is None:
        return None
    return {c["id"]: c for c in board["columns"] if c["id"] != "name"}


def _validate(job: ImportJob, parsed: ParsedFile, columns: dict[str, Any], sub_columns: Any) -> None:
    """Fill ``job.results`` for invalid rows and ``job.steps`` for the rest, in file order."""
    upsert = bool(job.on_match and job.on_match["behaviour"] == "UPSERT")
    bad_parents: set[int] = set()
    for row in parsed.rows:
        result: RowResult | None = None
        name_header = parsed.header_text("name", row.subitem)
        if row.subitem and row.parent in bad_parents:
            result = RowResult("validation_error", message=f"Item row {row.parent} is invalid: no subitems")
        elif row.error:
            errs = {row.error_column: row.error} if row.error_column else {}
            result = RowResult("validation_error", message=None if errs else row.error, column_errors=errs)
        elif len(row.name) > ITEM_NAME_MAX:
            msg = f"Item name is longer than {ITEM_NAME_MAX} characters"
            result = RowResult("validation_error", column_errors={name_header: msg})
        else:
            values, errors = row_values(sub_columns if row.subitem else columns, row.cells, upsert=upsert)
            if errors:
                result = RowResult(
                    "validation_error",
                    column_errors={parsed.header_text(c, row.subitem): m for c, m in errors.items()},
                )
            else:
                action = "subitem" if row.subitem else "create"
                job.steps.append(Step(row.serial, action, row.name, values, parent=row.parent))
        if result is not None:
            job.results[row.serial] = result
            if not row.subitem:
                bad_parents.add(row.serial)


def _match_key(row: Row, column_id: str) -> str:
    return row.name if column_id == "name" else row.cells.get(column_id, "").strip()


def _existing(state: SandboxState, board_id: str, column_id: str, key: str) -> str | None:
    """The most recently created active item on the board whose ``column_id`` reads ``key``."""
    spec = [{"column_id": column_id, "column_values": [key]}]
    found = state.find_by_values(board_id, spec)
    if found is None:
        found = []
        for item in state.board_items(board_id):
            stored = item["column_values"].get(column_id)
            also = [stored.get(k) for k in ("email", "url", "phone")] if isinstance(stored, dict) else []
            if state.column_text(item, column_id) == key or key in also:
                found.append(item)
    return found[-1]["id"] if found else None


def _match(job: ImportJob, state: SandboxState, parsed: ParsedFile) -> None:
    """Resolve on_match: the last row of a match value wins, earlier ones are skipped; a matched
    row is skipped (SKIP) or becomes an update of the most recently created match (UPSERT)."""
    assert job.on_match is not None
    column_id, behaviour = job.on_match["match_column_id"], job.on_match["behaviour"]
    rows = {r.serial: r for r in parsed.rows}
    last: dict[str, int] = {}
    for step in job.steps:
        key = _match_key(rows[step.serial], column_id)
        if key:
            last[key] = step.serial
    kept: list[Step] = []
    for step in job.steps:
        key = _match_key(rows[step.serial], column_id)
        if key and last[key] != step.serial:
            job.results[step.serial] = RowResult(
                "skipped", message=f"Row {last[key]} has the same match value"
            )
            continue
        target = _existing(state, job.board_id, column_id, key) if key else None
        if target is not None and behaviour == "SKIP":
            job.results[step.serial] = RowResult(
                "skipped", item_id=target, message="Matched an existing item"
            )
            continue
        if target is not None:
            step.action, step.target = "update", target
        kept.append(step)
    job.steps = kept


def _capacity(job: ImportJob, state: SandboxState, board: dict[str, Any]) -> str | None:
    limit = state.max_items_per_board
    if not limit:
        return None
    new_items = sum(1 for s in job.steps if s.action == "create")
    new_subs = sum(1 for s in job.steps if s.action == "subitem")
    for bid, new, what in (
        (board["id"], new_items, "items"),
        (board.get("subitem_board_id"), new_subs, "subitems"),
    ):
        have = state.count_items(bid) if bid else 0
        if new and have + new > limit:
            return (
                f"Board {bid} holds {have:,} {what} (archived included); {new:,} more would pass "
                f"the limit of {limit:,} items per board"
            )
    return None


def plan(job: ImportJob, state: SandboxState, limits: Limits, budget_left: int | None, now: float) -> int:
    """Check the uploaded file and set the job REJECTED or PROCESSING; return rows to reserve."""
    try:
        board = state.board(job.board_id)
        state.group(board, job.group_id)
    except MondayError:
        job.reject("INTERNAL_ERROR", None)
        return 0
    if job.kind == "backfill" and not job.is_admin:
        job.reject("PERMISSION_DENIED", "backfill_items needs an account admin's token")
        return 0
    assert job.data is not None
    if len(job.data) > limits.import_max_file_bytes:
        job.reject("FILE_TOO_LARGE", f"The file has {len(job.data):,} bytes; the maximum is 150 MB")
        return 0
    sub_board = state.boards.get(board.get("subitem_board_id") or "")
    columns, sub_columns = _columns(board), _columns(sub_board)
    assert columns is not None
    try:
        parsed = parse_upload(job.data, columns, sub_columns)
        max_rows = limits.ingest_max_rows if job.kind == "ingest" else limits.backfill_max_rows
        if max_rows and len(parsed.rows) > max_rows:
            raise InvalidUpload(
                f"The file has {len(parsed.rows):,} rows; {job.kind}_items takes at most {max_rows:,} "
                "(items and subitems combined)"
            )
        if job.on_match and parsed.has_subitems:
            raise InvalidUpload(
                "on_match can't be used with subitem rows: imports with subitems are create-only"
            )
        if job.on_match and job.on_match["match_column_id"] not in [h.column_id for h in parsed.headers]:
            raise InvalidUpload(f'The match column "{job.on_match["match_column_id"]}" is not in the header')
    except InvalidUpload as exc:
        job.reject("INVALID_UPLOAD", str(exc))
        return 0
    job.parsed = parsed
    _validate(job, parsed, columns, sub_columns)
    if job.on_match:
        _match(job, state, parsed)
    statuses = [r.status for r in job.results.values()]
    job.counts.update(
        submitted=len(parsed.rows),
        invalid=statuses.count("validation_error"),
        skipped=statuses.count("skipped"),
    )
    full = _capacity(job, state, board)
    if full is not None:
        job.reject("BOARD_CAPACITY_EXCEEDED", full)
        return 0
    valid = job.counts["submitted"] - job.counts["invalid"]
    if job.kind == "ingest" and budget_left is not None and valid > budget_left:
        job.reject(
            "ACCOUNT_CAPACITY_EXCEEDED",
            f"The job has {valid:,} valid rows; the account's hourly budget of "
            f"{limits.ingest_items_per_hour:,} items has {budget_left:,} left",
        )
        return 0
    job.status, job.started_at = PROCESSING, job.uploaded_at or now
    return valid if job.kind == "ingest" else 0


def _run_one(job: ImportJob, state: SandboxState, step: Step) -> None:
    try:
        if step.action == "create":
            item = state.create_item(job.board_id, step.name, step.values, job.group_id)
        elif step.action == "update":
            values = {"name": step.name, **step.values} if step.name else step.values
            item = state.change_column_values(job.board_id, step.target, values)
        else:
            parent = job.results.get(step.parent or 0)
            if parent is None or parent.status != "success" or not parent.item_id:
                raise MondayError(f"Item row {step.parent} was not created", "ParentNotCreated")
            item = state.create_subitem(parent.item_id, step.name, step.values)
    except MondayError as exc:
        job.results[step.serial] = RowResult("failed", message=exc.message)
        job.counts["failed"] += 1
        job.release(1)
        return
    job.results[step.serial] = RowResult("success", item_id=item["id"])
    job.counts["updated" if step.action == "update" else "created"] += 1


def fail(job: ImportJob) -> None:
    """FAILED with INTERNAL_ERROR: what was created stays, the rest of the rows fail."""
    rest = job.steps[job.done :]
    for step in rest:
        job.results[step.serial] = RowResult("failed", message="INTERNAL_ERROR")
    job.counts["failed"] += len(rest)
    job.release(len(rest))
    job.done = len(job.steps)
    job.status, job.failure_reason, job.failure_message = FAILED, "INTERNAL_ERROR", None


def run_steps(job: ImportJob, state: SandboxState, due: int, max_steps: int) -> int:
    """Run the job's steps up to ``due`` (at most ``max_steps`` now); return how many ran."""
    ran = 0
    while job.done < min(due, len(job.steps)) and ran < max_steps:
        if job.fail_after is not None and job.done >= job.fail_after:
            fail(job)
            return ran
        if job.stall_after is not None and job.done >= job.stall_after:
            return ran
        _run_one(job, state, job.steps[job.done])
        job.done += 1
        ran += 1
    if job.done >= len(job.steps) and job.status == PROCESSING:
        if job.fail_after is not None:
            fail(job)
        elif job.stall_after is None:
            job.status = COMPLETED
    return ran
