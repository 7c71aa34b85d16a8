{#- Fold: the state of every push-log key now (macro push_log_fold): the compacted state up to
    its watermark plus the outcome rows logged after it (the tail). A view, so the pusher's ok is
    in it the moment it is logged, without a rebuild; it reads the tail of the log, never its
    history (on SQL Server a seek on the clustered index over logged_at). -#}
{{ config(materialized='view') }}

with

compacted as {{ inline_cte() }} (

    select * from {{ ref('int_push_log_compacted') }} where entity <> '~watermark'

),

tail as {{ materialized_cte() }} (

    {{ push_log_outcomes(ref('stg_push_log'), "rows_.logged_at > (select max(folded_to) from " ~ ref('int_push_log_compacted') ~ " where entity = '~watermark')") }}

),

later as {{ inline_cte() }} (

    {{ push_log_partial_state('tail') }}

)

{{ push_log_fold('select * from compacted', 'select * from later', join='full') }}
