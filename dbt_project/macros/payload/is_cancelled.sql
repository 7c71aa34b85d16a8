{#- True when the order status is one of monday.yml's sync.cancelled_statuses (default CANCELLED
    and CANCELED), compared trimmed and case-insensitively: norm_text against the upper-cased
    list, code point by code point on both engines (exact_text). -#}
{% macro is_cancelled_condition(status_column) -%}
    {%- set statuses = [] -%}
    {%- for status in monday_mapping()['sync'].get('cancelled_statuses', ['CANCELLED', 'CANCELED']) -%}
        {%- do statuses.append(text_literal(status | trim | upper)) -%}
    {%- endfor -%}
    {{ exact_text(norm_text(status_column)) }} in ({{ statuses | join(', ') }})
{%- endmacro %}
