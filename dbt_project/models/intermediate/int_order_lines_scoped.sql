{#- Scope: every valid line (cancelled ones included) with in_scope and, when out of scope, the
    first reason a planner can read: 'status SHIPPED', 'ex factory before 2026-09-28',
    'ex factory after 2026-12-31', 'ex factory missing', 'season 2024 FALL', 'no season'.
    monday.yml `scope` (absent: every line in scope); statuses and seasons compared trimmed and
    upper-cased, code point by code point on both engines (macros/payload/labels.sql); the date
    window is relative to build_date() (dbt var as_of_date, else today). customer_name and season
    are the trimmed, upper-cased labels the lines are grouped and routed by. -#}
{{ config(materialized='view') }}
{%- set scope = routing_config().scope -%}
{%- set window = scope.date_window -%}

with

lines as (

    select
        record_uuid,
        {{ norm_text('customer_name') }} as customer_name,
        aag_order_number as order_number,
        {{ season_sql('customer_season', 'aag_season') }} as season,
        {{ as_bool(is_cancelled_condition('order_status')) }} as is_cancelled,
        {{ norm_text('order_status') }} as status_key
        {%- if window is not none %},
        {{ snake_case(window.column) }} as window_date
        {%- endif %}
    from {{ ref('int_order_lines_valid') }}

),

{%- if window is not none %}
{%- set label = modules.re.sub(' date$', '', window.column | lower) %}

bounds as (

    select
        {% if window.days_before is not none -%}
        cast({{ dbt.dateadd('day', -1 * window.days_before, build_date()) }} as date)
        {%- else %}cast(null as date){% endif %} as window_start,
        {% if window.days_after is not none -%}
        cast({{ dbt.dateadd('day', window.days_after, build_date()) }} as date)
        {%- else %}cast(null as date){% endif %} as window_end

),
{%- endif %}

reasoned as (

    select
        lines.record_uuid,
        lines.customer_name,
        lines.order_number,
        lines.season,
        lines.is_cancelled,
        {%- if not (scope.leave_statuses or window is not none or scope.seasons or scope.season_pattern) %}
        cast(null as {{ type_text() }}) as out_of_scope_reason
        {%- else %}
        case
            {%- if scope.leave_statuses %}
            {%- set statuses = [] %}
            {%- for status in scope.leave_statuses %}{% do statuses.append(text_literal(status | trim | upper)) %}{% endfor %}
            when {{ exact_text('lines.status_key') }} in ({{ statuses | join(', ') }})
                then concat('status ', lines.status_key)
            {%- endif %}
            {%- if window is not none %}
            {%- if not window.keep_undated %}
            when lines.window_date is null then '{{ label }} missing'
            {%- endif %}
            when lines.window_date < bounds.window_start
                then concat('{{ label }} before ', {{ iso_date('bounds.window_start') }})
            when lines.window_date > bounds.window_end
                then concat('{{ label }} after ', {{ iso_date('bounds.window_end') }})
            {%- endif %}
            {%- if scope.seasons or scope.season_pattern %}
            when lines.season is null then 'no season'
            {%- endif %}
            {%- if scope.seasons %}
            {%- set seasons = [] %}
            {%- for season in scope.seasons %}{% do seasons.append(text_literal(season | trim | upper)) %}{% endfor %}
            when {{ exact_text('lines.season') }} not in ({{ seasons | join(', ') }})
                then concat('season ', lines.season)
            {%- elif scope.season_pattern %}
            when {{ exact_text('lines.season') }} not like {{ text_literal(scope.season_pattern | upper) }}
                then concat('season ', lines.season)
            {%- endif %}
        end as out_of_scope_reason
        {%- endif %}
    from lines
    {%- if window is not none %}
    cross join bounds
    {%- endif %}

)

select
    record_uuid,
    customer_name,
    order_number,
    season,
    is_cancelled,
    {{ as_bool('out_of_scope_reason is null') }} as in_scope,
    out_of_scope_reason
from reasoned
