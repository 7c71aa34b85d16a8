{#- The monday groups our pushes created or found, per board and title (latest ok event). -#}
select
    board_id,
    coalesce(group_title, sync_key) as group_title,
    monday_id as monday_group_id,
    customer_name,
    logged_at as confirmed_at
from {{ ref('int_push_log_confirmed') }}
where entity = 'group' and recency = 1
