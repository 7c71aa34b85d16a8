{#- True when the order status is one of monday.yml's sync.cancelled_statuses (trimmed,
    case-insensitive). -#}
{% macro is_cancelled_condition(status_column) -%}
    {%- set statuses = [] -%}
    {%- for status in monday_mapping()['sync']['cancelled_statuses'] -%}
        {%- do statuses.append(text_literal(status | upper)) -%}
    {%- endfor -%}
    upper(ltrim(rtrim({{ status_column }}))) in ({{ statuses | join(', ') }})
{%- endmacro %}
