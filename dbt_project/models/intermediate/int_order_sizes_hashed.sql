{#- Hash: one row per subitem (a size with a quantity) with the payload_hash of what monday gets
    for it (macro subitem_payload). Only the hash is stored next to the key: the sync key, name
    and column_values JSON follow from parent_sync_key, size and qty, and the subitem outbox
    renders them for the rows it sends.
    Lines of `sizes: column` routes (a row in int_order_size_curves) get no subitems: their sizes
    are the size curve column of the item. Without any column route in monday.yml this compiles
    as if the mode did not exist (no anti-join). -#}
{%- set payload = subitem_payload('record_uuid', 'size', 'qty') %}

with

sizes as (

    {%- if has_column_sizes() %}

    select unpivoted.*
    from {{ ref('int_order_sizes_unpivoted') }} as unpivoted
    where not exists (
        select 1
        from {{ ref('int_order_size_curves') }} as curves
        where curves.record_uuid = unpivoted.record_uuid
    )
    {%- else %}

    select * from {{ ref('int_order_sizes_unpivoted') }}
    {%- endif %}

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
