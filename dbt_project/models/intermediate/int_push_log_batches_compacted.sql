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

{%- if is_incremental() %}

previous as (

    select max(last_event_at) as folded_to from {{ this }} where batch_id = '~watermark'

),

log_rows as (

    select * from {{ ref('stg_push_log') }}

),
{%- else %}

previous as (

    select cast(null as {{ dbt.type_timestamp() }}) as folded_to

),

log_rows as (

    {{ push_log_all_rows() }}

),
{%- endif %}

watermark as (

    {{ push_log_watermark_sql('log_rows', 'select * from previous') }}

),

batch_rows as (

    select log_rows.*
    from log_rows
    where log_rows.logged_at <= (select folded_to from watermark)
    {%- if is_incremental() %}
        and log_rows.batch_id in (
            select batch_id
            from log_rows as recent
            where recent.logged_at > (select folded_from from watermark)
                and recent.logged_at <= (select folded_to from watermark)
                and recent.batch_id is not null
        )
    {%- endif %}

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
