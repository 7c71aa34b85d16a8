{#- The item outbox: one row per item operation still to do (docs/CONTRACT.md).
      create  / new        an active line with no live confirmed item
      update  / changed    an active line whose payload_hash differs from the confirmed one
      archive / cancelled  a cancelled line whose item is live (sync.on_cancel: archive)
      archive / vanished   a live item whose record_uuid is no longer in ORDERS_UNIFIED at all
    A quarantined row is still in ORDERS_UNIFIED, so it is not "vanished": its item stays as it
    is. A view over the hashed lines and the push log: a row leaves as soon as its ok is logged. -#}
{%- set sync = monday_mapping()['sync'] -%}
{%- set items = monday_mapping()['items'] -%}
{%- set id_of = {} -%}
{%- for column in items['columns'] -%}
    {%- do id_of.update({column.source: column.id}) -%}
{%- endfor -%}

with

lines as (

    select * from {{ ref('int_order_lines_hashed') }}

),

source_keys as (

    select distinct record_uuid
    from {{ ref('int_order_lines_checked') }}
    where record_uuid is not null

),

confirmed as (

    select *
    from {{ ref('MON_CustMasterSchedule') }}
    where {{ is_true('is_live') }}

),

creates as (

    select
        lines.customer_name,
        lines.record_uuid as sync_key,
        'create' as operation,
        'new' as change_reason,
        cast(null as varchar(32)) as monday_item_id,
        lines.group_title,
        cast(null as {{ type_text() }}) as confirmed_group_title,
        lines.item_name,
        lines.column_values,
        cast(null as {{ type_text() }}) as confirmed_column_values,
        lines.payload_hash,
        cast(null as varchar(64)) as confirmed_payload_hash,
        lines.order_number,
        lines.po_number,
        lines.season
    from lines
    left join confirmed
        on confirmed.sync_key = lines.record_uuid
    where not ({{ is_true('lines.is_cancelled') }})
        and confirmed.sync_key is null

),

updates as (

    select
        lines.customer_name,
        lines.record_uuid as sync_key,
        'update' as operation,
        'changed' as change_reason,
        confirmed.monday_item_id,
        lines.group_title,
        confirmed.group_title as confirmed_group_title,
        lines.item_name,
        lines.column_values,
        confirmed.column_values as confirmed_column_values,
        lines.payload_hash,
        confirmed.payload_hash as confirmed_payload_hash,
        lines.order_number,
        lines.po_number,
        lines.season
    from lines
    inner join confirmed
        on confirmed.sync_key = lines.record_uuid
    where not ({{ is_true('lines.is_cancelled') }})
        and (confirmed.payload_hash is null or confirmed.payload_hash <> lines.payload_hash)

),

{%- if sync['on_cancel'] not in ('archive', 'none') %}
{{ exceptions.raise_compiler_error("monday.yml sync.on_cancel must be 'archive' or 'none', not '" ~ sync['on_cancel'] ~ "'") }}
{%- endif %}

cancelled as (

    select
        lines.customer_name,
        lines.record_uuid as sync_key,
        'archive' as operation,
        'cancelled' as change_reason,
        confirmed.monday_item_id,
        lines.group_title,
        confirmed.group_title as confirmed_group_title,
        lines.item_name,
        lines.column_values,
        confirmed.column_values as confirmed_column_values,
        lines.payload_hash,
        confirmed.payload_hash as confirmed_payload_hash,
        lines.order_number,
        lines.po_number,
        lines.season
    from lines
    inner join confirmed
        on confirmed.sync_key = lines.record_uuid
    where {{ is_true('lines.is_cancelled') }}
        {%- if sync['on_cancel'] != 'archive' %}
        and 1 = 0  -- sync.on_cancel: none leaves cancelled and vanished lines on monday
        {%- endif %}

),

vanished as (

    select
        confirmed.customer_name,
        confirmed.sync_key,
        'archive' as operation,
        'vanished' as change_reason,
        confirmed.monday_item_id,
        confirmed.group_title,
        confirmed.group_title as confirmed_group_title,
        confirmed.item_name,
        confirmed.column_values,
        confirmed.column_values as confirmed_column_values,
        confirmed.payload_hash,
        confirmed.payload_hash as confirmed_payload_hash,
        {{ json_text('confirmed.column_values', id_of['AAG ORDER NUMBER']) if 'AAG ORDER NUMBER' in id_of else 'null' }} as order_number,
        {{ json_text('confirmed.column_values', id_of['PO NUMBER']) if 'PO NUMBER' in id_of else 'null' }} as po_number,
        cast(null as {{ type_text() }}) as season
    from confirmed
    where not exists (
        select 1 from source_keys where source_keys.record_uuid = confirmed.sync_key
    )
        {%- if sync['on_cancel'] != 'archive' %}
        and 1 = 0
        {%- endif %}

)

select * from creates
union all
select * from updates
union all
select * from cancelled
union all
select * from vanished
