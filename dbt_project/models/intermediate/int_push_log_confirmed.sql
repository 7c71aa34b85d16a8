{#- Select: per key (entity, sync_key; (entity, board_id, sync_key) for groups), its latest
    outcome/ok event (what monday last confirmed), with the last monday ids known for the key
    carried onto it (an update outcome that omits an id keeps the one an earlier create or adopt
    logged). recency is 1: the row is the latest (the column stays for the readers). A view over
    int_push_log_latest: the state models and the outbox see the pusher's latest ok at once. -#}
{{ config(materialized='view') }}

select
    ok_log_id as log_id,
    ok_logged_at as logged_at,
    ok_run_id as run_id,
    ok_batch_id as batch_id,
    ok_customer_name as customer_name,
    ok_board_id as board_id,
    entity,
    sync_key,
    ok_parent_sync_key as parent_sync_key,
    ok_operation as operation,
    ok_payload_hash as payload_hash,
    ok_group_title as group_title,
    ok_item_name as item_name,
    ok_column_values as column_values,
    coalesce(ok_monday_id, id_monday_id) as monday_id,
    coalesce(ok_monday_parent_id, id_monday_parent_id) as monday_parent_id,
    coalesce(ok_monday_group_id, id_monday_group_id) as monday_group_id,
    1 as recency
from {{ ref('int_push_log_latest') }}
where ok_log_id is not null
