{#- History of every order line's monday payload: one row per version of a line, a new version
    whenever its payload_hash changes (strategy check), closed (dbt_valid_to set) when the line
    leaves ORDERS_UNIFIED or is quarantined (hard_deletes: invalidate). `dbt build` / `dbt snapshot`
    takes one picture per run, so "what changed, when" is answerable in SQL at the resolution of
    the schedule (every 4 hours). The README ("History: what changed, when") has the query. -#}
{% snapshot order_line_hashes %}

{{
    config(
        unique_key='sync_key',
        strategy='check',
        check_cols=['payload_hash'],
        hard_deletes='invalidate',
    )
}}

select
    record_uuid as sync_key,
    customer_name,
    order_number,
    po_number,
    season,
    group_title,
    item_name,
    is_cancelled,
    column_values,
    payload_hash
from {{ ref('int_order_lines_hashed') }}

{% endsnapshot %}
