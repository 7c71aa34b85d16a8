{#- One row per ORDERS_UNIFIED row: descriptive columns renamed to snake_case, size columns
    (named by their size, e.g. "XS", "16/32/33") typed as integers, and flags plus readable
    reasons for every problem a row shows on its own that monday cannot take: no key, no order
    number, no customer, a bad quantity. A repeated key is a problem of several rows:
    int_order_lines_checked finds it (a grouping here would run again on every read of this view:
    ~0.8 s per million lines, six or more times per build) and gives every row its verdict. Values
    over monday's limits are not a reason: they are sent cut (macros/payload/monday_limits.sql)
    and listed in WARN_ORDERS_UNIFIED. Rows are never dropped here: int_order_lines_checked
    stores the verdicts, int_order_lines_valid keeps the valid lines, QUAR_ORDERS_UNIFIED lists
    the others.
    record_uuid is the sync key text: lower-case, trimmed (trim_blank), NULL when blank, so a
    blank or whitespace-only key (possible where the source key is text) is quarantined like NULL,
    and keys differing only in case or outer spaces are the same key (both rows quarantined).
    A view, like every staging model: a reader pays only for the columns it selects, so the
    unpivot and the hashing read typed columns without re-running the 276-column checks, which
    int_order_lines_checked computes once. -#}
{%- set sizes = size_columns() -%}
{%- set record_key = "nullif(" ~ trim_blank(uuid_to_text(adapter.quote('record_uuid'))) ~ ", '')" %}

with

source as (

    select * from {{ source('orders', 'ORDERS_UNIFIED') }}

),

renamed as (

    select
        {{ record_key }} as record_uuid,
        {{ as_bool(adapter.quote('record_uuid') ~ ' is null') }} as is_record_uuid_null,
        {{ adapter.quote('AAG ORDER NUMBER') }} as aag_order_number,
        {{ adapter.quote('CUSTOMER NAME') }} as customer_name,
        {{ adapter.quote('CUSTOMER SEASON') }} as customer_season,
        {{ adapter.quote('AAG SEASON') }} as aag_season,
        {{ adapter.quote('PO NUMBER') }} as po_number,
        {{ adapter.quote('CUSTOMER STYLE') }} as customer_style,
        {{ adapter.quote('STYLE DESCRIPTION') }} as style_description,
        {{ adapter.quote('CUSTOMER COLOUR DESCRIPTION') }} as customer_colour_description,
        {{ adapter.quote('ORDER TYPE') }} as order_type,
        {{ adapter.quote('ORDER STATUS') }} as order_status,
        cast({{ adapter.quote('ORDER DATE PO RECEIVED') }} as date) as order_date_po_received,
        cast({{ adapter.quote('EX FACTORY DATE') }} as date) as ex_factory_date,
        cast({{ adapter.quote('ETA CUSTOMER WAREHOUSE DATE') }} as date) as eta_customer_warehouse_date,
        {{ adapter.quote('DELIVERY TERMS') }} as delivery_terms,
        {{ adapter.quote('PLANNED DELIVERY METHOD') }} as planned_delivery_method,
        cast({{ adapter.quote('CUSTOMER PRICE') }} as decimal(18, 2)) as customer_price,
        cast({{ adapter.quote('ORDER_QTY') }} as integer) as order_qty,
        cast({{ adapter.quote('TOTAL_QTY') }} as integer) as total_qty,
        {{ adapter.quote('NOTES') }} as notes,
        {{ adapter.quote('LAST MODIFIED') }} as last_modified,
        {%- for size in sizes %}
        {%- set raw = adapter.quote(size.name) %}
        {%- if size.is_text %}
        {{ try_cast_qty(raw) }} as {{ raw }},
        {%- else %}
        cast({{ raw }} as integer) as {{ raw }},
        {%- endif %}
        {%- endfor %}
        {#- Per-size problems, named: "negative quantity -5 in size M", "non-numeric quantity 'N/A' in size OS". #}
        {#- The reasons are only spelled out when a cheap test (one comparison per size) finds a
            problem: joining 276 per-size texts on every valid row cost more than the rest. #}
        {%- set negative = [] -%}
        {%- set negative_tests = [] -%}
        {%- set non_numeric = [] -%}
        {%- set non_numeric_tests = [] -%}
        {%- for size in sizes -%}
            {%- set raw = adapter.quote(size.name) -%}
            {%- set typed = try_cast_qty(raw) if size.is_text else raw -%}
            {%- do negative.append("case when " ~ typed ~ " < 0 then concat('negative quantity ', " ~ typed ~ ", ' in size " ~ (size.name | replace("'", "''")) ~ "') end") -%}
            {%- do negative_tests.append(typed ~ " < 0") -%}
            {%- if size.is_text -%}
                {%- do non_numeric.append("case when ltrim(rtrim(" ~ raw ~ ")) <> '' and " ~ typed ~ " is null then concat('non-numeric quantity ''', " ~ raw ~ ", ''' in size " ~ (size.name | replace("'", "''")) ~ "') end") -%}
                {%- do non_numeric_tests.append("(ltrim(rtrim(" ~ raw ~ ")) <> '' and " ~ typed ~ " is null)") -%}
            {%- endif -%}
        {%- endfor %}
        case when {{ negative_tests | join(' or ') }}
            then {{ join_nonnull("'; '", negative) }} end as negative_qty_reason,
        {% if non_numeric -%}
        case when {{ non_numeric_tests | join(' or ') }}
            then {{ join_nonnull("'; '", non_numeric) }} end
        {%- else %}null{% endif %} as non_numeric_qty_reason
    from source

),

reasoned as (

    select
        renamed.*,
        case
            when {{ is_true('is_record_uuid_null') }} then 'record_uuid is NULL'
            when record_uuid is null then 'record_uuid is blank'
        end as missing_record_uuid_reason,
        case when {{ norm_text('aag_order_number') }} is null
            then 'AAG ORDER NUMBER is blank' end as missing_order_number_reason,
        case when {{ norm_text('customer_name') }} is null
            then 'CUSTOMER NAME is blank' end as missing_customer_reason
    from renamed

),

final as (

    select
        record_uuid,
        aag_order_number,
        customer_name,
        customer_season,
        aag_season,
        po_number,
        customer_style,
        style_description,
        customer_colour_description,
        order_type,
        order_status,
        order_date_po_received,
        ex_factory_date,
        eta_customer_warehouse_date,
        delivery_terms,
        planned_delivery_method,
        customer_price,
        order_qty,
        total_qty,
        notes,
        last_modified,
        {%- for size in sizes %}
        {{ adapter.quote(size.name) }},
        {%- endfor %}
        {{ as_bool('missing_record_uuid_reason is not null') }} as is_missing_record_uuid,
        {{ as_bool('missing_order_number_reason is not null') }} as is_missing_order_number,
        {{ as_bool('missing_customer_reason is not null') }} as is_missing_customer_name,
        {{ as_bool('negative_qty_reason is not null') }} as has_negative_qty,
        {{ as_bool('non_numeric_qty_reason is not null') }} as has_non_numeric_qty,
        missing_record_uuid_reason,
        {{ join_nonnull("'; '", [
            'missing_order_number_reason', 'missing_customer_reason', 'negative_qty_reason',
            'non_numeric_qty_reason']) }} as line_quarantine_reason
    from reasoned

)

select * from final
