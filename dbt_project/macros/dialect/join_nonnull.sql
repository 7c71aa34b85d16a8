{#- The non-NULL expressions joined with a separator, NULL when all are NULL (CONCAT_WS skips
    NULLs on both engines). Used for readable reasons ("negative quantity -5 in size M; ...").
    SQL Server: at most 254 arguments per CONCAT_WS, at least 2 values, NVARCHAR(MAX). -#}
{% macro join_nonnull(separator, exprs) -%}
    {{ return(adapter.dispatch('join_nonnull', 'order_sync')(separator, exprs)) }}
{%- endmacro %}

{% macro duckdb__join_nonnull(separator, exprs) -%}
    nullif(concat_ws({{ separator }}, {{ exprs | join(', ') }}), '')
{%- endmacro %}

{% macro sqlserver__join_nonnull(separator, exprs, chunk_size=250) -%}
    {%- set chunks = [] -%}
    {%- for batch in exprs | batch(chunk_size) -%}
        {%- set args = batch | list -%}
        {%- do chunks.append('nullif(concat_ws(' ~ separator ~ ', cast(' ~ args[0] ~ ' as nvarchar(max)), ' ~ ((args[1:] | join(', ')) if args | length > 1 else 'null') ~ '), N\'\')') -%}
    {%- endfor -%}
    {%- if chunks | length == 1 -%}
        {{ chunks[0] }}
    {%- else -%}
        {{ sqlserver__join_nonnull(separator, chunks, chunk_size) }}
    {%- endif -%}
{%- endmacro %}
