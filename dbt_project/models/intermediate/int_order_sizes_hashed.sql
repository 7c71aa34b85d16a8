{#- Hash: one row per subitem (a size with a quantity) with the payload_hash of what monday gets
    for it (macro subitem_payload). Only the hash is stored next to the key: the sync key, name
    and column_values JSON follow from parent_sync_key, size and qty, and the subitem outbox
    renders them for the rows it sends. -#}
{%- set payload = subitem_payload('record_uuid', 'size', 'qty') %}

with

sizes as (

    select * from {{ ref('int_order_sizes_unpivoted') }}

),

hashed as (

    select
        record_uuid as parent_sync_key,
        size,
        qty,
        {{ payload['payload_hash'] }} as payload_hash
    from sizes

)

select * from hashed
