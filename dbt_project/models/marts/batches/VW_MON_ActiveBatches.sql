{#- Batches with operations sent but not answered yet: running, or interrupted before their
    outcomes were logged (the pusher resolves those through the sync-key lookup). -#}
select
    batch_id,
    run_id,
    customer_name,
    board_id,
    started_at,
    last_event_at,
    operations_sent,
    operations_pending
from {{ ref('MON_BatchProcessing') }}
where batch_status = 'in_flight'
