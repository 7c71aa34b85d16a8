{#- Aggregate: one row per line of a `sizes: column` route with its size curve, e.g.
    'S 12 · M 24 · L 36' (sizes in the reference size order, only qty > 0; macros/payload/
    size_curve.sql). A column-mode line without sizes has a NULL curve (monday clears the column).
    Lines of subitems routes have no row: int_order_lines_hashed tells the modes apart by it. -#}

with

column_lines as (

    select record_uuid
    from {{ ref('int_order_lines_routed') }}
    where sizes_mode = 'column'

),

sizes as (

    select * from {{ ref('int_order_sizes_unpivoted') }}

),

size_order as (

    {{ size_order_values() }}

),

curves as (

    select
        sizes.record_uuid,
        {{ dbt.listagg(size_curve_text('sizes.size', 'sizes.qty'), size_curve_separator(), 'order by size_order.size_ordinal') }} as size_curve
    from column_lines
    inner join sizes
        on sizes.record_uuid = column_lines.record_uuid
    inner join size_order
        on size_order.size = sizes.size
    group by sizes.record_uuid

),

final as (

    select
        column_lines.record_uuid,
        curves.size_curve
    from column_lines
    left join curves
        on curves.record_uuid = column_lines.record_uuid

)

select * from final
