{#- Offline compile (python -m tools.compile_sqlserver passes var offline_compile=true): no server
    is reachable, so is_incremental() must not look the relation up; it answers var
    offline_incremental (default false: the full build SQL; tools.compile_sqlserver compiles the
    incremental models a second time with true, as a scheduled build runs them). Otherwise dbt's
    own is_incremental(). -#}
{% macro is_incremental() %}
    {%- if var('offline_compile', false) -%}
        {{ return(var('offline_incremental', false)) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{% endmacro %}
