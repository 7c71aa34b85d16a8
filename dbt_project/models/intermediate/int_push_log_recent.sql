{#- Filter: the push-log rows the last build folded into the compacted state, and every row
    logged since (logged_at after the watermark before it). The push log's data tests read this,
    not the whole log: each row is checked by the build that folds it, so no build rescans the
    history (issue 23). A view. -#}
{{ config(materialized='view') }}

select *
from {{ ref('stg_push_log') }}
where logged_at > (
    select coalesce(max(folded_from), {{ push_log_epoch() }})
    from {{ ref('int_push_log_compacted') }}
    where entity = '~watermark'
)
