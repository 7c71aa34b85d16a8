{#- The boards / scope / sync settings of monday_mapping() with every default filled in and the
    checks SQL depends on (pusher/config/rules.py runs the full set when codegen writes the
    mapping and when the pusher loads monday.yml; these catch a bad mapping passed as the dbt var
    order_sync_mapping):

    {max_items, margin, fill_target, auto_create,
     default: route, customers: {UPPER TRIMMED NAME: route},
     scope: {leave_statuses, date_window (or none), seasons, season_pattern},
     on_out_of_scope, on_move}
    route: {board_id, subitem_board_id, name, split_by, sizes}
    Defaults keep the behaviour from before routes existed: one route "Orders" for everyone, no
    scope (every valid line), subitems, archive on leaving scope and on a move. -#}
{% macro routing_config() -%}
    {%- set mapping = monday_mapping() -%}
    {%- set boards = mapping.get('boards') or {} -%}
    {%- set sync = mapping.get('sync') or {} -%}
    {%- set max_items = boards.get('max_items_per_board', 10000) | int -%}
    {%- set margin = boards.get('capacity_margin', 500) | int -%}
    {%- if max_items < 1 or margin < 0 or margin >= max_items -%}
        {{ exceptions.raise_compiler_error("monday.yml boards: max_items_per_board must be positive and capacity_margin from 0 to max_items_per_board - 1") }}
    {%- endif -%}
    {%- set customers = {} -%}
    {%- for name, route in (boards.get('customers') or {}).items() -%}
        {%- do customers.update({(name | trim | upper): _routing_route(route, 'boards.customers[' ~ name ~ ']', '{customer}')}) -%}
    {%- endfor -%}
    {%- set default = _routing_route(boards.get('default') or {}, 'boards.default', 'Orders') -%}
    {%- if default.board_id is not none and '{customer}' in default.name -%}
        {{ exceptions.raise_compiler_error("monday.yml boards.default: board_id with a name using {customer} would make one board every customer's board 1; remove board_id or {customer}") }}
    {%- endif -%}
    {%- set scope = mapping.get('scope') or {} -%}
    {%- set window = scope.get('date_window') -%}
    {%- if window is not none -%}
        {%- set date_columns = ['ORDER DATE PO RECEIVED', 'EX FACTORY DATE', 'ETA CUSTOMER WAREHOUSE DATE'] -%}
        {%- if window.get('column') not in date_columns -%}
            {{ exceptions.raise_compiler_error("monday.yml scope.date_window.column is '" ~ window.get('column') ~ "'; use one of the date columns " ~ date_columns | join(', ')) }}
        {%- endif -%}
        {%- set window = {'column': window['column'], 'days_before': window.get('days_before'),
                          'days_after': window.get('days_after'), 'keep_undated': window.get('keep_undated', true)} -%}
    {%- endif -%}
    {%- set on_out_of_scope = sync.get('on_out_of_scope', 'archive') -%}
    {%- set on_move = sync.get('on_move', 'archive') -%}
    {%- if on_out_of_scope not in ('archive', 'delete', 'keep') -%}
        {{ exceptions.raise_compiler_error("monday.yml sync.on_out_of_scope is '" ~ on_out_of_scope ~ "'; use archive, delete or keep") }}
    {%- endif -%}
    {%- if on_move not in ('archive', 'delete') -%}
        {{ exceptions.raise_compiler_error("monday.yml sync.on_move is '" ~ on_move ~ "'; use archive or delete") }}
    {%- endif -%}
    {{ return({
        'max_items': max_items, 'margin': margin, 'fill_target': max_items - margin,
        'auto_create': boards.get('auto_create', false),
        'default': default, 'customers': customers,
        'scope': {'leave_statuses': scope.get('leave_statuses') or [], 'date_window': window,
                  'seasons': scope.get('seasons') or [], 'season_pattern': scope.get('season_pattern')},
        'on_out_of_scope': on_out_of_scope, 'on_move': on_move,
    }) }}
{%- endmacro %}

{#- One route with its defaults; `where` names it in errors, plain_name is the name without split. -#}
{% macro _routing_route(route, where, plain_name) -%}
    {%- set split_by = route.get('split_by') or 'none' -%}
    {%- set sizes = route.get('sizes') or 'subitems' -%}
    {%- if split_by not in ('none', 'season') -%}
        {{ exceptions.raise_compiler_error("monday.yml " ~ where ~ ".split_by is '" ~ split_by ~ "'; use none or season") }}
    {%- endif -%}
    {%- if sizes not in ('subitems', 'column') -%}
        {{ exceptions.raise_compiler_error("monday.yml " ~ where ~ ".sizes is '" ~ sizes ~ "'; use subitems or column") }}
    {%- endif -%}
    {%- if route.get('board_id') is not none and split_by == 'season' -%}
        {{ exceptions.raise_compiler_error("monday.yml " ~ where ~ ": board_id together with split_by: season is not allowed; remove board_id and let the season boards be made on demand") }}
    {%- endif -%}
    {%- set name = route.get('name') or ('{customer} {season}' if split_by == 'season' else plain_name) -%}
    {%- if ('{season}' in name) != (split_by == 'season') -%}
        {{ exceptions.raise_compiler_error("monday.yml " ~ where ~ ".name '" ~ name ~ "': {season} goes with split_by: season (and split_by: season needs {season})") }}
    {%- endif -%}
    {{ return({
        'board_id': (route['board_id'] | string) if route.get('board_id') is not none else none,
        'subitem_board_id': (route['subitem_board_id'] | string) if route.get('subitem_board_id') is not none else none,
        'name': name, 'split_by': split_by, 'sizes': sizes,
    }) }}
{%- endmacro %}
