{#- The staging name of a source column: lower case, runs of anything but [a-z0-9] as one '_'
    ("AAG ORDER NUMBER" -> aag_order_number, "TOTAL_QTY" -> total_qty). stg_orders_unified
    names its descriptive columns this way, so monday.yml can keep using the source names. -#}
{% macro snake_case(name) -%}
    {{ return(modules.re.sub('[^a-z0-9]+', '_', name | lower).strip('_')) }}
{%- endmacro %}
