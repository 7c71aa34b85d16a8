{#- Aggregate: per (entity, sync_key) whose latest outcome is an error, the run of consecutive
    failed outcomes since the last ok or unknown outcome. A view, like the log it reads. -#}
{{ config(materialized='view') }}

with

outcomes as (

    select *
    from {{ ref('stg_push_log') }}
    where phase = 'outcome'

),

latest as (

    select *
    from (
        select
            outcomes.*,
            row_number() over (
                partition by entity, sync_key order by logged_at desc, log_id desc
            ) as recency
        from outcomes
    ) as ranked
    where recency = 1 and status = 'error'

),

last_not_failed as (

    select entity, sync_key, max(logged_at) as last_not_failed_at
    from outcomes
    where status <> 'error'
    group by entity, sync_key

),

failed_run as (

    select
        outcomes.entity,
        outcomes.sync_key,
        count(*) as attempts,
        min(outcomes.logged_at) as first_failed_at,
        max(outcomes.logged_at) as last_failed_at
    from outcomes
    left join last_not_failed
        on last_not_failed.entity = outcomes.entity
        and last_not_failed.sync_key = outcomes.sync_key
    where outcomes.status = 'error'
        and (last_not_failed.last_not_failed_at is null
            or outcomes.logged_at > last_not_failed.last_not_failed_at)
    group by outcomes.entity, outcomes.sync_key

)

select
    latest.entity,
    latest.sync_key,
    latest.parent_sync_key,
    latest.customer_name,
    latest.board_id,
    latest.operation,
    latest.error_code,
    latest.error_message,
    failed_run.attempts,
    failed_run.first_failed_at,
    failed_run.last_failed_at,
    latest.payload_hash,
    latest.batch_id,
    latest.run_id
from latest
inner join failed_run
    on failed_run.entity = latest.entity
    and failed_run.sync_key = latest.sync_key
