{#- Check: the verdict on every ORDERS_UNIFIED row, computed once and stored narrow (the key, the
    flags, the reason), so that the checks over all 276 size columns run once per build while the
    wide lines stay a view. int_order_lines_valid and QUAR_ORDERS_UNIFIED read it.
    Staging flags what a row shows on its own; the one problem of several rows, a record_uuid on
    more than one row (compared as staging's key text: lower-case, trimmed), is found here with
    one grouping per build (all those rows are quarantined). The reasons keep their order:
    missing key, repeated key, then the row's own problems. -#}
with

lines as (

    select
        record_uuid,
        aag_order_number,
        customer_name,
        is_missing_record_uuid,
        is_missing_order_number,
        is_missing_customer_name,
        has_negative_qty,
        has_non_numeric_qty,
        missing_record_uuid_reason,
        line_quarantine_reason
    from {{ ref('stg_orders_unified') }}

),

repeated_uuids as (

    select record_uuid, count(*) as record_uuid_rows
    from lines
    where record_uuid is not null
    group by record_uuid
    having count(*) > 1

),

reasoned as (

    select
        lines.*,
        case when repeated_uuids.record_uuid is not null
            then concat('record_uuid ', lines.record_uuid, ' appears on ', repeated_uuids.record_uuid_rows, ' rows')
        end as duplicate_record_uuid_reason
    from lines
    left join repeated_uuids
        on repeated_uuids.record_uuid = lines.record_uuid

),

verdicts as (

    select
        record_uuid,
        aag_order_number,
        customer_name,
        is_missing_record_uuid,
        {{ as_bool('duplicate_record_uuid_reason is not null') }} as is_duplicate_record_uuid,
        is_missing_order_number,
        is_missing_customer_name,
        has_negative_qty,
        has_non_numeric_qty,
        {{ join_nonnull("'; '", ['missing_record_uuid_reason', 'duplicate_record_uuid_reason', 'line_quarantine_reason']) }}
            as quarantine_reason
    from reasoned

)

select
    verdicts.*,
    {{ as_bool('quarantine_reason is null') }} as is_valid
from verdicts
