{#- Every board of every route: the fixed boards of monday.yml (source 'config', board 1 of
    their route) and the boards the pusher made or found by name (push log entity 'board', latest
    ok event: source 'created' or 'adopted'). A config board wins over a log row with its name or
    id. route_key and overflow_no place a board in its route; board_name is route_key for board
    1, '<route_key> (n)' after; sizes_mode is the route's when the board was configured or made. -#}
{%- set config = routing_config() -%}
{%- set fixed = [] -%}
{%- if config.default.board_id is not none -%}
    {%- do fixed.append({'route_key': config.default.name, 'route': config.default}) -%}
{%- endif -%}
{%- for name, route in config.customers.items() if route.board_id is not none -%}
    {%- do fixed.append({'route_key': route.name | replace('{customer}', name), 'route': route}) -%}
{%- endfor %}

with

config_boards as (

    {%- for board in fixed %}
    select
        cast({{ text_literal(board.route_key) }} as {{ type_text() }}) as route_key,
        1 as overflow_no,
        cast({{ text_literal(board.route_key) }} as {{ type_text() }}) as board_name,
        cast({{ text_literal(board.route.board_id) }} as varchar(32)) as board_id,
        cast({{ text_literal(board.route.subitem_board_id) if board.route.subitem_board_id is not none else 'null' }} as varchar(32)) as subitem_board_id,
        cast({{ text_literal(board.route.sizes) }} as varchar(10)) as sizes_mode,
        'config' as source,
        cast(null as {{ dbt.type_timestamp() }}) as created_at
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ type_text() }}) as route_key,
        1 as overflow_no,
        cast(null as {{ type_text() }}) as board_name,
        cast(null as varchar(32)) as board_id,
        cast(null as varchar(32)) as subitem_board_id,
        cast(null as varchar(10)) as sizes_mode,
        'config' as source,
        cast(null as {{ dbt.type_timestamp() }}) as created_at
    where 1 = 0
    {%- endfor %}

),

logged_boards as (

    select
        cast(parent_sync_key as {{ type_text() }}) as route_key,
        cast({{ json_text('column_values', 'overflow_no') }} as integer) as overflow_no,
        cast(sync_key as {{ type_text() }}) as board_name,
        cast(monday_id as varchar(32)) as board_id,
        cast(monday_parent_id as varchar(32)) as subitem_board_id,
        cast({{ json_text('column_values', 'sizes') }} as varchar(10)) as sizes_mode,
        case when operation = 'adopt' then 'adopted' else 'created' end as source,
        logged_at as created_at
    from {{ ref('int_push_log_confirmed') }}
    where entity = 'board' and recency = 1

)

select * from config_boards
union all
select * from logged_boards
where not exists (
    select 1
    from config_boards
    where config_boards.board_name = logged_boards.board_name
        or config_boards.board_id = logged_boards.board_id
)
