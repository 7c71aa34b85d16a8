{#- The push-log rows `python -m pusher compact` archived (superseded, older than history.keep_days),
    as stg_push_log reads the hot ones, with when they were archived. -#}
with

source as (

    select * from {{ source('pusher', 'MON_PushLogArchive') }}

),

renamed as (

    select
        {{ push_log_staged_columns() | join(',\n        ') }},
        archived_at
    from source

)

select * from renamed
