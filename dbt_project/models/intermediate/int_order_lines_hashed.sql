{#- Hash: one row per valid order line with everything monday gets for its item: group title,
    item name, the column_values JSON (mapping in monday.yml via monday_mapping()) and the
    payload_hash of exactly that (see macros/payload/payload_hash.sql).
    Lines of `sizes: column` routes (a row in int_order_size_curves) also carry the size curve
    column (macros/payload/size_curve.sql) in column_values and payload_hash; every other line's
    JSON and hash are exactly those of a mapping without it. Without any column route in
    monday.yml this compiles as if the mode did not exist (no join).
    Labels follow one rule (macros/payload/labels.sql): customer_name, season and the group
    title are trimmed and upper-cased. Values over monday's limits (item name 255, long text
    2,000, group title 255) are sent cut with '…' (macros/payload/monday_limits.sql); the hash is
    of the cut value, i.e. of what is sent, so a value within its limit hashes as before. -#}
{%- set items = monday_mapping()['items'] -%}
{%- set columns = items['columns'] -%}
{%- set column_sizes = has_column_sizes() -%}
{%- set limits = {} -%}
{%- for limit in payload_limits() -%}
    {%- do limits.update({limit.monday_column: limit.limit}) -%}
{%- endfor -%}
{%- set curve_type = size_curve_column()['type'] if column_sizes else none -%}

with

lines as (

    {%- if column_sizes %}

    select
        valid.*,
        curves.record_uuid as curve_record_uuid,
        curves.size_curve
    from {{ ref('int_order_lines_valid') }} as valid
    left join {{ ref('int_order_size_curves') }} as curves
        on curves.record_uuid = valid.record_uuid
    {%- else %}

    select * from {{ ref('int_order_lines_valid') }}
    {%- endif %}

),

named as (

    select
        record_uuid,
        {{ norm_text('customer_name') }} as customer_name,
        aag_order_number as order_number,
        po_number,
        {{ season_sql('customer_season', 'aag_season') }} as season,
        {{ fit_text(item_name_sql(), limits['name']) }} as item_name,
        {{ as_bool(is_cancelled_condition('order_status')) }} as is_cancelled,
        {{ monday_value_text(items['sync_key']['type'], 'record_uuid') }} as v_0
        {%- for column in columns %},
        {%- set value = monday_value_text(column.type, snake_case(column.source)) %}
        {{ fit_text(value, limits[column.id]) if column.id in limits else value }} as v_{{ loop.index }}
        {%- endfor %}
        {%- if column_sizes %},
        curve_record_uuid,
        {{ fit_text('size_curve', long_text_limit()) if curve_type == 'long_text' else 'size_curve' }} as v_curve
        {%- endif %}
    from lines

),

titled as (

    select
        named.*,
        {{ fit_text(group_title_sql('customer_name', 'season'), limits['group']) }} as group_title
        {%- if column_sizes %},
        case
            when curve_record_uuid is null then {{ text_literal(mapping_signature('item', items['sync_key'], columns)) }}
            else {{ text_literal(mapping_signature('item', items['sync_key'], columns + [size_curve_column()])) }}
        end as signature
        {%- endif %}
    from named

),

{%- set entries = [{'id': items['sync_key']['id'], 'type': items['sync_key']['type'], 'value': 'v_0'}] -%}
{%- for column in columns -%}
    {%- do entries.append({'id': column.id, 'type': column.type, 'value': 'v_' ~ loop.index}) -%}
{%- endfor -%}
{%- set terms = [text_literal(mapping_signature('item', items['sync_key'], columns)), 'group_title', 'item_name'] -%}
{%- for entry in entries -%}
    {%- do terms.append(entry.value) -%}
{%- endfor -%}
{%- if column_sizes -%}
    {#- Column mode: the curve is one more mapped column, the last, in the JSON, the terms and the
        signature. The signatures are a column of `titled`, not literals in the hash expressions:
        dbt's unit tests split the model SQL with sqlparse, which reads '\' as an escape and would
        cut the SQL at the ';' of a second signature literal. -#}
    {%- set curve_entries = entries + [size_curve_entry('v_curve')] -%}
    {%- set terms = ['signature'] + terms[1:] -%}
    {%- set curve_terms = terms + [curve_entries[-1].value] -%}
{%- endif %}

hashed as (

    select
        record_uuid,
        customer_name,
        order_number,
        po_number,
        season,
        group_title,
        item_name,
        is_cancelled,
        {%- if column_sizes %}
        case
            when curve_record_uuid is null then {{ column_values_json(entries) }}
            else {{ column_values_json(curve_entries) }}
        end as column_values,
        case
            when curve_record_uuid is null then {{ payload_hash(terms) }}
            else {{ payload_hash(curve_terms) }}
        end as payload_hash
        {%- else %}
        {{ column_values_json(entries) }} as column_values,
        {{ payload_hash(terms) }} as payload_hash
        {%- endif %}
    from titled

)

select * from hashed
