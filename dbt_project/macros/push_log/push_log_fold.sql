{#- Folding the push log per key (issue 23). The state of a key (entity, key_board, sync_key;
    key_board is the board for groups, '' otherwise) is what the state, error and capacity views
    need of its outcome rows, and nothing else:
      ok_*       its latest outcome/ok row (by logged_at, then log_id)
      id_*       the monday ids of its latest ok row that logged a monday_id (carried onto an ok
                 that omits them, as an update outcome may), and when it was logged
      out_*      its latest outcome row, whatever its status
      good_at    the latest logged_at of an outcome that is not an error
      fail_*     the error outcomes after good_at: how many, first and last logged_at
    Intents change no state. fold(state, events) takes a state and outcome rows all LATER than
    every row the state was made from (the watermark guarantees it) and returns the state after
    them: the events' value where they have one, else the state's (for fail_*, the state's run of
    errors goes on when the events have no good outcome). The compacted model and the views read
    the same macro, so the compacted state plus the log's tail is exactly a fold of the whole log. -#}

{%- macro push_log_row_columns() -%}
    {{ return(['log_id', 'logged_at', 'run_id', 'batch_id', 'customer_name', 'board_id',
               'parent_sync_key', 'operation', 'payload_hash', 'group_title', 'item_name',
               'column_values', 'monday_id', 'monday_parent_id', 'monday_group_id']) }}
{%- endmacro -%}

{%- macro push_log_outcome_columns() -%}
    {{ return(['log_id', 'logged_at', 'status', 'operation', 'error_code', 'error_message',
               'payload_hash', 'batch_id', 'run_id', 'parent_sync_key', 'customer_name', 'board_id']) }}
{%- endmacro -%}

{%- macro push_log_id_columns() -%}
    {{ return(['monday_id', 'monday_parent_id', 'monday_group_id', 'logged_at']) }}
{%- endmacro -%}

