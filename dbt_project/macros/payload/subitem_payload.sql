{#- A subitem's payload from its parent's sync key, its size and its quantity, as SQL
    expressions: sync_key (record_uuid|size), item_name (the size), column_values (the JSON sent,
    e.g. {"sync_key":"<uuid>|XL","size":"XL","qty":"12"}) and payload_hash (the hash of exactly
    that, see payload_hash.sql). int_order_sizes_hashed stores only the hash; the subitem outbox
    renders the rest for the rows it sends, so 8.7 million JSON texts per million order lines
    are never written. Both read this one macro, so the hash is always of what is sent. -#}
{% macro subitem_payload(parent_sync_key, size, qty) -%}
    {%- set subitems = monday_mapping()['subitems'] -%}
    {%- set sync_key = 'concat(' ~ parent_sync_key ~ ", '|', " ~ size ~ ')' -%}
    {%- set source = {'size': size, 'qty': qty} -%}
    {%- set entries = [{'id': subitems['sync_key']['id'], 'type': subitems['sync_key']['type'],
                        'value': monday_value_text(subitems['sync_key']['type'], sync_key)}] -%}
    {%- for column in subitems['columns'] -%}
        {%- if column.source not in source -%}
            {{ exceptions.raise_compiler_error("monday.yml subitems.columns: source must be size or qty, not '" ~ column.source ~ "'") }}
        {%- endif -%}
        {%- do entries.append({'id': column.id, 'type': column.type,
                               'value': monday_value_text(column.type, source[column.source])}) -%}
    {%- endfor -%}
    {%- set terms = [text_literal(mapping_signature('subitem', subitems['sync_key'], subitems['columns'])), size] -%}
    {%- for entry in entries -%}
        {%- do terms.append(entry.value) -%}
    {%- endfor -%}
    {{ return({
        'sync_key': sync_key,
        'item_name': size,
        'column_values': column_values_json(entries),
        'payload_hash': payload_hash(terms),
    }) }}
{%- endmacro %}
