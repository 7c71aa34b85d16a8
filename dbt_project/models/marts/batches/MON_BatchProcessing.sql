{#- One row per pusher batch (one HTTP request of many aliased mutations): when it ran, what it
    carried and how it ended. in_flight: some intent has no outcome yet in the same batch (a
    running or interrupted request); otherwise error / unknown if any outcome was, else ok. -#}
with

events as (

    select * from {{ ref('stg_push_log') }}

),

intents as (

    select batch_id, entity, sync_key, max(logged_at) as sent_at
    from events
    where phase = 'intent'
    group by batch_id, entity, sync_key

),

outcomes as (

    select batch_id, entity, sync_key, max(logged_at) as answered_at
    from events
    where phase = 'outcome'
    group by batch_id, entity, sync_key

),

pending as (

    select intents.batch_id, count(*) as pending_operations
    from intents
    left join outcomes
        on outcomes.batch_id = intents.batch_id
        and outcomes.entity = intents.entity
        and outcomes.sync_key = intents.sync_key
    where outcomes.sync_key is null
    group by intents.batch_id

),

batches as (

    select
        batch_id,
        max(run_id) as run_id,
        max(customer_name) as customer_name,
        max(board_id) as board_id,
        min(logged_at) as started_at,
        max(logged_at) as last_event_at,
        sum(case when phase = 'intent' then 1 else 0 end) as operations_sent,
        sum(case when phase = 'outcome' and status = 'ok' then 1 else 0 end) as operations_ok,
        sum(case when phase = 'outcome' and status = 'error' then 1 else 0 end) as operations_error,
        sum(case when phase = 'outcome' and status = 'unknown' then 1 else 0 end) as operations_unknown
    from events
    where batch_id is not null
    group by batch_id

)

select
    batches.batch_id,
    batches.run_id,
    batches.customer_name,
    batches.board_id,
    batches.started_at,
    batches.last_event_at,
    batches.operations_sent,
    batches.operations_ok,
    batches.operations_error,
    batches.operations_unknown,
    coalesce(pending.pending_operations, 0) as operations_pending,
    case
        when coalesce(pending.pending_operations, 0) > 0 then 'in_flight'
        when batches.operations_error > 0 then 'error'
        when batches.operations_unknown > 0 then 'unknown'
        else 'ok'
    end as batch_status
from batches
left join pending
    on pending.batch_id = batches.batch_id
