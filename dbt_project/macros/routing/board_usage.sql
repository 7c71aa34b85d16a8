{#- What is on each monday board now, from the confirmed state: one row per board_id with
    items_on_board (live + archived: monday does not say whether archived items count, so they
    do; deleted ones do not), live_items and subitems_on_board (live subitems whose parent item
    was not deleted). A subquery for int_order_lines_placed and MON_BoardCapacity. -#}
{% macro board_usage_sql() -%}
    select
        board_id,
        sum(items_on_board) as items_on_board,
        sum(live_items) as live_items,
        sum(subitems_on_board) as subitems_on_board
    from (
        select
            board_id,
            1 as items_on_board,
            case when {{ is_true('is_live') }} then 1 else 0 end as live_items,
            0 as subitems_on_board
        from {{ ref('MON_CustMasterSchedule') }}
        where not ({{ is_true('is_deleted') }})
        union all
        select
            subitems.board_id,
            0 as items_on_board,
            0 as live_items,
            1 as subitems_on_board
        from {{ ref('MON_CustMasterSchedule_Subitems') }} as subitems
        where {{ is_true('subitems.is_live') }}
            and not exists (
                select 1
                from {{ ref('MON_CustMasterSchedule') }} as parents
                where parents.sync_key = subitems.parent_sync_key
                    and parents.monday_item_id = subitems.monday_parent_item_id
                    and {{ is_true('parents.is_deleted') }}
            )
    ) as usage
    where board_id is not null
    group by board_id
{%- endmacro %}
