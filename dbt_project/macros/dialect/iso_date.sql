{#- A DATE / DATETIME as 'YYYY-MM-DD' text (monday date columns). -#}
{% macro iso_date(expr) -%}
    {{ return(adapter.dispatch('iso_date', 'order_sync')(expr)) }}
{%- endmacro %}

{% macro duckdb__iso_date(expr) -%}
    strftime(cast({{ expr }} as date), '%Y-%m-%d')
{%- endmacro %}

{% macro sqlserver__iso_date(expr) -%}
    convert(char(10), {{ expr }}, 23)
{%- endmacro %}
