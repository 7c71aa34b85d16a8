{#- Keep what can be shown (issue 12): a value over a limit is sent cut
    to the limit with a visible marker, the full value stays in SQL, and WARN_ORDERS_UNIFIED lists
    the line. Lengths are code points on both engines (text_length).

    The limits: the item name 255 (monday: 1-255 characters), every long_text column 2,000
    (monday's long text; NOTES, and the size curve when it is long_text), the group title 255
    (MON_PushLog.group_title is NVARCHAR(255)). Nothing else needs one on the reference layout:
    its other mapped text columns are NVARCHAR(50..500), so an item's column values stay far
    below monday's ~64 KB once NOTES is cut.

    fit_text(expr, limit): expr when it has at most `limit` characters, else its first
        limit - 1 characters and '…' (U+2026): exactly `limit` characters, marker included.
    long_text_limit(): 2000.
    payload_limits(): the limited values of a line of int_order_lines_valid, for the cut (in
        int_order_lines_hashed) and the list (WARN_ORDERS_UNIFIED) alike:
        [{column_name, monday_column, value (SQL over the valid line's columns), limit, rule}]. -#}

{% macro long_text_limit() -%}
    {{ return(2000) }}
{%- endmacro %}

{% macro fit_text(expr, limit) -%}
    case
        when {{ text_length(expr) }} > {{ limit }}
            then {{ concat_text([text_left(expr, limit - 1), text_literal('…')]) }}
        else {{ expr }}
    end
{%- endmacro %}

{% macro payload_limits() -%}
    {%- set limits = [
        {'column_name': 'item name', 'monday_column': 'name', 'value': item_name_sql(), 'limit': 255,
         'rule': "monday's item name limit"},
        {'column_name': 'group title', 'monday_column': 'group',
         'value': group_title_sql('customer_name', season_sql('customer_season', 'aag_season')), 'limit': 255,
         'rule': 'the group title limit'},
    ] -%}
    {%- for column in monday_mapping()['items']['columns'] if column.type == 'long_text' -%}
        {%- do limits.append({'column_name': column.source, 'monday_column': column.id,
                              'value': monday_value_text(column.type, snake_case(column.source)),
                              'limit': long_text_limit(), 'rule': "monday's long text limit"}) -%}
    {%- endfor -%}
    {{ return(limits) }}
{%- endmacro %}
