{#- Turning mapped source values into monday column values.

    monday_value_text(type, expr): the value as monday reads it, as text (NULL stays NULL):
        text, status, dropdown, long_text: the text itself; numbers: the SQL rendering of the
        number ('42', '12.50'); date: 'YYYY-MM-DD'.
    monday_json_value(type, text): the JSON sent for it in column_values (docs/CONTRACT.md):
        text "x", numbers "42" (a JSON string), date {"date":"2026-06-15"},
        status {"label":"X"}, dropdown {"labels":["X"]}, long_text {"text":"..."}, NULL -> null.
    column_values_json(entries): the full column_values object, keys in mapping order, no
        whitespace: {"sync_key":"...","order_number":"AAG-0100001",...}; entries are
        [{id, type, value}] with value a text column/expression from monday_value_text. -#}

{% macro monday_value_text(column_type, expr) -%}
    {%- if column_type == 'numbers' -%}
        {{ to_text(expr) }}
    {%- elif column_type == 'date' -%}
        {{ iso_date(expr) }}
    {%- elif column_type in ('text', 'status', 'dropdown', 'long_text') -%}
        {{ expr }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("monday.yml: column type '" ~ column_type ~ "' is not supported (text, numbers, date, status, dropdown, long_text)") }}
    {%- endif -%}
{%- endmacro %}

{% macro monday_json_value(column_type, text) -%}
    {%- set wrap = {
        'text': ('', ''), 'numbers': ('', ''),
        'date': ('{"date":', '}'), 'status': ('{"label":', '}'),
        'dropdown': ('{"labels":[', ']}'), 'long_text': ('{"text":', '}')
    } -%}
    {%- set prefix, suffix = wrap[column_type] -%}
    {%- if prefix == '' -%}
        coalesce({{ json_string(text) }}, 'null')
    {%- else -%}
        case when {{ text }} is null then 'null' else {{ concat_text(["'" ~ prefix ~ "'", json_string(text), "'" ~ suffix ~ "'"]) }} end
    {%- endif -%}
{%- endmacro %}

{% macro column_values_json(entries) -%}
    {%- set parts = [] -%}
    {%- for entry in entries -%}
        {%- do parts.append("'" ~ ('{' if loop.first else ',') ~ (entry.id | tojson | replace("'", "''")) ~ ":'") -%}
        {%- do parts.append(monday_json_value(entry.type, entry.value)) -%}
    {%- endfor -%}
    {%- do parts.append("'}'") -%}
    {{ concat_text(parts) }}
{%- endmacro %}
