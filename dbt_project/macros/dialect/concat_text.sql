{#- Concatenation of many text parts (NULL parts count as ''). SQL Server's CONCAT takes at
    most 254 arguments and returns at most 4,000 characters unless an argument is
    NVARCHAR(MAX), so it is chunked there and the first argument widened. -#}
{% macro concat_text(parts) -%}
    {{ return(adapter.dispatch('concat_text', 'order_sync')(parts)) }}
{%- endmacro %}

{% macro duckdb__concat_text(parts) -%}
    concat({{ parts | join(', ') }})
{%- endmacro %}

{% macro sqlserver__concat_text(parts, chunk_size=250) -%}
    {%- set chunks = [] -%}
    {%- for batch in parts | batch(chunk_size) -%}
        {%- set args = batch | list -%}
        {%- do chunks.append('concat(cast(' ~ args[0] ~ ' as nvarchar(max)), ' ~ ((args[1:] | join(', ')) if args | length > 1 else "N''") ~ ')') -%}
    {%- endfor -%}
    {%- if chunks | length == 1 -%}
        {{ chunks[0] }}
    {%- else -%}
        {{ sqlserver__concat_text(chunks, chunk_size) }}
    {%- endif -%}
{%- endmacro %}
