{#- Compact: one row per pusher batch (macro push_log_batches) as of a watermark (issue 23), plus
    one row batch_id = '~watermark' whose last_event_at is the watermark (started_at the one
    before). A scheduled build
    summarizes again only the batches with rows logged since the last watermark (all their rows,
    found by batch_id) and rewrites them (delete+insert); MON_BatchProcessing does the same at
    every read for the batches with rows after the watermark. A full rebuild reads the hot log
    and its archive. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['batch_id'],
    on_schema_change='fail',
) }}

with

{{ push_log_compaction_ctes('last_event_at', 'batch_id') }}

{#- The batches with rows in the window, and how far back their rows go: a batch already
    compacted started at its started_at, a new one inside the window. Bounding logged_at keeps the
    scan to the log's recent row groups instead of every row of its history. #}
touched as {{ materialized_cte() }} (

    select distinct batch_id
    from log_rows
    where batch_id is not null
    {%- if is_incremental() %}
        and logged_at > (select folded_from from watermark)
    {%- endif %}
        and logged_at <= (select folded_to from watermark)

),

batch_rows as (

    select batch_id, run_id, customer_name, board_id, logged_at, phase, status, entity, sync_key
    from log_rows
    where logged_at <= (select folded_to from watermark)
    {%- if is_incremental() %}
        and logged_at >= (
            select coalesce(min(compacted.started_at), (select folded_from from watermark))
            from {{ this }} as compacted
            where compacted.batch_id in (select batch_id from touched)
        )
    {%- endif %}
        and batch_id in (select batch_id from touched)

)

select * from ({{ push_log_batches('batch_rows') }}) as summarized
union all
select
    '~watermark' as batch_id,
    null as run_id,
    null as customer_name,
    null as board_id,
    folded_from as started_at,
    folded_to as last_event_at,
    0 as operations_sent,
    0 as operations_ok,
    0 as operations_error,
    0 as operations_unknown,
    0 as operations_pending
from watermark
