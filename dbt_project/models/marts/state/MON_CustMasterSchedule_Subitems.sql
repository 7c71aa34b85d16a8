{#- Current synced state of every subitem: its latest outcome/ok event in the push log. Its
    column_values (the JSON last sent) is what the subitem outbox compares with the JSON it would
    send now. -#}
select
    sync_key,
    coalesce(
        parent_sync_key,
        case when {{ dbt.position("'|'", 'sync_key') }} > 1
            then substring(sync_key, 1, {{ dbt.position("'|'", 'sync_key') }} - 1) end
    ) as parent_sync_key,
    customer_name,
    board_id,
    monday_id as monday_subitem_id,
    monday_parent_id as monday_parent_item_id,
    case when {{ dbt.position("'|'", 'sync_key') }} > 0
        then substring(sync_key, {{ dbt.position("'|'", 'sync_key') }} + 1, 400) end as size,
    item_name,
    column_values,
    payload_hash,
    {{ as_bool("operation <> 'delete'") }} as is_live,
    logged_at as confirmed_at
from {{ ref('int_push_log_confirmed') }}
where entity = 'subitem' and recency = 1
