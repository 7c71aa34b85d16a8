{#- Source rows kept out of the sync, with the reason a planner can act on: only rows monday
    cannot represent (no record_uuid or a blank one, a repeated one, no order number, no
    customer, a bad quantity). Values over monday's limits are sent cut and listed in
    WARN_ORDERS_UNIFIED instead. A quarantined line already on monday stays there unchanged (it
    is neither updated nor archived). -#}
select
    record_uuid,
    aag_order_number as {{ adapter.quote('AAG ORDER NUMBER') }},
    customer_name as {{ adapter.quote('CUSTOMER NAME') }},
    quarantine_reason as reason,
    is_missing_record_uuid,
    is_duplicate_record_uuid,
    is_missing_order_number,
    is_missing_customer_name,
    has_negative_qty,
    has_non_numeric_qty
from {{ ref('int_order_lines_checked') }}
where not ({{ is_true('is_valid') }})
