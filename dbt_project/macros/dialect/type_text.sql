{#- The column type for Unicode text of any length (typed NULLs, casts). -#}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text', 'order_sync')()) }}
{%- endmacro %}

{% macro duckdb__type_text() -%}
    varchar
{%- endmacro %}

{% macro sqlserver__type_text() -%}
    nvarchar(4000)
{%- endmacro %}
