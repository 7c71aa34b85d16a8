{#- Place: the board of every active line (valid, in scope, not cancelled), stable across runs.
      1. a line live on a board of its own route keeps that board;
      2. a line of an order (customer, order number) with lines kept on a board of the route
         goes to that board (the lowest one if several);
      3. the other orders of a route are packed whole, in order_number order, onto the route's
         existing boards with room (overflow order) and then onto new boards.
    An order weighs max(lines, sizes) (sizes = its subitems; 0 in sizes: column routes), since a
    board and its subitems board each hold max_items_per_board. Packing uses window sums over the
    weights: with T = max_items_per_board - capacity_margin and W the largest order to pack, an
    order starting at cumulative weight p goes to the board whose segment holds p, segments being
    (room - W) long on existing boards and C = T - W on new ones. An order may straddle its
    segment's end by less than W, so no planned board passes T. An order heavier than T goes
    alone onto a board of its own after the others (MON_BoardCapacity shows it is_over).
    board_id / subitem_board_id are NULL while the board is not made yet. -#}
{%- set config = routing_config() -%}
{%- set fill_target = config.fill_target %}

with

lines as (

    select record_uuid, customer_name, order_number, route_key, sizes_mode
    from {{ ref('int_order_lines_routed') }}
    where {{ is_true('in_scope') }} and not ({{ is_true('is_cancelled') }})

),

boards as (

    select route_key, overflow_no, board_name, board_id, subitem_board_id
    from {{ ref('MON_Boards') }}

),

size_counts as (

    select record_uuid, count(*) as sizes
    from {{ ref('int_order_sizes_unpivoted') }}
    group by record_uuid

),

live_on_route as (

    select lines.record_uuid, min(boards.overflow_no) as overflow_no
    from lines
    inner join {{ ref('MON_CustMasterSchedule') }} as items
        on items.sync_key = lines.record_uuid
    inner join boards
        on boards.board_id = items.board_id
        and boards.route_key = lines.route_key
    where {{ is_true('items.is_live') }}
    group by lines.record_uuid

),

order_home as (

    select lines.route_key, lines.customer_name, lines.order_number, min(live_on_route.overflow_no) as overflow_no
    from lines
    inner join live_on_route
        on live_on_route.record_uuid = lines.record_uuid
    group by lines.route_key, lines.customer_name, lines.order_number

),

sized as (

    select
        lines.*,
        live_on_route.overflow_no as live_overflow_no,
        order_home.overflow_no as home_overflow_no,
        case when lines.sizes_mode = 'subitems' then coalesce(size_counts.sizes, 0) else 0 end as sizes
    from lines
    left join live_on_route
        on live_on_route.record_uuid = lines.record_uuid
    left join order_home
        on order_home.route_key = lines.route_key
        and order_home.customer_name = lines.customer_name
        and order_home.order_number = lines.order_number
    left join size_counts
        on size_counts.record_uuid = lines.record_uuid

),

usage as (

    {{ board_usage_sql() }}

),

{#- Room on the route's existing boards: what is on them, plus the new lines rule 2 puts there. #}
joining as (

    select route_key, home_overflow_no as overflow_no, count(*) as items, sum(sizes) as sizes
    from sized
    where live_overflow_no is null and home_overflow_no is not null
    group by route_key, home_overflow_no

),

rooms as (

    select
        boards.route_key,
        boards.overflow_no,
        {{ fill_target }} - case
            when coalesce(usage.items_on_board, 0) + coalesce(joining.items, 0)
                > coalesce(usage.subitems_on_board, 0) + coalesce(joining.sizes, 0)
            then coalesce(usage.items_on_board, 0) + coalesce(joining.items, 0)
            else coalesce(usage.subitems_on_board, 0) + coalesce(joining.sizes, 0)
        end as room
    from boards
    left join usage
        on usage.board_id = boards.board_id
    left join joining
        on joining.route_key = boards.route_key
        and joining.overflow_no = boards.overflow_no

),

orders as (

    select
        route_key,
        customer_name,
        order_number,
        case when sum(sizes) > count(*) then sum(sizes) else count(*) end as weight
    from sized
    where home_overflow_no is null
    group by route_key, customer_name, order_number

),

routes as (

    select
        orders.route_key,
        max(case when orders.weight <= {{ fill_target }} then orders.weight else 0 end) as widest,
        coalesce(max(last_board.overflow_no), 0) as last_overflow_no
    from orders
    left join (
        select route_key, max(overflow_no) as overflow_no from boards group by route_key
    ) as last_board
        on last_board.route_key = orders.route_key
    group by orders.route_key

),

segments as (

    select
        rooms.route_key,
        rooms.overflow_no,
        sum(rooms.room - routes.widest) over (
            partition by rooms.route_key order by rooms.overflow_no rows between unbounded preceding and current row
        ) as segment_end,
        rooms.room - routes.widest as segment_length
    from rooms
    inner join routes
        on routes.route_key = rooms.route_key
    where rooms.room - routes.widest > 0

),

existing_length as (

    select route_key, max(segment_end) as total
    from segments
    group by route_key

),

positioned as (

    select
        orders.*,
        sum(orders.weight) over (
            partition by orders.route_key order by orders.order_number, orders.customer_name
            rows between unbounded preceding and current row
        ) - orders.weight as start_at
    from orders
    where orders.weight <= {{ fill_target }}

),

packed as (

    select
        positioned.route_key,
        positioned.customer_name,
        positioned.order_number,
        coalesce(
            segments.overflow_no,
            routes.last_overflow_no + 1 + cast(floor(
                (positioned.start_at - coalesce(existing_length.total, 0)) * 1.0
                / case when {{ fill_target }} - routes.widest > 1 then {{ fill_target }} - routes.widest else 1 end
            ) as integer)
        ) as overflow_no
    from positioned
    inner join routes
        on routes.route_key = positioned.route_key
    left join existing_length
        on existing_length.route_key = positioned.route_key
    left join segments
        on segments.route_key = positioned.route_key
        and positioned.start_at >= segments.segment_end - segments.segment_length
        and positioned.start_at < segments.segment_end

),

heavy as (

    select
        orders.route_key,
        orders.customer_name,
        orders.order_number,
        coalesce(used.overflow_no, routes.last_overflow_no) + row_number() over (
            partition by orders.route_key order by orders.order_number, orders.customer_name
        ) as overflow_no
    from orders
    inner join routes
        on routes.route_key = orders.route_key
    left join (
        select route_key, max(overflow_no) as overflow_no from packed group by route_key
    ) as used
        on used.route_key = orders.route_key
        and used.overflow_no > routes.last_overflow_no
    where orders.weight > {{ fill_target }}

),

order_boards as (

    select * from packed
    union all
    select * from heavy

),

placed as (

    select
        sized.record_uuid,
        sized.customer_name,
        sized.order_number,
        sized.route_key,
        coalesce(sized.live_overflow_no, sized.home_overflow_no, order_boards.overflow_no) as overflow_no,
        sized.sizes_mode
    from sized
    left join order_boards
        on order_boards.route_key = sized.route_key
        and order_boards.customer_name = sized.customer_name
        and order_boards.order_number = sized.order_number

)

select
    placed.record_uuid,
    placed.customer_name,
    placed.order_number,
    placed.route_key,
    placed.overflow_no,
    coalesce(
        boards.board_name,
        case when placed.overflow_no = 1 then placed.route_key
            else concat(placed.route_key, ' (', placed.overflow_no, ')') end
    ) as board_name,
    placed.sizes_mode,
    boards.board_id,
    boards.subitem_board_id
from placed
left join boards
    on boards.route_key = placed.route_key
    and boards.overflow_no = placed.overflow_no
