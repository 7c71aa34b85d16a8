{#- Check: staging's verdict on every ORDERS_UNIFIED row, computed once and stored narrow (the
    key, the flags, the reason), so that the checks over all 276 size columns run once per build
    while the wide lines stay a view. int_order_lines_valid and QUAR_ORDERS_UNIFIED read it. -#}
select
    record_uuid,
    aag_order_number,
    customer_name,
    is_missing_record_uuid,
    is_duplicate_record_uuid,
    is_missing_order_number,
    is_missing_customer_name,
    has_negative_qty,
    has_non_numeric_qty,
    quarantine_reason,
    is_valid
from {{ ref('stg_orders_unified') }}
