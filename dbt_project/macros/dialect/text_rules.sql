{#- One rule for text on both engines (issue 12; the labels: macros/payload/labels.sql).

    trim_blank(expr): expr without leading and trailing spaces, tabs, CR, LF and no-break spaces
        (U+00A0). DuckDB trim(x, chars); SQL Server TRIM(chars FROM x) (2017+). Nothing else is
        trimmed: zero-width and other characters are text.
    fold_case(expr): expr upper-cased, the case rule of every key (customer, season, status).
        SQL Server folds under an explicit Latin1_General_100_CS_AS_SC collation (not the
        database's: a Turkish default would fold 'i' to 'İ') and hands the value back in the
        database default collation, so that tables built from it join the push log without a
        collation conflict.
    exact_text(expr): expr compared code point by code point, as DuckDB compares text. SQL Server:
        COLLATE Latin1_General_100_BIN2, whatever the database's (usually case- and
        sometimes accent-insensitive) default; used where keys meet configured values.
    text_length(expr): the number of characters, counted in Unicode code points and including
        trailing spaces, on both engines. DuckDB length() counts code points; SQL Server LEN
        ignores trailing spaces and counts UTF-16 code units (an emoji is 2), so it measures
        expr + '.' under a supplementary-character-aware (_SC) collation, minus 1.
    text_left(expr, n): the first n code points (never half a surrogate pair on SQL Server; the
        result in the database default collation). -#}

{% macro trim_blank(expr) -%}
    {{ return(adapter.dispatch('trim_blank', 'order_sync')(expr)) }}
{%- endmacro %}

{#- DuckDB's trim with a character list costs ~0.55 s per million 36-character keys (it decodes
    every character); checking the first and last character first skips it for the text that has
    nothing to trim (8x faster on record_uuid, 2x on a customer name; same results). The guard is
    wider than the list (any control character, and '') because trim() decides what goes, and
    comparisons, unlike an IN list, do not become a join that stops DuckDB pruning the column. -#}
{% macro duckdb__trim_blank(expr) -%}
    case
        when ascii({{ expr }}) <= 32 or ascii({{ expr }}) = 160 or ascii({{ expr }}[-1]) <= 32 or ascii({{ expr }}[-1]) = 160
            then trim({{ expr }}, concat(' ', chr(9), chr(10), chr(13), chr(160)))
        else {{ expr }}
    end
{%- endmacro %}

{% macro sqlserver__trim_blank(expr) -%}
    trim(concat(nchar(32), nchar(9), nchar(10), nchar(13), nchar(160)) from {{ expr }})
{%- endmacro %}

{% macro fold_case(expr) -%}
    {{ return(adapter.dispatch('fold_case', 'order_sync')(expr)) }}
{%- endmacro %}

{% macro duckdb__fold_case(expr) -%}
    upper({{ expr }})
{%- endmacro %}

{% macro sqlserver__fold_case(expr) -%}
    upper(cast({{ expr }} as nvarchar(4000)) collate Latin1_General_100_CS_AS_SC) collate database_default
{%- endmacro %}

{% macro exact_text(expr) -%}
    {{ return(adapter.dispatch('exact_text', 'order_sync')(expr)) }}
{%- endmacro %}

{% macro duckdb__exact_text(expr) -%}
    {{ expr }}
{%- endmacro %}

{% macro sqlserver__exact_text(expr) -%}
    ({{ expr }} collate Latin1_General_100_BIN2)
{%- endmacro %}

{% macro text_length(expr) -%}
    {{ return(adapter.dispatch('text_length', 'order_sync')(expr)) }}
{%- endmacro %}

{% macro duckdb__text_length(expr) -%}
    length({{ expr }})
{%- endmacro %}

{% macro sqlserver__text_length(expr) -%}
    (len((cast({{ expr }} as nvarchar(max)) + N'.') collate Latin1_General_100_CS_AS_SC) - 1)
{%- endmacro %}

{% macro text_left(expr, n) -%}
    {{ return(adapter.dispatch('text_left', 'order_sync')(expr, n)) }}
{%- endmacro %}

{% macro duckdb__text_left(expr, n) -%}
    left({{ expr }}, {{ n }})
{%- endmacro %}

{% macro sqlserver__text_left(expr, n) -%}
    left(cast({{ expr }} as nvarchar(max)) collate Latin1_General_100_CS_AS_SC, {{ n }}) collate database_default
{%- endmacro %}
