{#- Warns when the item outbox would archive more than monday.yml sync.max_archive_share of the
    live items (an empty or truncated ORDERS_UNIFIED must never read as "archive everything").
    The pusher enforces the limit (it refuses such a run unless --force); this makes it visible
    in `dbt build` output too. -#}
{{ config(severity='warn') }}
{%- set share = monday_mapping()['sync']['max_archive_share'] %}

with

live as (

    select count(*) as live_items
    from {{ ref('MON_CustMasterSchedule') }}
    where {{ is_true('is_live') }}

),

archives as (

    select count(*) as archives
    from {{ ref('STG_MON_CustMasterSchedule') }}
    where operation = 'archive'

)

select
    archives.archives,
    live.live_items
from archives
cross join live
where archives.archives > 0
    and archives.archives > {{ share }} * live.live_items
