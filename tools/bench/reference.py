"""The transform of the dbt models in plain pandas + hashlib, for `make bench-transform`, and the
check that it computed exactly what dbt did: staging with every quarantine rule, the labels
(customer, season, group title trimmed and upper-cased), values cut to monday's limits with '…',
each item's payload and SHA-256 hash, and the size melt to (record_uuid, size, qty > 0)."""

from __future__ import annotations

import hashlib
import json
import time

import duckdb
import yaml

from tools.bench.common import REPO, peak_memory_mb

# What the labels are trimmed of (trim_blank, macros/dialect/text_rules.sql); DuckDB's plain
# trim()/ltrim()/rtrim() (item name parts, text sizes) trim spaces only.
BLANKS = " \t\n\r\u00a0"
# Monday's limits (macros/payload/monday_limits.sql): values over them are sent cut with '…'.
ITEM_NAME_LIMIT, GROUP_TITLE_LIMIT, LONG_TEXT_LIMIT = 255, 255, 2000
# Staging's types of the mapped number columns (stg_orders_unified.sql): digits after the point.
NUMBER_SCALE = {"CUSTOMER PRICE": 2, "ORDER_QTY": 0, "TOTAL_QTY": 0}


def _render_terms(terms: list) -> str:
    """macros/payload/payload_hash.sql: NULL -> \\N, '\\' -> '\\\\', '|' -> '\\|', joined by '|'."""
    return "|".join("\\N" if t is None else t.replace("\\", "\\\\").replace("|", "\\|") for t in terms)


def _signature(entity: str, part: dict) -> str:
    return ";".join([entity, *(f"{c['id']}:{c['type']}" for c in [part["sync_key"], *part["columns"]])])


def _fit(value: str | None, limit: int) -> str | None:
    """fit_text: a value over `limit` code points is cut to limit - 1 and '…'."""
    return value if value is None or len(value) <= limit else value[: limit - 1] + "\u2026"


def pandas_transform(db: str, chunk_rows: int, out: str | None = None) -> dict:
    """What the dbt models compute, in plain pandas + hashlib (no SQL after loading the table):
    staging (legacy text sizes typed, every quarantine rule), the item payload (labels, group
    title, item name, limits, column_values JSON, payload_hash) of every valid line, and the size
    melt (record_uuid, size, qty > 0). The melt runs `chunk_rows` lines at a time: one melt of
    1,000,000 x 276 would hold 276 million rows. Returns timings and peak memory; with `out`, it
    then (untimed) writes its items and subitems to Parquet files for the agreement check."""
    import numpy as np
    import pandas as pd

    from tools.reference_layout import read_layout, size_columns

    mapping = yaml.safe_load((REPO / "monday.yml").read_text())
    items = mapping["items"]
    sizes = size_columns(read_layout())
    t0 = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    df = con.execute("SELECT * FROM dbo.ORDERS_UNIFIED").df()
    con.close()
    t1 = time.perf_counter()

    def norm(series: pd.Series) -> pd.Series:
        """norm_text: trimmed of BLANKS, upper-cased, NULL when blank."""
        s = series.astype("string").str.strip(BLANKS).str.upper()
        return s.where(s.ne(""))

    # staging: type the sizes, apply every quarantine rule
    qty = {}
    non_numeric = pd.Series(False, index=df.index)
    for col in sizes:
        raw = df[col.name]
        if col.is_text:
            trimmed = raw.astype("string").str.strip(" ")
            number = pd.to_numeric(trimmed.where(trimmed.str.fullmatch(r"[+-]?[0-9]+").fillna(False)))
            typed = number.where(number.abs() <= 2**31 - 1)  # beyond INT: NULL, as try_cast
            qty[col.name] = typed
            non_numeric |= (trimmed.fillna("").ne("") & typed.isna()).astype(bool)
        else:
            qty[col.name] = raw
    qty = pd.DataFrame(qty)
    uuid = df["record_uuid"].astype(str).where(df["record_uuid"].notna()).str.lower().str.strip(BLANKS)
    uuid = uuid.where(uuid.ne(""))
    invalid = (
        uuid.isna()
        | (uuid.map(uuid.value_counts()).fillna(1) > 1)
        | norm(df["AAG ORDER NUMBER"]).isna()
        | norm(df["CUSTOMER NAME"]).isna()
        | (qty < 0).any(axis=1)
        | non_numeric
    )
    valid = ~invalid.astype(bool)

    # items: labels, group title, name, column_values JSON, payload_hash
    lines = df[valid]
    parts = []
    for c in items["name_from"]:
        s = lines[c].astype("string").str.strip(" ")
        parts.append(s.where(s.ne("")).tolist())
    item_name = [
        _fit(" / ".join(p for p in ps if p is not pd.NA) or None, ITEM_NAME_LIMIT)
        for ps in zip(*parts, strict=True)
    ]
    season = norm(lines["CUSTOMER SEASON"]).fillna(norm(lines["AAG SEASON"]))
    customer = norm(lines["CUSTOMER NAME"])
    group_title = [
        _fit(" ".join(p for p in pair if p is not pd.NA) or None, GROUP_TITLE_LIMIT)
        for pair in zip(customer, season, strict=True)
    ]
    keys = uuid[valid].tolist()
    values = [keys]
    for c in items["columns"]:
        s = lines[c["source"]]
        if c["type"] == "date":
            values.append([None if pd.isna(v) else v.date().isoformat() for v in s])
        elif c["type"] == "numbers":
            digits = NUMBER_SCALE[c["source"]]
            values.append([None if pd.isna(v) else f"{v:.{digits}f}" for v in s])
        elif c["type"] == "long_text":
            values.append([None if v is None or v != v else _fit(v, LONG_TEXT_LIMIT) for v in s.tolist()])
        else:
            values.append([None if v is None or v != v else v for v in s.tolist()])
    columns = [items["sync_key"], *items["columns"]]
    wrap = {"date": "date", "status": "label", "long_text": "text"}
    signature = _signature("item", items)
    item_hashes = []
    for g, n, *vals in zip(group_title, item_name, *values, strict=True):
        obj = {}
        for column, v in zip(columns, vals, strict=True):
            t = column["type"]
            obj[column["id"]] = (
                None
                if v is None
                else {"labels": [v]}
                if t == "dropdown"
                else {wrap[t]: v}
                if t in wrap
                else v
            )
        json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        item_hashes.append(hashlib.sha256(_render_terms([signature, g, n, *vals]).encode()).hexdigest())

    # subitems: melt the typed sizes to (record_uuid, size, qty > 0); no hash (issue 13)
    typed = qty[valid].assign(record_uuid=keys)
    melted_parts = []
    for start in range(0, len(typed), chunk_rows):
        melted = typed.iloc[start : start + chunk_rows].melt(
            id_vars="record_uuid", var_name="size", value_name="qty"
        )
        melted_parts.append(melted[melted["qty"] > 0])
    subitems = pd.concat(melted_parts, ignore_index=True) if melted_parts else pd.DataFrame()
    t2 = time.perf_counter()
    peak_mb = peak_memory_mb()
    result = {"load_s": t1 - t0, "compute_s": t2 - t1, "wall_s": t2 - t0, "peak_mb": peak_mb,
              "items": len(item_hashes), "subitems": len(subitems)}  # fmt: skip
    if out:
        item_frame = pd.DataFrame({"record_uuid": keys, "payload_hash": item_hashes})
        sub_frame = subitems.assign(qty=subitems["qty"].astype(np.int64)) if len(subitems) else subitems
        con = duckdb.connect()
        con.register("item_frame", item_frame)
        con.register("sub_frame", sub_frame)
        con.execute(f"COPY item_frame TO '{out}.items.parquet' (FORMAT parquet)")
        con.execute(
            "COPY (SELECT record_uuid::VARCHAR AS record_uuid, size::VARCHAR AS size, qty::BIGINT AS qty "
            f"FROM sub_frame) TO '{out}.subitems.parquet' (FORMAT parquet)"
        )
        con.close()
    return result


