{#- Any scalar (number, text) as Unicode text in its plain SQL rendering: 42, 12.50, abc.
    SQL Server needs an explicit length (a bare VARCHAR in CAST is 30 characters). -#}
{% macro to_text(expr) -%}
    {{ return(adapter.dispatch('to_text', 'order_sync')(expr)) }}
{%- endmacro %}

{% macro duckdb__to_text(expr) -%}
    cast({{ expr }} as varchar)
{%- endmacro %}

{% macro sqlserver__to_text(expr) -%}
    cast({{ expr }} as nvarchar(4000))
{%- endmacro %}
