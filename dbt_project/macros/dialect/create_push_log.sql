{#- The pusher's append-only log (docs/CONTRACT.md), created if missing by the on-run-start hook.
    dbt never writes to it; the state, error and outbox models read it. Its columns come from
    push_log_column_specs (macros/push_log/push_log_columns.sql); MON_PushLogArchive has the same
    columns (+ archived_at): the rows `python -m pusher compact` moved out of the hot log
    (superseded and older than history.keep_days); the history view and full rebuilds read it.
    With them MON_RunLocks: who holds each customer's run lock (pusher/store/locks.py), and
    MON_Drift: what `pusher reconcile` found changed by hand on the boards (pusher/store/drift.py),
    so the pusher needs no DDL right. -#}
{% macro create_push_log() -%}
    {{ return(adapter.dispatch('create_push_log', 'order_sync')()) }}
{%- endmacro %}

{#- The log's columns (push_log_column_specs) as the body of a CREATE TABLE, each on its own line
    after ``indent`` spaces: ``types`` maps each kind to the dialect's type (a sized column gets
    its size after it), ``nullable`` is what a column that may be NULL says. -#}
{% macro push_log_table_columns(types, nullable, indent) -%}
{%- for column in push_log_column_specs() %}
{{ ' ' * indent }}{{ column.name }} {{ types[column.type] }}{% if column.get('size') %}({{ column.get('size') }}){% endif %}{{ ' not null' if column.get('not_null') else nullable }}{{ ',' if not loop.last }}
{%- endfor %}
{%- endmacro %}

{% macro duckdb__create_push_log() -%}
{%- set types = {'code': 'varchar', 'text': 'varchar', 'long_text': 'varchar', 'timestamp': 'timestamp', 'int': 'integer'} -%}
create schema if not exists {{ target.schema }};
create table if not exists {{ target.schema }}.MON_PushLog ({{ push_log_table_columns(types, '', 4) }}
);
create table if not exists {{ target.schema }}.MON_PushLogArchive ({{ push_log_table_columns(types, '', 4) }},
    archived_at timestamp not null
);
create table if not exists {{ target.schema }}.MON_RunLocks (
    customer_name varchar(255) not null,
    run_id varchar(36) not null,
    host varchar(255),
    pid integer,
    since timestamp not null
);
create table if not exists {{ target.schema }}.MON_Drift (
    drift_id varchar(36) not null,
    found_at timestamp not null,
    run_id varchar(36) not null,
    customer_name varchar(255),
    board_id varchar(32),
    entity varchar(10) not null,
    sync_key varchar(400),
    monday_id varchar(32),
    drift_class varchar(30) not null,
    detail varchar(255),
    before_value varchar,
    after_value varchar,
    action varchar(10) not null
)
{%- endmacro %}

{% macro sqlserver__create_push_log() -%}
{%- set table = '[' ~ target.schema ~ '].[MON_PushLog]' -%}
{%- set types = {'code': 'varchar', 'text': 'nvarchar', 'long_text': 'nvarchar(max)', 'timestamp': 'datetime2(6)', 'int': 'int'} -%}
if schema_id(N'{{ target.schema }}') is null
    exec (N'create schema [{{ target.schema }}]');
if object_id(N'{{ table }}', N'U') is null
begin
    create table {{ table }} ({{ push_log_table_columns(types, ' null', 8) }},
        constraint PK_MON_PushLog primary key nonclustered (log_id)
    );
    create clustered index CIX_MON_PushLog_logged_at on {{ table }} (logged_at);
    create index IX_MON_PushLog_entity_sync_key on {{ table }} (entity, sync_key)
        include (phase, status, operation, logged_at, payload_hash);
    create index IX_MON_PushLog_batch_id on {{ table }} (batch_id);
end;
if object_id(N'[{{ target.schema }}].[MON_PushLogArchive]', N'U') is null
begin
    create table [{{ target.schema }}].[MON_PushLogArchive] ({{ push_log_table_columns(types, ' null', 8) }},
        archived_at datetime2(6) not null,
        constraint PK_MON_PushLogArchive primary key nonclustered (log_id)
    );
    create clustered index CIX_MON_PushLogArchive_logged_at
        on [{{ target.schema }}].[MON_PushLogArchive] (logged_at) with (data_compression = page);
end;
if object_id(N'[{{ target.schema }}].[MON_RunLocks]', N'U') is null
    create table [{{ target.schema }}].[MON_RunLocks] (
        customer_name nvarchar(255) not null,
        run_id varchar(36) not null,
        host nvarchar(255) null,
        pid int null,
        since datetime2(6) not null
    );
if object_id(N'[{{ target.schema }}].[MON_Drift]', N'U') is null
    create table [{{ target.schema }}].[MON_Drift] (
        drift_id varchar(36) not null,
        found_at datetime2(6) not null,
        run_id varchar(36) not null,
        customer_name nvarchar(255) null,
        board_id varchar(32) null,
        entity varchar(10) not null,
        sync_key nvarchar(400) null,
        monday_id varchar(32) null,
        drift_class varchar(30) not null,
        detail nvarchar(255) null,
        before_value nvarchar(max) null,
        after_value nvarchar(max) null,
        action varchar(10) not null
    );
{%- endmacro %}
