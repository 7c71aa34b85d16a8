{#- SQL pieces of scope and routing, from routing_config().

    build_date(): the date the scope window is relative to: the dbt var as_of_date
        ('YYYY-MM-DD', tests) else today (dbt's cross-database current_timestamp).
    norm_text(expr): trimmed (spaces, tabs, CR/LF, no-break spaces), upper-cased text, NULL when
        blank: the rule for customer, status and season keys (macros/payload/labels.sql); compare
        it with configured values through exact_text.
    route_name_sql(template, customer, season): a route's board name template ({customer},
        {season}; a line without a season renders 'No season') as a text expression.
    route_case_sql(key, customer, season): a CASE over the customer entries of monday.yml giving
        route key `key` (name, sizes, board_id, subitem_board_id) of the line's route. -#}

{% macro build_date() -%}
    {%- set as_of = var('as_of_date', none) -%}
    {%- if as_of is not none -%}
        {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', as_of | string) -%}
            {{ exceptions.raise_compiler_error("dbt var as_of_date is '" ~ as_of ~ "'; use 'YYYY-MM-DD'") }}
        {%- endif -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro norm_text(expr) -%}
    nullif({{ fold_case(trim_blank(expr)) }}, '')
{%- endmacro %}

{% macro route_name_sql(template, customer, season) -%}
    {%- set parts = [] -%}
    {%- for piece in modules.re.split('(\\{customer\\}|\\{season\\})', template) if piece != '' -%}
        {%- if piece == '{customer}' -%}
            {%- do parts.append(norm_text(customer)) -%}
        {%- elif piece == '{season}' -%}
            {%- do parts.append('coalesce(' ~ norm_text(season) ~ ", 'No season')") -%}
        {%- else -%}
            {%- do parts.append(text_literal(piece)) -%}
        {%- endif -%}
    {%- endfor -%}
    cast({{ concat_text(parts) if parts | length > 1 else parts[0] }} as {{ type_text() }})
{%- endmacro %}

{% macro _route_value_sql(route, key, customer, season) -%}
    {%- if key == 'name' -%}
        {{ route_name_sql(route.name, customer, season) }}
    {%- elif route[key] is none -%}
        cast(null as varchar(32))
    {%- else -%}
        {{ text_literal(route[key]) }}
    {%- endif -%}
{%- endmacro %}

{% macro route_case_sql(key, customer, season) -%}
    {%- set config = routing_config() -%}
    {%- if config.customers -%}
    case {{ exact_text(norm_text(customer)) }}
        {%- for name, route in config.customers.items() %}
        when {{ text_literal(name) }} then {{ _route_value_sql(route, key, customer, season) }}
        {%- endfor %}
        else {{ _route_value_sql(config.default, key, customer, season) }}
    end
    {%- else -%}
    {{ _route_value_sql(config.default, key, customer, season) }}
    {%- endif -%}
{%- endmacro %}
