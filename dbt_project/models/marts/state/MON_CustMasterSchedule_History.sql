{#- History of every item as monday confirmed it: one row per version, from the push log's
    outcome/ok item events, valid from the moment the pusher logged monday's ok until the next
    confirmed change for the key. A view, like the rest of the state: a build costs nothing and
    never reads ORDERS_UNIFIED; a query reads the push log and its archive (the rows `python -m
    pusher compact` moved out of the hot log), so compaction changes no answer.

    A confirmation that repeats the payload before it (an adoption of what an unknown create
    sent, a resend) is no new version. An archive or delete is no version either: it closes the
    one before it (closed_by), and a later create starts a new one. -#}
with

item_events as (

    select
        log_id,
        logged_at,
        customer_name,
        board_id,
        sync_key,
        operation,
        payload_hash,
        group_title,
        item_name,
        column_values,
        monday_id,
        -- Numbers the runs of events that share one logged monday id: an ok that omits the id
        -- (an update outcome may) takes the one known at that moment, not a later item's.
        count(monday_id) over (
            partition by sync_key order by logged_at, log_id rows unbounded preceding
        ) as monday_id_run
    from ({{ push_log_all_rows() }}) as push_log
    where entity = 'item' and phase = 'outcome' and status = 'ok'

),

events as (

    select
        item_events.*,
        max(monday_id) over (partition by sync_key, monday_id_run) as known_monday_id,
        lag(operation) over (partition by sync_key order by logged_at, log_id) as previous_operation,
        lag(payload_hash) over (partition by sync_key order by logged_at, log_id) as previous_hash
    from item_events

),

changes as (

    select *
    from events
    where
        operation in ('archive', 'delete')
        or previous_operation is null
        or previous_operation in ('archive', 'delete')
        or coalesce(payload_hash, '') <> coalesce(previous_hash, '')

),

versioned as (

    select
        changes.*,
        lead(logged_at) over (partition by sync_key order by logged_at, log_id) as valid_to,
        lead(operation) over (partition by sync_key order by logged_at, log_id) as closed_by
    from changes

)

select
    sync_key,
    customer_name,
    board_id,
    group_title,
    item_name,
    column_values,
    payload_hash,
    operation,
    known_monday_id as monday_id,
    logged_at as valid_from,
    valid_to,
    closed_by,
    {{ as_bool('valid_to is null') }} as is_current
from versioned
where operation not in ('archive', 'delete')
