{#- Subitems whose latest push outcome is an error, with monday's code and message. -#}
select
    sync_key,
    parent_sync_key,
    customer_name,
    board_id,
    operation,
    error_code,
    error_message,
    attempts,
    first_failed_at,
    last_failed_at,
    payload_hash
from {{ ref('int_push_log_failures') }}
where entity = 'subitem'
