{#- Unpivot: one row per (record_uuid, size) with a quantity above zero, from the valid order
    lines (XS=10, S=20, M=0, L=15 -> three rows). A table (as a view inlined into
    int_order_sizes_hashed the build was no faster); its grain, unique (record_uuid, size), is
    tested on int_order_sizes_hashed as unique (parent_sync_key, size). -#}
with

unpivoted as (

    {{ unpivot_sizes(ref('int_order_lines_valid'), 'record_uuid', size_columns()) }}

)

select
    record_uuid,
    size,
    qty
from unpivoted
