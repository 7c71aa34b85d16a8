{#- How far the compacted push-log state's watermark stays behind the database's clock (minutes;
    var push_log_settle_minutes overrides). On SQL Server pushers on other hosts write while dbt
    builds: a row is stamped (logged_at, the pusher's clock) before its insert commits, so the
    watermark keeps 10 minutes behind, far more than a commit takes or hosts' clocks drift, and
    a row committed late is read in the tail, never skipped. On DuckDB nothing writes while dbt
    builds (one process holds the file) and every writer shares the machine's clock: 0. -#}
{% macro push_log_settle_minutes() -%}
    {{ return(adapter.dispatch('push_log_settle_minutes', 'order_sync')()) }}
{%- endmacro %}

{% macro duckdb__push_log_settle_minutes() -%}
    {{ return(var('push_log_settle_minutes', 0)) }}
{%- endmacro %}

{% macro sqlserver__push_log_settle_minutes() -%}
    {{ return(var('push_log_settle_minutes', 10)) }}
{%- endmacro %}
