{#- The size-curve column of `sizes: column` routes (docs/CONTRACT.md, "At scale").

    A line whose route has `sizes: column` gets no subitems: its sizes go into one item column,
    monday.yml `items.size_curve` (default {id: size_curve, title: Sizes, type: long_text}), as
    text like 'S 12 · M 24 · L 36': size name, a space, the quantity; sizes joined by ' · '
    (space, U+00B7, space), in the reference size order (size_columns()), only qty > 0. A
    column-mode line without any size gets NULL, i.e. JSON null: monday clears the column.

    size_curve_column():   the items.size_curve entry, defaults filled in.
    has_column_sizes():    true when a route (routing_config(): boards.default or a customer)
                           says `sizes: column`; known at compile time, so with none the hashed
                           models compile exactly as without this mode (no join, same hashes).
    size_curve_entry(value): the {id, type, value} entry column_values_json / payload_hash take.
    size_curve_text(size, qty): one 'S 12' part, as NVARCHAR(MAX) on SQL Server (STRING_AGG of
                           NVARCHAR(MAX) is not cut at 4,000 characters).
    size_curve_separator(): the ' · ' literal (Unicode-safe).
    size_order_values():   the reference size order as a relation (size, size_ordinal). -#}

{% macro size_curve_column() -%}
    {%- set configured = monday_mapping()['items'].get('size_curve') or {} -%}
    {%- set column = {'id': 'size_curve', 'title': 'Sizes', 'type': 'long_text'} -%}
    {%- do column.update(configured) -%}
    {%- if column['type'] not in ('long_text', 'text') -%}
        {{ exceptions.raise_compiler_error("monday.yml items.size_curve.type must be long_text or text, not '" ~ column['type'] ~ "'") }}
    {%- endif -%}
    {{ return(column) }}
{%- endmacro %}

{% macro has_column_sizes() -%}
    {%- set config = routing_config() -%}
    {%- set routes = [config.default] + (config.customers.values() | list) -%}
    {{ return(routes | selectattr('sizes', 'equalto', 'column') | list | length > 0) }}
{%- endmacro %}

{% macro size_curve_entry(value) -%}
    {%- set column = size_curve_column() -%}
    {{ return({'id': column['id'], 'type': column['type'], 'value': monday_value_text(column['type'], value)}) }}
{%- endmacro %}

{% macro size_curve_text(size, qty) -%}
    {{ concat_text([size, "' '", to_text(qty)]) }}
{%- endmacro %}

{% macro size_curve_separator() -%}
    {{ text_literal(' · ') }}
{%- endmacro %}

{% macro size_order_values() -%}
    {%- set rows = [] -%}
    {%- for size in size_columns() -%}
        {%- do rows.append('(' ~ text_literal(size.name) ~ ', ' ~ loop.index ~ ')') -%}
    {%- endfor -%}
    select size, size_ordinal
    from (values
        {{ rows | join(',\n        ') }}
    ) as size_order (size, size_ordinal)
{%- endmacro %}
