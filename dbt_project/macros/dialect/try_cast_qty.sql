{#- A size quantity held as text (legacy NVARCHAR size columns) as an integer: the trimmed text
    must be an optional sign and digits; '' and NULL give NULL (no quantity); anything else
    ('N/A', '12.5', '1e3') gives NULL, and staging quarantines the row naming size and value.
    DuckDB's TRY_CAST would round '12.5' and accept '1e3', so both dialects check the shape, in
    ASCII digits only: SQL Server's LIKE runs under a binary collation, as a width-insensitive
    default one would let full-width digits ('１２') through [0-9]. Beyond INT ('3000000000')
    gives NULL on both. -#}
{% macro try_cast_qty(expr) -%}
    {{ return(adapter.dispatch('try_cast_qty', 'order_sync')(expr)) }}
{%- endmacro %}

{% macro duckdb__try_cast_qty(expr) -%}
    try_cast(case when regexp_full_match(trim({{ expr }}), '[+-]?[0-9]+') then trim({{ expr }}) end as integer)
{%- endmacro %}

{% macro sqlserver__try_cast_qty(expr) -%}
    {#- [+-]?[0-9]+ in LIKE terms: only signs and digits, a sign only first, at least one digit
        (TRY_CONVERT(int, '-') is 0 on SQL Server, not NULL). #}
    {%- set t = 'ltrim(rtrim(' ~ expr ~ '))' -%}
    try_convert(int, case when {{ t }} <> ''
        and {{ t }} collate Latin1_General_100_BIN2 not like '%[^0-9+-]%'
        and substring({{ t }}, 2, 4000) collate Latin1_General_100_BIN2 not like '%[^0-9]%'
        and {{ t }} collate Latin1_General_100_BIN2 like '%[0-9]%'
        then {{ t }} end)
{%- endmacro %}
