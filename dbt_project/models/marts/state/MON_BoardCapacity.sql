{#- Capacity per board, planned before anything is sent: every board of MON_Boards, every board
    the placement plans but is not made yet (board_id NULL), and any board items are on that
    MON_Boards does not know (route_key NULL). What is on it now (board_usage_sql: items live +
    archived, deleted ones not; live subitems), what the outbox will do to it, and what that
    leaves: items_after = items_on_board + creates - deletes (an archived item still counts),
    subitems_after likewise; is_over when either passes max_items_per_board. A view over the
    outbox views, so it follows the push log like they do. -#}
{%- set config = routing_config() -%}
{%- set board_key = "case when board_id is not null then concat('id:', board_id) else concat('name:', board_name) end" %}

with

usage as (

    {{ board_usage_sql() }}

),

known as (

    select route_key, overflow_no, board_name, board_id, subitem_board_id
    from {{ ref('MON_Boards') }}

),

planned_boards as (

    select distinct route_key, overflow_no, board_name, board_id, subitem_board_id
    from {{ ref('int_order_lines_placed') }} as placed
    where board_id is null
        and not exists (select 1 from known where known.board_name = placed.board_name)

),

unknown as (

    select
        cast(null as {{ type_text() }}) as route_key,
        cast(null as integer) as overflow_no,
        cast(null as {{ type_text() }}) as board_name,
        usage.board_id,
        cast(null as varchar(32)) as subitem_board_id
    from usage
    where not exists (select 1 from known where known.board_id = usage.board_id)

),

all_boards as (

    select known.*, {{ board_key }} as board_key from known
    union all
    select planned_boards.*, {{ board_key }} as board_key from planned_boards
    union all
    select unknown.*, {{ board_key }} as board_key from unknown

),

item_plan as (

    select
        {{ board_key }} as board_key,
        sum(case when operation = 'create' then 1 else 0 end) as creates,
        sum(case when operation = 'archive' then 1 else 0 end) as archives,
        sum(case when operation = 'delete' then 1 else 0 end) as deletes
    from {{ ref('STG_MON_CustMasterSchedule') }}
    group by {{ board_key }}

),

subitem_plan as (

    select
        {{ board_key }} as board_key,
        sum(case when operation = 'create' then 1 else 0 end) as creates,
        sum(case when operation = 'delete' then 1 else 0 end) as deletes
    from {{ ref('STG_MON_CustMasterSchedule_Subitems') }}
    group by {{ board_key }}

),

counted as (

    select
        all_boards.board_name,
        all_boards.route_key,
        all_boards.overflow_no,
        all_boards.board_id,
        all_boards.subitem_board_id,
        coalesce(usage.items_on_board, 0) as items_on_board,
        coalesce(usage.live_items, 0) as live_items,
        coalesce(usage.subitems_on_board, 0) as subitems_on_board,
        coalesce(item_plan.creates, 0) as planned_item_creates,
        coalesce(item_plan.archives, 0) as planned_item_archives,
        coalesce(item_plan.deletes, 0) as planned_item_deletes,
        coalesce(subitem_plan.creates, 0) as planned_subitem_creates,
        coalesce(subitem_plan.deletes, 0) as planned_subitem_deletes,
        {{ config.max_items }} as max_items,
        {{ config.fill_target }} as fill_target
    from all_boards
    left join usage
        on usage.board_id = all_boards.board_id
    left join item_plan
        on item_plan.board_key = all_boards.board_key
    left join subitem_plan
        on subitem_plan.board_key = all_boards.board_key

),

after as (

    select
        counted.*,
        items_on_board + planned_item_creates - planned_item_deletes as items_after,
        subitems_on_board + planned_subitem_creates - planned_subitem_deletes as subitems_after
    from counted

)

select
    board_name,
    route_key,
    overflow_no,
    board_id,
    subitem_board_id,
    items_on_board,
    live_items,
    subitems_on_board,
    planned_item_creates,
    planned_item_archives,
    planned_item_deletes,
    planned_subitem_creates,
    planned_subitem_deletes,
    max_items,
    fill_target,
    items_after,
    subitems_after,
    max_items - items_after as room_items,
    max_items - subitems_after as room_subitems,
    {{ as_bool('items_after > max_items or subitems_after > max_items') }} as is_over,
    {{ as_bool('board_id is not null') }} as board_exists
from after
