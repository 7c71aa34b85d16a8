{#- Current synced state of every item: its latest outcome/ok event in the push log. This,
    never "what dbt last saw", is what the outbox compares against. An archived item is not live
    but still takes room on its board; a deleted one (is_deleted) no longer does. -#}
select
    sync_key,
    customer_name,
    board_id,
    monday_id as monday_item_id,
    monday_group_id,
    group_title,
    item_name,
    column_values,
    payload_hash,
    {{ as_bool("operation not in ('archive', 'delete')") }} as is_live,
    {{ as_bool("operation = 'delete'") }} as is_deleted,
    logged_at as confirmed_at
from {{ ref('int_push_log_confirmed') }}
where entity = 'item' and recency = 1
