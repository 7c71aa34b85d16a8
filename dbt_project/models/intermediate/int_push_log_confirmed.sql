{#- Rank: the outcome/ok events of the push log (what monday confirmed), newest first per key,
    with the last monday ids known for the key carried onto each event (an update outcome that
    omits an id keeps the one an earlier create or adopt logged). The key is (entity, sync_key)
    for items and subitems and (entity, board_id, sync_key) for groups: a group is one title on
    one board. A view: the state models and the outbox must see the pusher's latest ok at once. -#}
{{ config(materialized='view') }}

with

ok_events as (

    select
        push_log.*,
        case when entity = 'group' then coalesce(board_id, '') else '' end as key_board
    from {{ ref('stg_push_log') }} as push_log
    where phase = 'outcome' and status = 'ok'

),

ranked as (

    select
        ok_events.*,
        row_number() over (
            partition by entity, key_board, sync_key order by logged_at desc, log_id desc
        ) as recency
    from ok_events

),

last_ids as (

    select
        entity,
        key_board,
        sync_key,
        monday_id as last_monday_id,
        monday_parent_id as last_monday_parent_id,
        monday_group_id as last_monday_group_id
    from (
        select
            entity,
            key_board,
            sync_key,
            monday_id,
            monday_parent_id,
            monday_group_id,
            row_number() over (
                partition by entity, key_board, sync_key order by logged_at desc, log_id desc
            ) as recency
        from ok_events
        where monday_id is not null
    ) as with_id
    where recency = 1

)

select
    ranked.log_id,
    ranked.logged_at,
    ranked.run_id,
    ranked.batch_id,
    ranked.customer_name,
    ranked.board_id,
    ranked.entity,
    ranked.sync_key,
    ranked.parent_sync_key,
    ranked.operation,
    ranked.payload_hash,
    ranked.group_title,
    ranked.item_name,
    ranked.column_values,
    coalesce(ranked.monday_id, last_ids.last_monday_id) as monday_id,
    coalesce(ranked.monday_parent_id, last_ids.last_monday_parent_id) as monday_parent_id,
    coalesce(ranked.monday_group_id, last_ids.last_monday_group_id) as monday_group_id,
    ranked.recency
from ranked
left join last_ids
    on last_ids.entity = ranked.entity
    and last_ids.key_board = ranked.key_board
    and last_ids.sync_key = ranked.sync_key
