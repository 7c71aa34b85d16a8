{#- Source rows kept out of the sync, with the reason a planner can act on. A quarantined line
    already on monday stays there unchanged (it is neither updated nor archived). -#}
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
    has_non_numeric_qty,
    is_item_name_invalid,
    is_long_text_too_long
from {{ ref('int_order_lines_checked') }}
where not ({{ is_true('is_valid') }})