def same_as_dbt(db: str, out: str) -> dict:
    """Rows only in dbt's output and rows only in the pandas one (EXCEPT ALL both ways): items by
    (record_uuid, payload_hash) against int_order_lines_hashed, subitems by (record_uuid, size,
    qty) against int_order_sizes_unpivoted (the subitem grain; no subitem hash is needed)."""
    con = duckdb.connect(db, read_only=True)
    checks = {
        "items": (
            "SELECT record_uuid::VARCHAR, payload_hash FROM main.int_order_lines_hashed",
            f"SELECT record_uuid, payload_hash FROM '{out}.items.parquet'",
        ),
        "subitems": (
            "SELECT record_uuid::VARCHAR, size::VARCHAR, qty::BIGINT FROM main.int_order_sizes_unpivoted",
            f"SELECT record_uuid, size, qty FROM '{out}.subitems.parquet'",
        ),
    }
    report = {}
    try:
        for what, (dbt_sql, pandas_sql) in checks.items():
            try:
                only_dbt = con.execute(
                    f"SELECT count(*) FROM ({dbt_sql} EXCEPT ALL {pandas_sql})"
                ).fetchone()[0]
                only_pd = con.execute(f"SELECT count(*) FROM ({pandas_sql} EXCEPT ALL {dbt_sql})").fetchone()[
                    0
                ]
                report[what] = {"only_dbt": only_dbt, "only_pandas": only_pd}
            except duckdb.Error as exc:
                report[what] = {"error": str(exc).splitlines()[0]}
    finally:
        con.close()
    return report


def agreement_text(pandas: dict, report: dict) -> str:
    texts = []
    for what in ("items", "subitems"):
        r = report[what]
        if "error" in r:
            texts.append(f"{what}: not compared ({r['error']})")
        elif r["only_dbt"] == 0 and r["only_pandas"] == 0:
            texts.append(f"{pandas[what]:,} {what} identical to dbt's")
        else:
            texts.append(
                f"{what} DIFFERENT from dbt's ({r['only_dbt']:,} rows only in dbt, "
                f"{r['only_pandas']:,} only in pandas: unfair comparison)"
            )
    return "; ".join(texts)


# --------------------------------------------------------------------------- printing
