{#- The database server's clock in UTC as a timestamp without time zone, the type of the push
    log's logged_at (the watermark of the compacted state is read against it). -#}
{% macro utc_now() -%}
    {{ return(adapter.dispatch('utc_now', 'order_sync')()) }}
{%- endmacro %}

{% macro duckdb__utc_now() -%}
    cast(timezone('UTC', now()) as timestamp)
{%- endmacro %}

{% macro sqlserver__utc_now() -%}
    sysutcdatetime()
{%- endmacro %}
