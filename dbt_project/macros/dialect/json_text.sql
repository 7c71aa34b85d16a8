{#- The text value of a top-level key of a JSON object string (NULL when absent or null). -#}
{% macro json_text(json_expr, key) -%}
    {{ return(adapter.dispatch('json_text', 'order_sync')(json_expr, key)) }}
{%- endmacro %}

{% macro duckdb__json_text(json_expr, key) -%}
    json_extract_string({{ json_expr }}, '$."{{ key }}"')
{%- endmacro %}

{% macro sqlserver__json_text(json_expr, key) -%}
    json_value({{ json_expr }}, '$."{{ key }}"')
{%- endmacro %}
