{#- One row per (key, size) with qty > 0 from a relation holding integer size columns.
    `relation` is a ref()/CTE name, `key` a column of it, `sizes` the list from size_columns().
    DuckDB: UNPIVOT (drops NULLs); SQL Server: UNPIVOT (drops NULLs; every size column is INT
    already, because staging converted the legacy NVARCHAR ones with try_cast_qty). -#}
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
