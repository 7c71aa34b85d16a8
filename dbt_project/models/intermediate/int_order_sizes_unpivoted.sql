{#- Unpivot: one row per (record_uuid, size) with a quantity above zero, from the valid order
    lines (XS=10, S=20, M=0, L=15 -> three rows). A table: the placement, the size curves and
    the subitem outbox all read it (the outbox compares these quantities with the confirmed ones,
    no hash per subitem). Its grain, unique (record_uuid, size), is tested here. -#}
with

unpivoted as (

    {{ unpivot_sizes(ref('int_order_lines_valid'), 'record_uuid', size_columns()) }}

)

select
    record_uuid,
    size,
    qty
from unpivoted
