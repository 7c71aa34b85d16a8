{#- Written after `name as` in a CTE that several parts of a model read: the CTE is inlined into
    each reader. DuckDB materializes a CTE that is read more than once, with every column, before
    any reader's filter or column pruning reaches it: counting the item outbox's archives at
    1,000,000 lines took 0.8 s, inlined 0.2 s (a reader wanting one customer gains alike).
    SQL Server always inlines CTEs. -#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'order_sync')()) }}
{%- endmacro %}

{% macro duckdb__inline_cte() -%}
    not materialized
{%- endmacro %}

{% macro sqlserver__inline_cte() -%}
{%- endmacro %}
