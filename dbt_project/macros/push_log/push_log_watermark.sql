{#- The watermark of a compacted push-log model (issue 23): it holds what the log said up to
    folded_to, and every read adds the rows logged after it (the tail). A build moves it to the
    newest row it reads, but never closer than push_log_settle_minutes() to the server's clock
    (SQL Server 10, DuckDB 0): a row still being committed (another host's pusher on SQL Server)
    carries a time later than the new watermark and is read in the tail, never skipped. It never
    moves back. -#}
{% macro push_log_watermark_sql(rows, previous) -%}
    select
        previous_.folded_to as folded_from,
        case
            when newest.logged_at is null then coalesce(previous_.folded_to, {{ push_log_epoch() }})
            when previous_.folded_to is not null and previous_.folded_to >= newest.logged_at then previous_.folded_to
            else newest.logged_at
        end as folded_to
    from ({{ previous }}) as previous_
    cross join (
        select
            case when max(logged_at) > {{ dbt.dateadd('minute', -1 * push_log_settle_minutes(), utc_now()) }}
                then {{ dbt.dateadd('minute', -1 * push_log_settle_minutes(), utc_now()) }}
                else max(logged_at) end as logged_at
        from {{ rows }} as rows_
    ) as newest
{%- endmacro %}

{#- The CTEs every compacted push-log model opens with (int_push_log_compacted,
    int_push_log_batches_compacted): ``previous`` (the watermark the last build left, in the row
    whose ``marker_column`` is '~watermark', column ``watermark_column``; NULL on a full rebuild),
    ``log_rows`` (the hot log on a scheduled build, hot and archived rows on a full rebuild) and
    ``watermark`` (folded_from, folded_to: push_log_watermark_sql). Ends with a comma: the model
    goes on with what it folds. -#}
{% macro push_log_compaction_ctes(watermark_column, marker_column) -%}
{%- if is_incremental() -%}
previous as (

    select max({{ watermark_column }}) as folded_to from {{ this }} where {{ marker_column }} = '~watermark'

),

log_rows as {{ inline_cte() }} (

    select * from {{ ref('stg_push_log') }}

),
{%- else -%}
previous as (

    select cast(null as {{ dbt.type_timestamp() }}) as folded_to

),

log_rows as {{ inline_cte() }} (

    {{ push_log_all_rows() }}

),
{%- endif %}

watermark as (

    {{ push_log_watermark_sql('log_rows', 'select * from previous') }}

),
{%- endmacro %}

{#- The earliest time, for a watermark that has folded nothing yet. -#}
{% macro push_log_epoch() -%}
    cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Every push-log row, hot and archived (what a full rebuild of a compacted model and the history
    read; the scheduled reads never touch the archive). -#}
{% macro push_log_all_rows() -%}
    select {{ push_log_columns() | join(', ') }} from {{ ref('stg_push_log') }}
    union all
    select {{ push_log_columns() | join(', ') }} from {{ ref('stg_push_log_archive') }}
{%- endmacro %}
