{#- The item outbox: one row per item operation still to do (docs/CONTRACT.md).
      create  / new           an active line (valid, in scope, not cancelled) with no live item
      update  / changed       an active line whose payload_hash differs from the confirmed one
      archive / cancelled     a cancelled line whose item is live (sync.on_cancel: archive)
      archive / vanished      a live item whose record_uuid is no longer in ORDERS_UNIFIED at all
      archive|delete / out_of_scope   a live line that left scope, i.e. valid, not cancelled
                              and not placed (sync.on_out_of_scope; keep: nothing, the item
                              stays as it is)
      archive|delete + create / moved   a live item on a board of another route than the line's
                              (or on a board MON_Boards does not know): removed from the old
                              board (sync.on_move) and created on the placed one
    A quarantined row is still in ORDERS_UNIFIED, so it is not "vanished": its item stays as it
    is. Board columns: a create's placed board (board_id NULL while it is not made yet; a board
    made since the last build is found in MON_Boards by name), else the board the item is on;
    sizes_mode the line's route's for create and update, else the board's. A view over the
    hashed lines and the push log: a row leaves as soon as its ok is logged. -#}
{%- set sync = monday_mapping()['sync'] -%}
{%- set config = routing_config() -%}
{%- set items = monday_mapping()['items'] -%}
{%- set id_of = {} -%}
{%- for column in items['columns'] -%}
    {%- do id_of.update({column.source: column.id}) -%}
{%- endfor -%}
{%- if sync['on_cancel'] not in ('archive', 'none') %}
{{ exceptions.raise_compiler_error("monday.yml sync.on_cancel must be 'archive' or 'none', not '" ~ sync['on_cancel'] ~ "'") }}
{%- endif %}
{%- set created = "cast(null as varchar(32)) as monday_item_id, lines.group_title, cast(null as " ~ type_text() ~ ") as confirmed_group_title, lines.item_name, lines.column_values, cast(null as " ~ type_text() ~ ") as confirmed_column_values, lines.payload_hash, cast(null as varchar(64)) as confirmed_payload_hash, lines.order_number, lines.po_number, lines.season" -%}
{%- set on_monday = "confirmed.monday_item_id, lines.group_title, confirmed.group_title as confirmed_group_title, lines.item_name, lines.column_values, confirmed.column_values as confirmed_column_values, lines.payload_hash, confirmed.payload_hash as confirmed_payload_hash, lines.order_number, lines.po_number, lines.season" -%}
{%- set placed_board = "placed.route_key, placed.overflow_no, placed.board_name, placed.board_id, placed.subitem_board_id, placed.sizes_mode" -%}
{%- set item_board = "confirmed.board_route_key as route_key, confirmed.board_overflow_no as overflow_no, confirmed.board_name, confirmed.board_id, confirmed.board_subitem_board_id as subitem_board_id, confirmed.board_sizes_mode as sizes_mode" %}

with

lines as {{ inline_cte() }} (

    select * from {{ ref('int_order_lines_hashed') }}

),

