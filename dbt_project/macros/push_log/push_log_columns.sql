{#- The columns of MON_PushLog, in order: the one list the log's DDL (create_push_log, and
    MON_PushLogArchive, the same columns + archived_at), stg_push_log, stg_push_log_archive and the
    unions of hot and archived rows are made from (docs/CONTRACT.md explains each column). type is
    a kind each dialect's create_push_log maps to its own type: code (ASCII ids and codes, sized),
    text (Unicode, sized), long_text (Unicode of any length), timestamp, int. lower: staging
    lower-cases it. -#}
{% macro push_log_column_specs() -%}
    {{ return([
        {'name': 'log_id', 'type': 'code', 'size': 36, 'not_null': true},
        {'name': 'logged_at', 'type': 'timestamp', 'not_null': true},
        {'name': 'run_id', 'type': 'code', 'size': 36},
        {'name': 'batch_id', 'type': 'code', 'size': 36},
        {'name': 'customer_name', 'type': 'text', 'size': 255},
        {'name': 'board_id', 'type': 'code', 'size': 32},
        {'name': 'entity', 'type': 'code', 'size': 10, 'not_null': true, 'lower': true},
        {'name': 'sync_key', 'type': 'text', 'size': 400, 'not_null': true},
        {'name': 'parent_sync_key', 'type': 'text', 'size': 400},
        {'name': 'operation', 'type': 'code', 'size': 10, 'not_null': true, 'lower': true},
        {'name': 'phase', 'type': 'code', 'size': 10, 'not_null': true, 'lower': true},
        {'name': 'status', 'type': 'code', 'size': 10, 'not_null': true, 'lower': true},
        {'name': 'payload_hash', 'type': 'code', 'size': 64},
        {'name': 'group_title', 'type': 'text', 'size': 255},
        {'name': 'item_name', 'type': 'text', 'size': 255},
        {'name': 'column_values', 'type': 'long_text'},
        {'name': 'monday_id', 'type': 'code', 'size': 32},
        {'name': 'monday_parent_id', 'type': 'code', 'size': 32},
        {'name': 'monday_group_id', 'type': 'code', 'size': 64},
        {'name': 'idempotency_key', 'type': 'code', 'size': 64},
        {'name': 'attempt', 'type': 'int'},
        {'name': 'error_code', 'type': 'code', 'size': 100},
        {'name': 'error_message', 'type': 'text', 'size': 2000},
    ]) }}
{%- endmacro %}

{#- The column names of stg_push_log (and stg_push_log_archive before archived_at), in order, for
    unions. -#}
{% macro push_log_columns() -%}
    {{ return(push_log_column_specs() | map(attribute='name') | list) }}
{%- endmacro %}

{#- stg_push_log's select list over the raw log (and stg_push_log_archive's before archived_at):
    each column as it is, the lower-cased ones lower-cased. -#}
{% macro push_log_staged_columns() -%}
    {%- set staged = [] -%}
    {%- for column in push_log_column_specs() -%}
        {%- do staged.append('lower(' ~ column.name ~ ') as ' ~ column.name if column.get('lower') else column.name) -%}
    {%- endfor -%}
    {{ return(staged) }}
{%- endmacro %}
