{#- Lower-case hex SHA-256 of the given text terms joined with '|'. Every term must already be
    non-NULL and escaped (see hash_term); the payload rendering is documented in
    macros/payload/payload_hash.sql.
    DuckDB hashes the UTF-8 bytes. SQL Server hashes NVARCHAR(MAX), i.e. UTF-16LE bytes, so the
    hex differs from DuckDB's for the same row: the confirmed state lives in each engine's own
    push log, so hashes are only ever compared within one engine. CONCAT_WS takes at most 254
    arguments, so the terms are joined in chunks (exact, because no term is NULL), and the first
    argument of each chunk is NVARCHAR(MAX) so that nothing is cut at 4,000 characters. -#}
{% macro sha256_hex(terms) -%}
    {{ return(adapter.dispatch('sha256_hex', 'order_sync')(terms)) }}
{%- endmacro %}

{% macro duckdb__sha256_hex(terms) -%}
    sha256(concat_ws('|', {{ terms | join(', ') }}))
{%- endmacro %}

{% macro sqlserver__sha256_hex(terms) -%}
    lower(convert(varchar(64), hashbytes('SHA2_256', {{ sqlserver__concat_ws_chunked("'|'", terms) }}), 2))
{%- endmacro %}

{#- T-SQL helper: CONCAT_WS over any number of non-NULL terms, as NVARCHAR(MAX). -#}
{% macro sqlserver__concat_ws_chunked(separator, terms, chunk_size=250) -%}
    {%- set chunks = [] -%}
    {%- for batch in terms | batch(chunk_size) -%}
        {%- set args = batch | list -%}
        {%- if args | length == 1 -%}
            {%- do chunks.append('cast(' ~ args[0] ~ ' as nvarchar(max))') -%}
        {%- else -%}
            {%- do chunks.append('concat_ws(' ~ separator ~ ', cast(' ~ args[0] ~ ' as nvarchar(max)), ' ~ (args[1:] | join(', ')) ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if chunks | length == 1 -%}
        {{ chunks[0] }}
    {%- else -%}
        {{ sqlserver__concat_ws_chunked(separator, chunks, chunk_size) }}
    {%- endif -%}
{%- endmacro %}
