{#- Filter: the order lines staging found valid (cancelled lines included: the outbox archives
    them). A view: the two tables built from it (int_order_lines_hashed and
    int_order_sizes_unpivoted) read only the typed columns they need from the staging view, and
    the verdict from int_order_lines_checked. A valid line's record_uuid is unique and not NULL
    (a repeated or missing one is quarantined), so the key alone picks the line. -#}
{{ config(materialized='view') }}

select lines.*
from {{ ref('stg_orders_unified') }} as lines
where lines.record_uuid in (
    select checked.record_uuid
    from {{ ref('int_order_lines_checked') }} as checked
    where {{ is_true('checked.is_valid') }}
)
