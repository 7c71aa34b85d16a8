{#- The pusher's append-only log, one row per event, as the state models read it. -#}
with

source as (

    select * from {{ source('pusher', 'MON_PushLog') }}

),

renamed as (

    select
        {{ push_log_staged_columns() | join(',\n        ') }}
    from source

)

select * from renamed
