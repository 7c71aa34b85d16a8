{#- stg_orders_unified: one reason per long_text column of monday.yml over monday's 2,000
    characters, e.g. "NOTES is 2417 characters (monday long text allows 2,000)". Refers to the
    long_text_length_<n> columns the staging model measures. -#}
{% macro long_text_reasons(source_names) -%}
    {%- set reasons = [] -%}
    {%- for source_name in source_names -%}
        {%- do reasons.append("case when long_text_length_" ~ loop.index ~ " > 2000 then concat('"
            ~ (source_name | replace("'", "''")) ~ " is ', long_text_length_" ~ loop.index
            ~ ", ' characters (monday long text allows 2,000)') end") -%}
    {%- endfor -%}
    {{ return(reasons) }}
{%- endmacro %}
