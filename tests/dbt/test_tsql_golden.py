"""Golden payloads for tricky rows, per engine, from one file (tests/golden/payloads.yml).

- DuckDB: the compiled DuckDB SQL of int_order_lines_hashed runs on the golden rows and must give
  exactly the pinned payload_hash and column_values.
- SQL Server: the pinned values are computed here in Python from the documented rendering
  (SHA-256 of the UTF-16LE bytes, because HASHBYTES hashes NVARCHAR as UTF-16; JSON strings as
  STRING_ESCAPE(..., 'json') writes them). They are UNVERIFIED against a real server (none runs
  here); what is checked is that the compiled T-SQL builds exactly that: HASHBYTES('SHA2_256')
  over CONCAT_WS of NVARCHAR(MAX) terms, every CONCAT/CONCAT_WS within SQL Server's 254
  arguments (chunked where needed), and every JSON value through STRING_ESCAPE(..., 'json').
- Both sets are also recomputed in Python from the rows, so the file and the rendering can't drift.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.dbt import payloads
from tests.dbt.payloads import snake
from tests.support.dbt import dbt
from tests.support.paths import GOLDEN, MONDAY_YML

MAPPING = yaml.safe_load(MONDAY_YML.read_text())
MODELS = ["int_order_lines_hashed", "STG_MON_CustMasterSchedule_Subitems", "stg_orders_unified",
          "WARN_ORDERS_UNIFIED"]  # fmt: skip
TABLE_COLUMNS = {
    "record_uuid": "varchar", "customer_name": "varchar", "aag_order_number": "varchar",
    "po_number": "varchar", "customer_season": "varchar", "aag_season": "varchar",
    "customer_style": "varchar", "style_description": "varchar", "customer_colour_description": "varchar",
    "order_type": "varchar", "order_status": "varchar", "order_date_po_received": "date",
    "ex_factory_date": "date", "eta_customer_warehouse_date": "date", "delivery_terms": "varchar",
    "planned_delivery_method": "varchar", "customer_price": "decimal(12, 2)", "total_qty": "integer",
    "notes": "varchar",
}  # fmt: skip


# --------------------------------------------------------------------------- the rendering in Python


def _blank(value: object) -> str | None:
    return None if value is None or str(value).strip(" ") == "" else str(value).strip(" ")


BLANKS = " \t\r\n\u00a0"  # trim_blank: spaces, tabs, CR/LF, no-break spaces
MARKER = "\u2026"  # '…'
ITEM_NAME_MAX, GROUP_TITLE_MAX, LONG_TEXT_MAX = 255, 255, 2000


def _label(value: object) -> str | None:
    """norm_text: trimmed of BLANKS, upper-cased, None when blank (same on both engines)."""
    text = None if value is None else str(value).strip(BLANKS).upper()
    return text or None


def _fit(text: str | None, limit: int) -> str | None:
    """fit_text: at most `limit` code points, else the first limit - 1 and '…' (both engines)."""
    return text if text is None or len(text) <= limit else text[: limit - 1] + MARKER


def _value_text(column_type: str, value: object) -> str | None:
    if value is None:
        return None
    if column_type == "numbers" and isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        return value
    return str(value)


def render(row: dict, engine: str) -> tuple[str, str]:
    """(payload_hash, column_values) for a row of int_order_lines_valid on `engine`."""
    items = MAPPING["items"]
    season = _label(row.get("customer_season")) or _label(row.get("aag_season"))
    group = " ".join(x for x in (_label(row.get("customer_name")), season) if x) or None
    group = _fit(group, GROUP_TITLE_MAX)
    name = " / ".join(p for p in (_blank(row.get(snake(s))) for s in items["name_from"]) if p) or None
    name = _fit(name, ITEM_NAME_MAX)
    columns = [items["sync_key"], *items["columns"]]
    values = [row["record_uuid"]] + [
        _fit(value, LONG_TEXT_MAX) if c["type"] == "long_text" else value
        for c in items["columns"]
        for value in [_value_text(c["type"], row.get(snake(c["source"])))]
    ]
    terms = [payloads.signature("item", columns), group, name, *values]
    return payloads.payload_hash(terms, engine), payloads.column_values(columns, values, engine)


def golden() -> dict:
    return yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- compiling


def _compile(work: Path, target: str) -> Path:
    dbt(
        "compile", "--target", target, "--no-populate-cache", "--select", *MODELS,
        "--vars", "{offline_compile: true}", "--no-partial-parse",
        work=work, db=work / "compile.duckdb", target=target,
    )  # fmt: skip
    return work / "target" / "compiled" / "order_sync" / "models"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {t: _compile(tmp_path_factory.mktemp(t), t) for t in ("duckdb", "sqlserver")}


def _model(compiled: dict[str, Path], target: str, name: str) -> str:
    return next(compiled[target].rglob(f"{name}.sql")).read_text()


# --------------------------------------------------------------------------- the checks


def test_golden_file_matches_the_documented_rendering() -> None:
    cases = golden()["items"]
    assert len(cases) >= 8
    for case in cases:
        for engine in ("duckdb", "sqlserver"):
            want = case["expect"][engine]
            assert render(case["row"], engine) == (want["payload_hash"], want["column_values"]), case["name"]
    hashes = [c["expect"]["duckdb"]["payload_hash"] for c in cases]
    assert len(set(hashes)) == len(hashes)  # NULL, '' and 'N' (and the rest) all differ


def test_duckdb_model_gives_the_golden_values(compiled: dict[str, Path]) -> None:
    sql = _model(compiled, "duckdb", "int_order_lines_hashed")
    cases = golden()["items"]
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"create table golden_lines ({', '.join(f'{c} {t}' for c, t in TABLE_COLUMNS.items())})")
        for case in cases:
            row = case["row"]
            con.execute(
                f"insert into golden_lines values ({', '.join('?' for _ in TABLE_COLUMNS)})",
                [row.get(c) for c in TABLE_COLUMNS],
            )
        relation = re.search(r'\S*"int_order_lines_valid"', sql)
        assert relation, sql[:2000]
        got = con.execute(
            f"select payload_hash, column_values from ({sql.replace(relation.group(0), 'golden_lines')}) "
            "order by record_uuid"
        ).fetchall()
    finally:
        con.close()
    want = [
        (c["expect"]["duckdb"]["payload_hash"], c["expect"]["duckdb"]["column_values"])
        for c in sorted(cases, key=lambda c: c["row"]["record_uuid"])
    ]
    assert got == want


def _calls(sql: str, function: str) -> list[list[str]]:
    """The top-level arguments of every call of `function` in sql (quotes and nesting respected)."""
    found = []
    for match in re.finditer(rf"\b{function}\s*\(", sql, re.I):
        depth, args, start, i, quoted = 1, [], match.end(), match.end(), False
        while depth:
            ch = sql[i]
            if quoted:
                if ch == "'" and sql[i + 1 : i + 2] == "'":
                    i += 1  # '' inside a literal
                elif ch == "'":
                    quoted = False
            elif ch == "'":
                quoted = True
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "," and depth == 1:
                args.append(sql[start:i].strip())
                start = i + 1
            i += 1
        args.append(sql[start : i - 1].strip())
        found.append(args)
    return found


def test_tsql_hash_and_json_are_built_as_documented(compiled: dict[str, Path]) -> None:
    sql = _model(compiled, "sqlserver", "int_order_lines_hashed").lower()
    hashes = _calls(sql, "hashbytes")
    assert len(hashes) == 1 and hashes[0][0] == "'sha2_256'"
    assert re.search(r"lower\(convert\(varchar\(64\), hashbytes\('sha2_256'", sql)
    (joined,) = _calls(hashes[0][1], "concat_ws")[:1]
    terms = 3 + 1 + len(MAPPING["items"]["columns"])  # signature, group, name, sync key, values
    assert joined[0] == "'|'" and len(joined) == terms + 1
    assert joined[1].startswith("cast(") and joined[1].endswith("as nvarchar(max))")
    assert all(t.startswith("coalesce(replace(replace(") and t.endswith("'\\n')") for t in joined[2:])
    # column_values: one CONCAT, NVARCHAR(MAX) first, every value through STRING_ESCAPE(..., 'json').
    escapes = _calls(sql, "string_escape")
    assert len(escapes) == 1 + len(MAPPING["items"]["columns"])
    assert all(args[1] == "'json'" for args in escapes)
    assert "cast(n'\"' as nvarchar(max))" in sql
    for function in ("concat", "concat_ws"):
        for args in _calls(sql, function):
            assert len(args) <= 254


def test_tsql_subitem_outbox_hashes_only_what_it_sends(compiled: dict[str, Path]) -> None:
    """No hash per subitem: the outbox hashes its create and update rows (the documented subitem
    terms) and finds updates by comparing the confirmed column_values with the JSON it sends."""
    sql = _model(compiled, "sqlserver", "STG_MON_CustMasterSchedule_Subitems").lower()
    hashes = _calls(sql, "hashbytes")
    assert len(hashes) == 2 and all(h[0] == "'sha2_256'" for h in hashes)
    assert all("n'subitem;sync_key:text;size:text;qty:numbers'" in h[1] for h in hashes)
    assert "sizes_hashed" not in sql and "int_order_sizes_unpivoted" in sql
    update = sql[sql.index("updates as (") : sql.index("deletes as (")]
    changed = (
        r"where \(confirmed\.column_values is null\s+"
        r"or \(confirmed\.column_values collate latin1_general_100_bin2\) <> concat\("
    )
    assert re.search(changed, update)


def test_tsql_concat_ws_is_chunked_within_254_arguments(compiled: dict[str, Path]) -> None:
    """The quarantine reasons join a term per size column (276): CONCAT_WS must be chunked."""
    sql = _model(compiled, "sqlserver", "stg_orders_unified").lower()
    calls = _calls(sql, "concat_ws")
    assert calls and max(len(a) for a in calls) <= 254
    assert any(len(a) > 100 for a in calls), "expected a CONCAT_WS over many size columns"
    chunk_starts = ("nullif(concat_ws(", "cast(nullif(concat_ws(")
    nested = [a for a in calls if sum(x.startswith(chunk_starts) for x in a) >= 2]
    assert nested, "276 size terms must be split into chunks joined by an outer CONCAT_WS"
    for args in calls:
        assert args[1].startswith("cast(") and args[1].endswith("as nvarchar(max))"), args[1][:200]
    for args in _calls(sql, "concat"):
        assert len(args) <= 254


def test_tsql_text_rules_are_pinned(compiled: dict[str, Path]) -> None:
    """One rule on both engines, made explicit for SQL Server whatever the database's collation:
    lengths and cuts in code points including trailing spaces (an _SC collation, LEN of value + '.'),
    labels trimmed of spaces, tabs, CR/LF and no-break spaces and upper-cased under a fixed
    collation, handed back in the database default one (no collation conflicts with the push log),
    keys compared with configured values under BIN2 (as DuckDB compares), the uuid lower-cased and
    blank -> NULL, text sizes checked in ASCII digits only."""
    hashed = _model(compiled, "sqlserver", "int_order_lines_hashed").lower()
    blanks = "trim(concat(nchar(32), nchar(9), nchar(10), nchar(13), nchar(160)) from "
    length = "(len((cast({} as nvarchar(max)) + n'.') collate latin1_general_100_cs_as_sc) - 1)"
    cut = "left(cast({} as nvarchar(max)) collate latin1_general_100_cs_as_sc, {}) collate database_default"
    fold = re.compile(
        r"upper\(cast\(" + re.escape(blanks) + r"[^)]*\) as nvarchar\(4000\)\)"
        r" collate latin1_general_100_cs_as_sc\) collate database_default"
    )
    assert length.format("notes") in hashed and cut.format("notes", 1999) in hashed
    name_and_group = " collate latin1_general_100_cs_as_sc, 254) collate database_default"
    assert hashed.count(name_and_group) == 2
    assert "n'…'" in hashed
    assert len(fold.findall(hashed)) >= 3  # customer, customer season, aag season (and the status)
    assert re.search(r"collate latin1_general_100_bin2\) in \(n'cancelled', n'canceled'\)", hashed)
    staging = _model(compiled, "sqlserver", "stg_orders_unified").lower()
    assert f"nullif({blanks}lower(convert(varchar(36), \"record_uuid\"))), '')" in staging
    assert "collate latin1_general_100_bin2 not like '%[^0-9+-]%'" in staging
    warn = _model(compiled, "sqlserver", "WARN_ORDERS_UNIFIED").lower()
    assert warn.count(length.format("notes")) == 1 and "> 2000" in warn and "> 255" in warn
