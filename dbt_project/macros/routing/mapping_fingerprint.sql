{#- The fingerprint of the monday.yml mapping this build used (monday_mapping(): the generated
    macro, or the dbt var order_sync_mapping): MD5 of its JSON with sorted keys. The pusher
    computes the same of the file it reads (pusher/config/dbt_mapping.py) and refuses to send an
    outbox built from another mapping. -#}
{% macro mapping_fingerprint() -%}
    {{ return(local_md5(tojson(monday_mapping(), sort_keys=True))) }}
{%- endmacro %}

{#- Where this build's mapping came from, for the pusher's refusal message. -#}
{% macro mapping_source() -%}
    {%- if var('order_sync_mapping', none) is not none -%}
        {{ return("the dbt var order_sync_mapping") }}
    {%- else -%}
        {{ return("dbt_project/macros/generated/monday_mapping.sql (written by make generate)") }}
    {%- endif -%}
{%- endmacro %}