{#- The placed board's ids as MON_Boards knows them now: a board made on demand after the
    last build is found by its name without a rebuild. #}
placed as {{ inline_cte() }} (

    select
        placed.record_uuid,
        placed.route_key,
        placed.overflow_no,
        placed.board_name,
        coalesce(placed.board_id, made.board_id) as board_id,
        coalesce(placed.subitem_board_id, made.subitem_board_id) as subitem_board_id,
        placed.sizes_mode
    from {{ ref('int_order_lines_placed') }} as placed
    left join {{ ref('MON_Boards') }} as made
        on placed.board_id is null
        and made.board_name = placed.board_name

),

source_keys as {{ inline_cte() }} (

    select distinct record_uuid
    from {{ ref('int_order_lines_checked') }}
    where record_uuid is not null

),

confirmed as {{ inline_cte() }} (

    select
        items.*,
        boards.route_key as board_route_key,
        boards.overflow_no as board_overflow_no,
        boards.board_name,
        boards.subitem_board_id as board_subitem_board_id,
        boards.sizes_mode as board_sizes_mode
    from {{ ref('MON_CustMasterSchedule') }} as items
    left join {{ ref('MON_Boards') }} as boards
        on boards.board_id = items.board_id
    where {{ is_true('items.is_live') }}

),

active as {{ inline_cte() }} (

    select
        lines.*,
        placed.sizes_mode,
        confirmed.sync_key as confirmed_sync_key,
        case when confirmed.sync_key is not null
            and (confirmed.board_route_key is null or confirmed.board_route_key <> placed.route_key)
            then 1 else 0 end as is_moved
    from lines
    inner join placed
        on placed.record_uuid = lines.record_uuid
    left join confirmed
        on confirmed.sync_key = lines.record_uuid

),

creates as (

    select
        lines.customer_name,
        lines.record_uuid as sync_key,
        'create' as operation,
        case when lines.is_moved = 1 then 'moved' else 'new' end as change_reason,
        {{ created }},
        {{ placed_board }}
    from active as lines
    inner join placed
        on placed.record_uuid = lines.record_uuid
    where lines.confirmed_sync_key is null or lines.is_moved = 1

),

updates as (

    select
        lines.customer_name,
        lines.record_uuid as sync_key,
        'update' as operation,
        'changed' as change_reason,
        {{ on_monday }},
        confirmed.board_route_key as route_key,
        confirmed.board_overflow_no as overflow_no,
        confirmed.board_name,
        confirmed.board_id,
        confirmed.board_subitem_board_id as subitem_board_id,
        lines.sizes_mode
    from active as lines
    inner join confirmed
        on confirmed.sync_key = lines.record_uuid
    where lines.is_moved = 0
        and (confirmed.payload_hash is null or confirmed.payload_hash <> lines.payload_hash)

),

moved_away as (

    select
        lines.customer_name,
        lines.record_uuid as sync_key,
        '{{ config.on_move }}' as operation,
        'moved' as change_reason,
        {{ on_monday }},
        {{ item_board }}
    from active as lines
    inner join confirmed
        on confirmed.sync_key = lines.record_uuid
    where lines.is_moved = 1

),

cancelled as (

    select
        lines.customer_name,
        lines.record_uuid as sync_key,
        'archive' as operation,
        'cancelled' as change_reason,
        {{ on_monday }},
        {{ item_board }}
    from lines
    inner join confirmed
        on confirmed.sync_key = lines.record_uuid
    where {{ is_true('lines.is_cancelled') }}
        {%- if sync['on_cancel'] != 'archive' %}
        and 1 = 0  -- sync.on_cancel: none leaves cancelled and vanished lines on monday
        {%- endif %}

),

out_of_scope as (

    select
        lines.customer_name,
        lines.record_uuid as sync_key,
        '{{ config.on_out_of_scope }}' as operation,
        'out_of_scope' as change_reason,
        {{ on_monday }},
        {{ item_board }}
    from lines
    inner join confirmed
        on confirmed.sync_key = lines.record_uuid
    where not ({{ is_true('lines.is_cancelled') }})
        and not exists (select 1 from placed where placed.record_uuid = lines.record_uuid)
        {%- if config.on_out_of_scope == 'keep' %}
        and 1 = 0  -- sync.on_out_of_scope: keep leaves lines that left scope as they are
        {%- endif %}

),

vanished as (

    select
        confirmed.customer_name,
        confirmed.sync_key,
        'archive' as operation,
        'vanished' as change_reason,
        confirmed.monday_item_id,
        confirmed.group_title,
        confirmed.group_title as confirmed_group_title,
        confirmed.item_name,
        confirmed.column_values,
        confirmed.column_values as confirmed_column_values,
        confirmed.payload_hash,
        confirmed.payload_hash as confirmed_payload_hash,
        {{ json_text('confirmed.column_values', id_of['AAG ORDER NUMBER']) if 'AAG ORDER NUMBER' in id_of else 'null' }} as order_number,
        {{ json_text('confirmed.column_values', id_of['PO NUMBER']) if 'PO NUMBER' in id_of else 'null' }} as po_number,
        cast(null as {{ type_text() }}) as season,
        {{ item_board }}
    from confirmed
    where not exists (
        select 1 from source_keys where source_keys.record_uuid = confirmed.sync_key
    )
        {%- if sync['on_cancel'] != 'archive' %}
        and 1 = 0
        {%- endif %}

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
    select * from moved_away
    union all
    select * from cancelled
    union all
    select * from out_of_scope
    union all
    select * from vanished
) as all_operations
