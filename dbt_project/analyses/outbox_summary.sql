{#- What the next push would do, per customer: `dbt compile -s outbox_summary`, then run the SQL
    in target/compiled/order_sync/analyses/ (or `dbt show -s outbox_summary`). -#}
with

items as (

    select customer_name, 'item' as entity, operation, change_reason
    from {{ ref('STG_MON_CustMasterSchedule') }}

),

subitems as (

    select customer_name, 'subitem' as entity, operation, change_reason
    from {{ ref('STG_MON_CustMasterSchedule_Subitems') }}

),

operations as (

    select * from items
    union all
    select * from subitems

)

select
    customer_name,
    entity,
    operation,
    change_reason,
    count(*) as operations
from operations
group by customer_name, entity, operation, change_reason
