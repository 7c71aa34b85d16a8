{#- Route: every scoped line with the route it belongs to (monday.yml boards.customers[NAME],
    else boards.default): route_key (the rendered board name template, e.g. 'Orders',
    'GREYSON CLOTHIERS', 'GREYSON CLOTHIERS 2025 FALL'), sizes_mode (subitems | column) and the
    route's fixed board (route_board_id, route_subitem_board_id; NULL when its boards are made on
    demand). A view: int_order_lines_placed and the hashed lines read it. -#}
{{ config(materialized='view') }}

select
    record_uuid,
    customer_name,
    order_number,
    season,
    is_cancelled,
    in_scope,
    out_of_scope_reason,
    {{ route_case_sql('name', 'customer_name', 'season') }} as route_key,
    {{ route_case_sql('sizes', 'customer_name', 'season') }} as sizes_mode,
    {{ route_case_sql('board_id', 'customer_name', 'season') }} as route_board_id,
    {{ route_case_sql('subitem_board_id', 'customer_name', 'season') }} as route_subitem_board_id
from {{ ref('int_order_lines_scoped') }}
