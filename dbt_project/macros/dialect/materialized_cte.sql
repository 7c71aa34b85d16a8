{#- Written after `name as` in a CTE that several parts of a model read and that must be computed
    once: the push log's tail (int_push_log_latest) is a filter over the whole log, read five
    times by the fold; DuckDB would otherwise scan the log's logged_at five times. SQL Server has
    no such hint and needs none: each read is a seek on the log's clustered index. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'order_sync')()) }}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro sqlserver__materialized_cte() -%}
{%- endmacro %}
