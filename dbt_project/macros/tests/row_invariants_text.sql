{#- The example key or value row_invariants reports: the columns as text joined by ' | ', a typed
    NULL when there are none. Uses the dialect macros to_text and concat_text. -#}
{% macro row_invariants_text(columns) -%}
    {%- if not columns -%}
        {{ to_text('null') }}
    {%- elif columns | length == 1 -%}
        {{ to_text(columns[0]) }}
    {%- else -%}
        {%- set parts = [] -%}
        {%- for column in columns -%}
            {%- if not loop.first %}{% do parts.append(text_literal(' | ')) %}{% endif -%}
            {%- do parts.append(to_text(column)) -%}
        {%- endfor -%}
        {{ concat_text(parts) }}
    {%- endif -%}
{%- endmacro %}

{#- The keys of `relation` on more than one row, with their row count (rows_with_key): the grain
    check of row_invariants and the example its failure report looks up both read this. -#}
{% macro row_invariants_repeated(relation, columns) -%}
    select {{ columns | join(', ') }}, count(*) as rows_with_key
    from {{ relation }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{%- endmacro %}
