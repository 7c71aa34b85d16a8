{#- Current synced state of every item: its latest outcome/ok event in the push log. This,
    never "what dbt last saw", is what the outbox compares against. -#}
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
    {{ as_bool("operation <> 'archive'") }} as is_live,
    logged_at as confirmed_at
from {{ ref('int_push_log_confirmed') }}
where entity = 'item' and recency = 1
