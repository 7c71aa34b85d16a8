{#- record_uuid as the sync key text: lower-case, 36 characters, hyphenated.
    DuckDB renders UUIDs lower-case; SQL Server renders UNIQUEIDENTIFIER upper-case. -#}
{% macro uuid_to_text(expr) -%}
    {{ return(adapter.dispatch('uuid_to_text', 'order_sync')(expr)) }}
{%- endmacro %}

{% macro duckdb__uuid_to_text(expr) -%}
    lower(cast({{ expr }} as varchar))
{%- endmacro %}

{% macro sqlserver__uuid_to_text(expr) -%}
    lower(convert(varchar(36), {{ expr }}))
{%- endmacro %}
