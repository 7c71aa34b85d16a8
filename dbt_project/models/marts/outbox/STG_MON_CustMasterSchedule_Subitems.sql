{#- The subitem outbox: one row per subitem operation still to do (docs/CONTRACT.md).
      create / new          a size > 0 of an active line with no live confirmed subitem under
                            the parent's current live item
      update / changed      ... whose confirmed column_values are not the JSON that would be
                            sent now (macro subitem_changed: another qty, or another mapping)
      delete / size_zeroed  a live confirmed subitem whose size is now 0 / NULL / gone while the
                            parent line is still active (valid and not cancelled)
    Nothing for a cancelled, vanished, quarantined or out-of-scope line's subitems, nor for lines
    of a sizes: column route (their size curve is an item column): active_lines keeps only
    subitems-mode lines, and every row starts from it. A confirmed subitem whose
    parent id differs from the parent's current live item id counts as absent (the parent was
    archived and created again). A parent counts as on monday only while it is live on a board of
    its line's route: a line moving to another route has its subitems created under the new
    item. monday_parent_item_id is NULL while the parent is not yet confirmed on monday: the
    pusher leaves such rows for after the items pass. board_id, board_name, subitem_board_id:
    the parent's board (the placed board, which is the confirmed one for a line that stays; a
    board made since the last build is found in MON_Boards by name; NULL while not made).
    Sizes are matched on (parent_sync_key, size), the parts of the sync key record_uuid|size.

    Compared by value, not by hash: a subitem's whole payload is its size (the match key) and its
    quantity, so a SHA-256 per subitem (8.8 million per million order lines, the slowest node of
    the build) bought nothing. The sync key, name, column_values and payload_hash are rendered
    (macro subitem_payload) only for the rows emitted; payload_hash is still the documented hash
    of what is sent, so the pusher and the push log see the same contract as before.
    The comparison is of the confirmed column_values text with the JSON that would be sent: it
    catches a changed quantity and a changed monday.yml subitems mapping alike (as the hash's
    mapping signature did), and measured no slower than reading the qty out of the JSON with a
    separate mapping check (figures in macros/payload/subitem_payload.sql). -#}
{%- set payload = subitem_payload('wanted.parent_sync_key', 'wanted.size', 'wanted.qty') %}

with

sizes as {{ inline_cte() }} (

    select record_uuid as parent_sync_key, size, qty
    from {{ ref('int_order_sizes_unpivoted') }}

),

active_lines as {{ inline_cte() }} (

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

parents as {{ inline_cte() }} (

    select items.sync_key, items.monday_item_id
    from {{ ref('MON_CustMasterSchedule') }} as items
    inner join {{ ref('MON_Boards') }} as boards
        on boards.board_id = items.board_id
    inner join active_lines
        on active_lines.record_uuid = items.sync_key
        and active_lines.route_key = boards.route_key
    where {{ is_true('items.is_live') }}

),

confirmed as {{ inline_cte() }} (

    select subitems.*
    from {{ ref('MON_CustMasterSchedule_Subitems') }} as subitems
    inner join parents
        on parents.sync_key = subitems.parent_sync_key
        and parents.monday_item_id = subitems.monday_parent_item_id
    where {{ is_true('subitems.is_live') }}

),

wanted as {{ inline_cte() }} (

    select
        sizes.parent_sync_key,
        sizes.size,
        sizes.qty,
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
        {{ payload['sync_key'] }} as sync_key,
        wanted.parent_sync_key,
        'create' as operation,
        'new' as change_reason,
        cast(null as varchar(32)) as monday_subitem_id,
        wanted.monday_parent_item_id,
        wanted.size,
        wanted.qty,
        {{ payload['item_name'] }} as item_name,
        {{ payload['column_values'] }} as column_values,
        cast(null as {{ type_text() }}) as confirmed_column_values,
        {{ payload['payload_hash'] }} as payload_hash,
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
        {{ payload['sync_key'] }} as sync_key,
        wanted.parent_sync_key,
        'update' as operation,
        'changed' as change_reason,
        confirmed.monday_subitem_id,
        wanted.monday_parent_item_id,
        wanted.size,
        wanted.qty,
        {{ payload['item_name'] }} as item_name,
        {{ payload['column_values'] }} as column_values,
        confirmed.column_values as confirmed_column_values,
        {{ payload['payload_hash'] }} as payload_hash,
        confirmed.payload_hash as confirmed_payload_hash,
        wanted.board_id,
        wanted.board_name,
        wanted.subitem_board_id
    from wanted
    inner join confirmed
        on confirmed.parent_sync_key = wanted.parent_sync_key
        and confirmed.size = wanted.size
    where {{ subitem_changed('confirmed.column_values', 'wanted.parent_sync_key', 'wanted.size', 'wanted.qty') }}

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

-- Every row carries the fingerprint of the mapping it was built from (MON_SyncMapping).
select
    all_operations.*,
    cast({{ text_literal(mapping_fingerprint()) }} as varchar(32)) as mapping_fingerprint
from (
    select * from creates
    union all
    select * from updates
    union all
    select * from deletes
) as all_operations
