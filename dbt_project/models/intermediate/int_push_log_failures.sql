{#- Select: per key whose latest outcome is an error, the error and the run of consecutive failed
    outcomes since the last ok or unknown one (int_push_log_latest's out_* and fail_*). A view,
    like the state it reads. -#}
{{ config(materialized='view') }}

select
    entity,
    sync_key,
    out_parent_sync_key as parent_sync_key,
    out_customer_name as customer_name,
    out_board_id as board_id,
    out_operation as operation,
    out_error_code as error_code,
    out_error_message as error_message,
    fail_attempts as attempts,
    first_failed_at,
    last_failed_at,
    out_payload_hash as payload_hash,
    out_batch_id as batch_id,
    out_run_id as run_id
from {{ ref('int_push_log_latest') }}
where out_status = 'error' and fail_attempts > 0
