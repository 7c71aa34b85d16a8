{#- The subitem outbox: one row per subitem operation still to do (docs/CONTRACT.md).
      create / new          a size > 0 of an active line with no live confirmed subitem under
                            the parent's current live item
      update / changed      ... whose payload_hash differs from the confirmed one
      delete / size_zeroed  a live confirmed subitem whose size is now 0 / NULL / gone while the
                            parent line is still active (valid and not cancelled)
    Nothing for a cancelled, vanished, quarantined or out-of-scope line's subitems, nor for lines
    of a sizes: column route (their size curve is an item column). A confirmed subitem whose
    parent id differs from the parent's current live item id counts as absent (the parent was
    archived and created again). A parent counts as on monday only while it is live on a board of
    its line's route: a line moving to another route has its subitems created under the new
    item. monday_parent_item_id is NULL while the parent is not yet confirmed on monday: the
    pusher leaves such rows for after the items pass. board_id, board_name, subitem_board_id:
    the parent's board (the placed board, which is the confirmed one for a line that stays; a
    board made since the last build is found in MON_Boards by name; NULL while not made).
    Sizes are matched on (parent_sync_key, size), the parts of the sync key record_uuid|size; the
    sync key, name and column_values are rendered (macro subitem_payload) only for the rows
    sent. -#}
{%- set payload = subitem_payload('sizes.parent_sync_key', 'sizes.size', 'sizes.qty') %}

with

sizes as (

    select * from {{ ref('int_order_sizes_hashed') }}

),

active_lines as (

    select
        placed.record_uuid,
        placed.customer_name,
        placed.route_key,
        coalesce(placed.board_id, made.board_id) as board_id,
        placed.board_name,
        coalesce(placed.subitem_board_id, made.subitem_board_id) as subitem_board_id
    from {{ ref('int_order_lines_placed') }} as placed
    left join {{ ref('MON_Boards') }} as made
        on placed.board_id is null
        and made.board_name = placed.board_name
    where placed.sizes_mode = 'subitems'

),

parents as (

    select items.sync_key, items.monday_item_id
    from {{ ref('MON_CustMasterSchedule') }} as items
    inner join {{ ref('MON_Boards') }} as boards
        on boards.board_id = items.board_id
    inner join active_lines
        on active_lines.record_uuid = items.sync_key
        and active_lines.route_key = boards.route_key
    where {{ is_true('items.is_live') }}

),

confirmed as (

    select subitems.*
    from {{ ref('MON_CustMasterSchedule_Subitems') }} as subitems
    inner join parents
        on parents.sync_key = subitems.parent_sync_key
        and parents.monday_item_id = subitems.monday_parent_item_id
    where {{ is_true('subitems.is_live') }}

),

wanted as (

    select
        {{ payload['sync_key'] }} as sync_key,
        sizes.parent_sync_key,
        sizes.size,
        sizes.qty,
        {{ payload['item_name'] }} as item_name,
        {{ payload['column_values'] }} as column_values,
        sizes.payload_hash,
        active_lines.customer_name,
        parents.monday_item_id as monday_parent_item_id,
        active_lines.board_id,
        active_lines.board_name,
        active_lines.subitem_board_id
    from sizes
    inner join active_lines
        on active_lines.record_uuid = sizes.parent_sync_key
    left join parents
        on parents.sync_key = sizes.parent_sync_key

),

creates as (

    select
        wanted.customer_name,
        wanted.sync_key,
        wanted.parent_sync_key,
        'create' as operation,
        'new' as change_reason,
        cast(null as varchar(32)) as monday_subitem_id,
        wanted.monday_parent_item_id,
        wanted.size,
        wanted.qty,
        wanted.item_name,
        wanted.column_values,
        cast(null as {{ type_text() }}) as confirmed_column_values,
        wanted.payload_hash,
        cast(null as varchar(64)) as confirmed_payload_hash,
        wanted.board_id,
        wanted.board_name,
        wanted.subitem_board_id
    from wanted
    left join confirmed
        on confirmed.parent_sync_key = wanted.parent_sync_key
        and confirmed.size = wanted.size
    where confirmed.sync_key is null

),

updates as (

    select
        wanted.customer_name,
        wanted.sync_key,
        wanted.parent_sync_key,
        'update' as operation,
        'changed' as change_reason,
        confirmed.monday_subitem_id,
        wanted.monday_parent_item_id,
        wanted.size,
        wanted.qty,
        wanted.item_name,
        wanted.column_values,
        confirmed.column_values as confirmed_column_values,
        wanted.payload_hash,
        confirmed.payload_hash as confirmed_payload_hash,
        wanted.board_id,
        wanted.board_name,
        wanted.subitem_board_id
    from wanted
    inner join confirmed
        on confirmed.parent_sync_key = wanted.parent_sync_key
        and confirmed.size = wanted.size
    where confirmed.payload_hash is null or confirmed.payload_hash <> wanted.payload_hash

),

deletes as (

    select
        active_lines.customer_name,
        confirmed.sync_key,
        confirmed.parent_sync_key,
        'delete' as operation,
        'size_zeroed' as change_reason,
        confirmed.monday_subitem_id,
        confirmed.monday_parent_item_id,
        confirmed.size,
        0 as qty,
        confirmed.item_name,
        confirmed.column_values,
        confirmed.column_values as confirmed_column_values,
        confirmed.payload_hash,
        confirmed.payload_hash as confirmed_payload_hash,
        active_lines.board_id,
        active_lines.board_name,
        active_lines.subitem_board_id
    from confirmed
    inner join active_lines
        on active_lines.record_uuid = confirmed.parent_sync_key
    where not exists (
        select 1
        from sizes
        where sizes.parent_sync_key = confirmed.parent_sync_key
            and sizes.size = confirmed.size
    )

)

select * from creates
union all
select * from updates
union all
select * from deletes
