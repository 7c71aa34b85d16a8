{#- A string constant from configuration (monday.yml) as a SQL literal; Unicode-safe on SQL
    Server (N'...'). -#}
{% macro text_literal(value) -%}
    {{ return(adapter.dispatch('text_literal', 'order_sync')(value)) }}
{%- endmacro %}

{% macro duckdb__text_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro sqlserver__text_literal(value) -%}
    N'{{ value | string | replace("'", "''") }}'
{%- endmacro %}
