{#- The monday item name: the `items.name_from` columns of monday.yml, trimmed, blanks skipped,
    joined with ' / ' (e.g. 'AAG-0100001 / ST-1234 / NAVY'). NULL when all are blank.
    Reads the snake_case staging columns; int_order_lines_hashed sends it cut to monday's 255
    characters (payload_limits, macros/payload/monday_limits.sql), WARN_ORDERS_UNIFIED lists the
    lines it cut. -#}
{% macro item_name_sql() -%}
    {%- set parts = [] -%}
    {%- for source_name in monday_mapping()['items']['name_from'] -%}
        {%- do parts.append("nullif(ltrim(rtrim(" ~ to_text(snake_case(source_name)) ~ ")), '')") -%}
    {%- endfor -%}
    {{ join_nonnull("' / '", parts) }}
{%- endmacro %}
