{#- Hash: one row per valid order line with everything monday gets for its item: group title,
    item name, the column_values JSON (mapping in monday.yml via monday_mapping()) and the
    payload_hash of exactly that (see macros/payload/payload_hash.sql). -#}
{%- set items = monday_mapping()['items'] -%}
{%- set columns = items['columns'] -%}

with

lines as (

    select * from {{ ref('int_order_lines_valid') }}

),

named as (

    select
        record_uuid,
        customer_name,
        aag_order_number as order_number,
        po_number,
        coalesce(nullif(ltrim(rtrim(customer_season)), ''), nullif(ltrim(rtrim(aag_season)), '')) as season,
        {{ item_name_sql() }} as item_name,
        {{ as_bool(is_cancelled_condition('order_status')) }} as is_cancelled,
        {{ monday_value_text(items['sync_key']['type'], 'record_uuid') }} as v_0
        {%- for column in columns %},
        {{ monday_value_text(column.type, snake_case(column.source)) }} as v_{{ loop.index }}
        {%- endfor %}
    from lines

),

titled as (

    select
        named.*,
        {{ join_nonnull("' '", ["nullif(ltrim(rtrim(customer_name)), '')", 'season']) }} as group_title
    from named

),

{%- set entries = [{'id': items['sync_key']['id'], 'type': items['sync_key']['type'], 'value': 'v_0'}] -%}
{%- for column in columns -%}
    {%- do entries.append({'id': column.id, 'type': column.type, 'value': 'v_' ~ loop.index}) -%}
{%- endfor -%}
{%- set terms = [text_literal(mapping_signature('item', items['sync_key'], columns)), 'group_title', 'item_name'] -%}
{%- for entry in entries -%}
    {%- do terms.append(entry.value) -%}
{%- endfor %}

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
        {{ column_values_json(entries) }} as column_values,
        {{ payload_hash(terms) }} as payload_hash
    from titled

)

select * from hashed
