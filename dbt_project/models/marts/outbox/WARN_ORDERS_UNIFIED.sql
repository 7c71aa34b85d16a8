{#- Lines sent with a value cut to monday's limits: one row per line and cut value, with the
    full length, the limit and why (macros/payload/monday_limits.sql: item name 255, long text
    2,000, group title 255; the size curve too in column mode). The full value stays in
    ORDERS_UNIFIED and the staging views; monday gets its first limit - 1 characters and '…'.
    Every valid line is checked, cancelled and out-of-scope ones included. A table: `python -m
    pusher status` reads it on every call. -#}
{{ config(materialized='table') }}
{%- set limits = payload_limits() -%}
{%- set column_sizes = has_column_sizes() and size_curve_column()['type'] == 'long_text' -%}
{%- if column_sizes -%}
    {%- do limits.append({'column_name': 'size curve', 'monday_column': size_curve_column()['id'],
                          'value': 'size_curve', 'limit': long_text_limit(), 'rule': "monday's long text limit"}) -%}
{%- endif %}

with

lines as (

    select
        valid.record_uuid,
        valid.aag_order_number,
        valid.customer_name
        {%- for limit in limits %},
        {{ text_length(limit.value) }} as length_{{ loop.index }}
        {%- endfor %}
    from {{ ref('int_order_lines_valid') }} as valid
    {%- if column_sizes %}
    left join {{ ref('int_order_size_curves') }} as curves
        on curves.record_uuid = valid.record_uuid
    {%- endif %}

),

cut as (

    {%- for limit in limits %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    select
        record_uuid,
        aag_order_number,
        customer_name,
        {{ text_literal(limit.column_name) }} as column_name,
        {{ text_literal(limit.monday_column) }} as monday_column,
        length_{{ loop.index }} as full_length,
        {{ limit.limit }} as max_length,
        concat(
            {{ text_literal(limit.column_name ~ ' is ') }}, length_{{ loop.index }},
            {{ text_literal(' characters, over ' ~ limit.rule ~ ' of ' ~ '{:,}'.format(limit.limit)
                            ~ ': sent its first ' ~ '{:,}'.format(limit.limit - 1) ~ ' characters and …') }}
        ) as reason
    from lines
    where length_{{ loop.index }} > {{ limit.limit }}
    {%- endfor %}

)

select
    record_uuid,
    aag_order_number as {{ adapter.quote('AAG ORDER NUMBER') }},
    customer_name as {{ adapter.quote('CUSTOMER NAME') }},
    column_name,
    monday_column,
    full_length,
    max_length,
    reason
from cut
