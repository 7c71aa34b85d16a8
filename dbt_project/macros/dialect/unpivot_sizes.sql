{#- One row per (key, size) with qty > 0 from a relation holding integer size columns.
    `relation` is a ref()/CTE name, `key` a column of it, `sizes` the list from size_columns().
    DuckDB: UNPIVOT (drops NULLs); SQL Server: UNPIVOT (drops NULLs; every size column is INT
    already, because staging converted the legacy NVARCHAR ones with try_cast_qty).
    Why UNPIVOT with the column list on DuckDB (issue 13; `make bench-unpivot`, 1,000,000 lines,
    8.7 million rows, identical from every form): UNPIVOT ON COLUMNS(* EXCLUDE key) binds to the
    same plan (the same seconds within the machine's noise); list_filter over a list of structs
    then unnest took 1.7-2.2x as long, a UNION ALL of one select per size 3x on a typed table
    and minutes at 50,000 lines on the view (it re-reads staging once per size); at 50,000
    lines unnest of two parallel lists took 3-4x, of a list of structs 4x, of map_entries 7-12x.
    The list spells the sizes out in the compiled SQL, as the T-SQL form does. -#}
{% macro unpivot_sizes(relation, key, sizes) -%}
    {{ return(adapter.dispatch('unpivot_sizes', 'order_sync')(relation, key, sizes)) }}
{%- endmacro %}

{% macro duckdb__unpivot_sizes(relation, key, sizes) -%}
    {%- set cols = [] -%}
    {%- for size in sizes -%}{%- do cols.append(adapter.quote(size.name)) -%}{%- endfor %}
    select {{ key }}, size, qty
    from (
        unpivot (select {{ key }}, {{ cols | join(', ') }} from {{ relation }})
        on {{ cols | join(', ') }}
        into name size value qty
    ) as unpivoted
    where qty > 0
{%- endmacro %}

{% macro sqlserver__unpivot_sizes(relation, key, sizes) -%}
    {%- set cols = [] -%}
    {%- for size in sizes -%}{%- do cols.append('[' ~ (size.name | replace(']', ']]')) ~ ']') -%}{%- endfor %}
    select unpivoted.{{ key }}, cast(unpivoted.size as nvarchar(128)) as size, unpivoted.qty
    from (select {{ key }}, {{ cols | join(', ') }} from {{ relation }}) as wide
    unpivot (qty for size in ({{ cols | join(', ') }})) as unpivoted
    where unpivoted.qty > 0
{%- endmacro %}
