{#- Hash: one row per subitem (a size with a quantity) with its sync key (record_uuid|size),
    name (the size), column_values JSON and payload_hash. -#}
{%- set subitems = monday_mapping()['subitems'] -%}
{%- set columns = subitems['columns'] -%}
{%- for column in columns if column.source not in ('size', 'qty') -%}
    {{ exceptions.raise_compiler_error("monday.yml subitems.columns: source must be size or qty, not '" ~ column.source ~ "'") }}
{%- endfor %}

with

sizes as (

    select * from {{ ref('int_order_sizes_unpivoted') }}

),

keyed as (

    select
        concat(record_uuid, '|', size) as sync_key,
        record_uuid as parent_sync_key,
        size,
        qty,
        size as item_name
    from sizes

),

valued as (

    select
        keyed.*,
        {{ monday_value_text(subitems['sync_key']['type'], 'sync_key') }} as v_0
        {%- for column in columns %},
        {{ monday_value_text(column.type, column.source) }} as v_{{ loop.index }}
        {%- endfor %}
    from keyed

),

{%- set entries = [{'id': subitems['sync_key']['id'], 'type': subitems['sync_key']['type'], 'value': 'v_0'}] -%}
{%- for column in columns -%}
    {%- do entries.append({'id': column.id, 'type': column.type, 'value': 'v_' ~ loop.index}) -%}
{%- endfor -%}
{%- set terms = [text_literal(mapping_signature('subitem', subitems['sync_key'], columns)), 'item_name'] -%}
{%- for entry in entries -%}
    {%- do terms.append(entry.value) -%}
{%- endfor %}

hashed as (

    select
        sync_key,
        parent_sync_key,
        size,
        qty,
        item_name,
        {{ column_values_json(entries) }} as column_values,
        {{ payload_hash(terms) }} as payload_hash
    from valued

)

select * from hashed
