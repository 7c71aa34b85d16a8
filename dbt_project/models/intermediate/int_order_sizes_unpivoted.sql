{#- Unpivot: one row per (record_uuid, size) with a quantity above zero, from the valid order
    lines (XS=10, S=20, M=0, L=15 -> three rows). A table (as a view inlined into
    int_order_sizes_hashed, the build was slower); its grain, unique (record_uuid, size), is
    tested as unique sync_key in int_order_sizes_hashed. -#}
with

unpivoted as (

    {{ unpivot_sizes(ref('int_order_lines_valid'), 'record_uuid', size_columns()) }}

)

select
    record_uuid,
    size,
    qty
from unpivoted
