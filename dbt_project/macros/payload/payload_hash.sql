{#- payload_hash: lower-case hex SHA-256 of exactly what is sent for an item or subitem.

    The hashed text is the terms below, each rendered with hash_term, joined with '|':
      items:    signature, group_title, item_name, sync key, then every mapped value in
                monday.yml order (items.columns)
      subitems: signature, item_name (the size), sync key, then every mapped value
                (subitems.columns: size, qty)
    - a value is its monday_value_text (the text inside the JSON: 'AAG-0100001', '42', '12.50',
      '2026-06-15', the status label, ...);
    - hash_term: NULL -> \N; otherwise '\' -> '\\', then '|' -> '\|'. So NULL, '' and 'N'
      give different hashes and no value can fake a term boundary;
    - signature: '<entity>;<id>:<type>;...' for the sync key column and every mapped column
      (e.g. 'item;sync_key:text;order_number:text;...'), so a changed mapping (a column added,
      renamed, retyped) changes every hash and resends every row.
    Python equivalent (tests/dbt/test_build.py pins it):
      sha256('|'.join('\\N' if t is None else t.replace('\\', '\\\\').replace('|', '\\|')
                      for t in terms).encode('utf-8')).hexdigest()
    On SQL Server the same text is hashed as UTF-16LE (see sha256_hex). -#}

{% macro hash_term(expr) -%}
    coalesce(replace(replace({{ expr }}, '\', '\\'), '|', '\|'), '\N')
{%- endmacro %}

{% macro mapping_signature(entity, sync_key, columns) -%}
    {%- set parts = [entity, sync_key.id ~ ':' ~ sync_key.type] -%}
    {%- for column in columns -%}
        {%- do parts.append(column.id ~ ':' ~ column.type) -%}
    {%- endfor -%}
    {{ return(parts | join(';')) }}
{%- endmacro %}

{#- terms: SQL text expressions (NULL allowed) in hashing order, signature first. -#}
{% macro payload_hash(terms) -%}
    {%- set rendered = [] -%}
    {%- for term in terms -%}
        {%- do rendered.append(hash_term(term)) -%}
    {%- endfor -%}
    {{ sha256_hex(rendered) }}
{%- endmacro %}