{#- Every column of a folded state row, in order. -#}
{%- macro push_log_state_columns() -%}
    {%- set columns = ['entity', 'key_board', 'sync_key'] -%}
    {%- for c in push_log_row_columns() %}{% do columns.append('ok_' ~ c) %}{% endfor -%}
    {%- for c in push_log_id_columns() %}{% do columns.append('id_' ~ c) %}{% endfor -%}
    {%- for c in push_log_outcome_columns() %}{% do columns.append('out_' ~ c) %}{% endfor -%}
    {%- do columns.extend(['good_at', 'fail_attempts', 'first_failed_at', 'last_failed_at']) -%}
    {{ return(columns) }}
{%- endmacro -%}

{#- The state of each key over ``events`` alone (a relation or subquery of push-log rows; only
    outcome rows count). -#}
{%- macro push_log_partial_state(events) -%}
{%- set key = 'entity, key_board, sync_key' -%}
    select
        keys.entity,
        keys.key_board,
        keys.sync_key,
        {%- for c in push_log_row_columns() %}
        ok_latest.{{ c }} as ok_{{ c }},
        {%- endfor %}
        {%- for c in push_log_id_columns() %}
        id_latest.{{ c }} as id_{{ c }},
        {%- endfor %}
        {%- for c in push_log_outcome_columns() %}
        out_latest.{{ c }} as out_{{ c }},
        {%- endfor %}
        good.good_at,
        coalesce(fails.fail_attempts, 0) as fail_attempts,
        fails.first_failed_at,
        fails.last_failed_at
    from (select distinct {{ key }} from {{ events }}) as keys
    left join ({{ push_log_latest_row(events, key, "status = 'ok'") }}) as ok_latest
        on ok_latest.entity = keys.entity and ok_latest.key_board = keys.key_board and ok_latest.sync_key = keys.sync_key
    left join ({{ push_log_latest_row(events, key, "status = 'ok' and monday_id is not null") }}) as id_latest
        on id_latest.entity = keys.entity and id_latest.key_board = keys.key_board and id_latest.sync_key = keys.sync_key
    left join ({{ push_log_latest_row(events, key) }}) as out_latest
        on out_latest.entity = keys.entity and out_latest.key_board = keys.key_board and out_latest.sync_key = keys.sync_key
    left join (
        select {{ key }}, max(logged_at) as good_at
        from {{ events }} as events
        where status <> 'error'
        group by {{ key }}
    ) as good
        on good.entity = keys.entity and good.key_board = keys.key_board and good.sync_key = keys.sync_key
    left join (
        select
            events.entity,
            events.key_board,
            events.sync_key,
            count(*) as fail_attempts,
            min(events.logged_at) as first_failed_at,
            max(events.logged_at) as last_failed_at
        from {{ events }} as events
        left join (
            select {{ key }}, max(logged_at) as good_at
            from {{ events }} as events
            where status <> 'error'
            group by {{ key }}
        ) as good
            on good.entity = events.entity and good.key_board = events.key_board and good.sync_key = events.sync_key
        where events.status = 'error' and (good.good_at is null or events.logged_at > good.good_at)
        group by events.entity, events.key_board, events.sync_key
    ) as fails
        on fails.entity = keys.entity and fails.key_board = keys.key_board and fails.sync_key = keys.sync_key
{%- endmacro -%}

{#- The outcome rows of push-log ``rows`` (a relation or subquery with stg_push_log's columns)
    that ``condition`` keeps, with their key_board. -#}
{%- macro push_log_outcomes(rows, condition='1 = 1') -%}
    select
        rows_.*,
        case when rows_.entity = 'group' then coalesce(rows_.board_id, '') else '' end as key_board
    from {{ rows }} as rows_
    where rows_.phase = 'outcome' and ({{ condition }})
{%- endmacro -%}

{#- The state after ``later`` (partial states of later events, push_log_partial_state) on top of
    ``earlier`` (folded states); ``join`` 'full' keeps keys only the earlier state has, 'left' only
    the later keys (what an incremental merge rewrites). -#}
{%- macro push_log_fold(earlier, later, join='full') -%}
    select
        coalesce(later.entity, earlier.entity) as entity,
        coalesce(later.key_board, earlier.key_board) as key_board,
        coalesce(later.sync_key, earlier.sync_key) as sync_key,
        {%- for c in push_log_row_columns() %}
        case when later.ok_log_id is not null then later.ok_{{ c }} else earlier.ok_{{ c }} end as ok_{{ c }},
        {%- endfor %}
        {%- for c in push_log_id_columns() %}
        case when later.id_monday_id is not null then later.id_{{ c }} else earlier.id_{{ c }} end as id_{{ c }},
        {%- endfor %}
        {%- for c in push_log_outcome_columns() %}
        case when later.out_log_id is not null then later.out_{{ c }} else earlier.out_{{ c }} end as out_{{ c }},
        {%- endfor %}
        coalesce(later.good_at, earlier.good_at) as good_at,
        case when later.good_at is not null then coalesce(later.fail_attempts, 0)
            else coalesce(earlier.fail_attempts, 0) + coalesce(later.fail_attempts, 0) end as fail_attempts,
        case when later.good_at is not null then later.first_failed_at
            else coalesce(earlier.first_failed_at, later.first_failed_at) end as first_failed_at,
        coalesce(later.last_failed_at, case when later.good_at is null then earlier.last_failed_at end) as last_failed_at
    {%- if join == 'full' %}
    from ({{ earlier }}) as earlier
    full outer join ({{ later }}) as later
    {%- else %}
    from ({{ later }}) as later
    left join ({{ earlier }}) as earlier
    {%- endif %}
        on earlier.entity = later.entity
        and earlier.key_board = later.key_board
        and earlier.sync_key = later.sync_key
{%- endmacro -%}


{#- The latest row per ``key`` of ``events`` (among those ``where`` keeps): by logged_at, then log_id. -#}
{%- macro push_log_latest_row(events, key, where=none) %}
        select *
        from (
            select events.*, row_number() over (partition by {{ key }} order by logged_at desc, log_id desc) as recency
            from {{ events }} as events
            {%- if where %}
            where {{ where }}
            {%- endif %}
        ) as ranked
        where recency = 1
    {% endmacro %}
