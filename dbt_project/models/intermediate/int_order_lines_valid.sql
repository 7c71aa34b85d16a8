{#- Filter: the order lines staging found valid (cancelled lines included: the outbox archives
    them). A view over the stg_orders_unified table: the two tables built from it
    (int_order_lines_hashed and int_order_sizes_unpivoted) read only the columns they need. -#}
{{ config(materialized='view') }}

select *
from {{ ref('stg_orders_unified') }}
where {{ is_true('is_valid') }}
