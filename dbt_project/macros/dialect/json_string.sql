{#- A text expression as a JSON string literal, quotes included ("a\"b"); NULL stays NULL.
    Escapes quotes, backslashes and control characters (\n, \t, \u0001, ...). Non-ASCII
    characters are kept as they are (valid JSON, RFC 8259; the columns are Unicode on both
    engines). DuckDB: to_json; SQL Server: STRING_ESCAPE(..., 'json'), which also writes / as \/. -#}
{% macro json_string(expr) -%}
    {{ return(adapter.dispatch('json_string', 'order_sync')(expr)) }}
{%- endmacro %}

{% macro duckdb__json_string(expr) -%}
    cast(to_json(cast({{ expr }} as varchar)) as varchar)
{%- endmacro %}

{% macro sqlserver__json_string(expr) -%}
    case when {{ expr }} is not null then concat(cast(N'"' as nvarchar(max)), string_escape({{ expr }}, 'json'), N'"') end
{%- endmacro %}
