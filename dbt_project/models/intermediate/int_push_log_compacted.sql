{#- Compact: the push log folded per key up to a watermark (issue 23), one row per (entity,
    key_board, sync_key) with what the state, error and capacity views need (macro push_log_fold),
    plus one row entity = '~watermark' whose folded_to is the watermark. A scheduled build reads
    only the rows logged since the last watermark and rewrites the keys they touch
    (delete+insert), so its cost follows what happened since, not the log's age. int_push_log_latest
    adds the rows logged after the watermark at every read: the state stays exact between builds.
    A full rebuild (first build, --full-refresh) folds the hot log and its archive alike. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['entity', 'key_board', 'sync_key'],
    on_schema_change='fail',
) }}

with

{{ push_log_compaction_ctes('folded_to', 'entity') }}

events as (

    {{ push_log_outcomes('log_rows', 'rows_.logged_at <= (select folded_to from watermark) and (rows_.logged_at > (select folded_from from watermark) or (select folded_from from watermark) is null)') }}

),

later as (

    {{ push_log_partial_state('events') }}

),

folded as (

    {%- if is_incremental() %}
    {{ push_log_fold("select * from " ~ this ~ " where entity <> '~watermark'", 'select * from later', join='left') }}
    {%- else %}
    select * from later
    {%- endif %}

)

select
    {{ push_log_state_columns() | join(',\n    ') }},
    (select folded_from from watermark) as folded_from,
    (select folded_to from watermark) as folded_to
from folded
union all
select
    {%- for column in push_log_state_columns() %}
    {%- if column == 'entity' %}
    '~watermark' as entity,
    {%- elif column in ('key_board', 'sync_key') %}
    '' as {{ column }},
    {%- elif column == 'fail_attempts' %}
    0 as fail_attempts,
    {%- else %}
    null as {{ column }},
    {%- endif %}
    {%- endfor %}
    folded_from,
    folded_to
from watermark
