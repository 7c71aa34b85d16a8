{#- The push-log rows `python -m pusher compact` archived (superseded, older than history.keep_days),
    as stg_push_log reads the hot ones, with when they were archived. -#}
with

source as (

    select * from {{ source('pusher', 'MON_PushLogArchive') }}

),

renamed as (

    select
        log_id,
        logged_at,
        run_id,
        batch_id,
        customer_name,
        board_id,
        lower(entity) as entity,
        sync_key,
        parent_sync_key,
        lower(operation) as operation,
        lower(phase) as phase,
        lower(status) as status,
        payload_hash,
        group_title,
        item_name,
        column_values,
        monday_id,
        monday_parent_id,
        monday_group_id,
        idempotency_key,
        attempt,
        error_code,
        error_message,
        archived_at
    from source

)

select * from renamed
