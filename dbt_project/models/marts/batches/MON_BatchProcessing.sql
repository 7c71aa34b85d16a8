{#- One row per pusher batch (one HTTP request of many aliased mutations): when it ran, what it
    carried and how it ended. in_flight: some intent has no outcome yet in the same batch (a
    running or interrupted request); otherwise error / unknown if any outcome was, else ok.
    The batches summarized up to the watermark (int_push_log_batches_compacted), except those
    with rows logged since, which are summarized again here from all their rows. -#}
with

compacted as {{ inline_cte() }} (

    select * from {{ ref('int_push_log_batches_compacted') }} where batch_id <> '~watermark'

),

recent_batches as {{ materialized_cte() }} (

    select distinct batch_id
    from {{ ref('stg_push_log') }}
    where batch_id is not null
        and logged_at > (
            select max(last_event_at) from {{ ref('int_push_log_batches_compacted') }} where batch_id = '~watermark'
        )

),

{#- All rows of those batches: a compacted one's go back to its started_at, a new one's are all
    after the watermark; the bound keeps the read to the log's recent part. #}
recent_rows as {{ materialized_cte() }} (

    select batch_id, run_id, customer_name, board_id, logged_at, phase, status, entity, sync_key
    from {{ ref('stg_push_log') }}
    where batch_id in (select batch_id from recent_batches)
        and logged_at >= (
            select coalesce(
                min(compacted.started_at),
                (select max(last_event_at) from {{ ref('int_push_log_batches_compacted') }} where batch_id = '~watermark')
            )
            from compacted
            where compacted.batch_id in (select batch_id from recent_batches)
        )

),

batches as (

    select *
    from compacted
    where not exists (select 1 from recent_batches where recent_batches.batch_id = compacted.batch_id)
    union all
    {{ push_log_batches('recent_rows') }}

)

select
    batch_id,
    run_id,
    customer_name,
    board_id,
    started_at,
    last_event_at,
    operations_sent,
    operations_ok,
    operations_error,
    operations_unknown,
    operations_pending,
    case
        when operations_pending > 0 then 'in_flight'
        when operations_error > 0 then 'error'
        when operations_unknown > 0 then 'unknown'
        else 'ok'
    end as batch_status
from batches
