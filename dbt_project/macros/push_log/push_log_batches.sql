{#- One row per batch (batch_id: one HTTP request, or one import job) over push-log ``rows``:
    run, customer, board, first and last event, operations sent / ok / error / unknown, and the
    intents with no outcome in the same batch (operations_pending). Every row of a batch must be
    in ``rows``: int_push_log_batches_compacted and MON_BatchProcessing pass all rows of the
    batches they summarize. -#}
{% macro push_log_batches(rows) -%}
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
        coalesce(pending.operations_pending, 0) as operations_pending
    from (
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
        from {{ rows }} as events
        where batch_id is not null
        group by batch_id
    ) as batches
    left join (
        select intents.batch_id, count(*) as operations_pending
        from (
            select distinct batch_id, entity, sync_key
            from {{ rows }} as events
            where phase = 'intent' and batch_id is not null
        ) as intents
        where not exists (
            select 1
            from {{ rows }} as outcomes
            where outcomes.phase = 'outcome'
                and outcomes.batch_id = intents.batch_id
                and outcomes.entity = intents.entity
                and outcomes.sync_key = intents.sync_key
        )
        group by intents.batch_id
    ) as pending
        on pending.batch_id = batches.batch_id
{%- endmacro %}
