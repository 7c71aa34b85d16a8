{#- count(distinct) over several columns, NULLs counting as a value (a grain check in the same
    scan as other aggregates), or none where the engine has no such thing: T-SQL's count(distinct)
    takes one expression, so row_invariants checks such a grain with a GROUP BY ... HAVING there. -#}
{% macro count_distinct_columns(columns) -%}
    {{ return(adapter.dispatch('count_distinct_columns', 'order_sync')(columns)) }}
{%- endmacro %}

{% macro duckdb__count_distinct_columns(columns) -%}
    {#- a row value (a, b) is never NULL, so rows with NULL parts count too -#}
    {{ return('count(distinct (' ~ (columns | join(', ')) ~ '))') }}
{%- endmacro %}

{% macro sqlserver__count_distinct_columns(columns) -%}
    {{ return(none) }}
{%- endmacro %}
