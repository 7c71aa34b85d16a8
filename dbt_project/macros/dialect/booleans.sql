{#- Booleans: DuckDB has a BOOLEAN type and boolean expressions in SELECT; T-SQL has neither, so
    flags are BIT there and tested with = 1. as_bool turns a condition into a flag column,
    is_true turns a flag column back into a condition. -#}
{% macro as_bool(condition) -%}
    {{ return(adapter.dispatch('as_bool', 'order_sync')(condition)) }}
{%- endmacro %}

{% macro duckdb__as_bool(condition) -%}
    coalesce(({{ condition }}), false)
{%- endmacro %}

{% macro sqlserver__as_bool(condition) -%}
    cast(case when {{ condition }} then 1 else 0 end as bit)
{%- endmacro %}

{% macro is_true(flag) -%}
    {{ return(adapter.dispatch('is_true', 'order_sync')(flag)) }}
{%- endmacro %}

{% macro duckdb__is_true(flag) -%}
    {{ flag }}
{%- endmacro %}

{% macro sqlserver__is_true(flag) -%}
    {{ flag }} = 1
{%- endmacro %}
