{#- The pusher's append-only log (docs/CONTRACT.md), created if missing by the on-run-start hook.
    dbt never writes to it; the state, error and outbox models read it. MON_PushLogArchive has
    the same columns (+ archived_at): the rows `python -m pusher compact` moved out of the hot log
    (superseded and older than history.keep_days); the history view and full rebuilds read it.
    With them MON_RunLocks: who holds each customer's run lock (pusher/store/locks.py), and
    MON_Drift: what `pusher reconcile` found changed by hand on the boards (pusher/store/drift.py),
    so the pusher needs no DDL right. -#}
{% macro create_push_log() -%}
    {{ return(adapter.dispatch('create_push_log', 'order_sync')()) }}
{%- endmacro %}

{% macro duckdb__create_push_log() -%}
create schema if not exists {{ target.schema }};
create table if not exists {{ target.schema }}.MON_PushLog (
    log_id varchar(36) not null,
    logged_at timestamp not null,
    run_id varchar(36),
    batch_id varchar(36),
    customer_name varchar(255),
    board_id varchar(32),
    entity varchar(10) not null,
    sync_key varchar(400) not null,
    parent_sync_key varchar(400),
    operation varchar(10) not null,
    phase varchar(10) not null,
    status varchar(10) not null,
    payload_hash varchar(64),
    group_title varchar(255),
    item_name varchar(255),
    column_values varchar,
    monday_id varchar(32),
    monday_parent_id varchar(32),
    monday_group_id varchar(64),
    idempotency_key varchar(64),
    attempt integer,
    error_code varchar(100),
    error_message varchar(2000)
);
create table if not exists {{ target.schema }}.MON_PushLogArchive (
    log_id varchar(36) not null,
    logged_at timestamp not null,
    run_id varchar(36),
    batch_id varchar(36),
    customer_name varchar(255),
    board_id varchar(32),
    entity varchar(10) not null,
    sync_key varchar(400) not null,
    parent_sync_key varchar(400),
    operation varchar(10) not null,
    phase varchar(10) not null,
    status varchar(10) not null,
    payload_hash varchar(64),
    group_title varchar(255),
    item_name varchar(255),
    column_values varchar,
    monday_id varchar(32),
    monday_parent_id varchar(32),
    monday_group_id varchar(64),
    idempotency_key varchar(64),
    attempt integer,
    error_code varchar(100),
    error_message varchar(2000),
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
if schema_id(N'{{ target.schema }}') is null
    exec (N'create schema [{{ target.schema }}]');
if object_id(N'{{ table }}', N'U') is null
begin
    create table {{ table }} (
        log_id varchar(36) not null,
        logged_at datetime2(6) not null,
        run_id varchar(36) null,
        batch_id varchar(36) null,
        customer_name nvarchar(255) null,
        board_id varchar(32) null,
        entity varchar(10) not null,
        sync_key nvarchar(400) not null,
        parent_sync_key nvarchar(400) null,
        operation varchar(10) not null,
        phase varchar(10) not null,
        status varchar(10) not null,
        payload_hash varchar(64) null,
        group_title nvarchar(255) null,
        item_name nvarchar(255) null,
        column_values nvarchar(max) null,
        monday_id varchar(32) null,
        monday_parent_id varchar(32) null,
        monday_group_id varchar(64) null,
        idempotency_key varchar(64) null,
        attempt int null,
        error_code varchar(100) null,
        error_message nvarchar(2000) null,
        constraint PK_MON_PushLog primary key nonclustered (log_id)
    );
    create clustered index CIX_MON_PushLog_logged_at on {{ table }} (logged_at);
    create index IX_MON_PushLog_entity_sync_key on {{ table }} (entity, sync_key)
        include (phase, status, operation, logged_at, payload_hash);
    create index IX_MON_PushLog_batch_id on {{ table }} (batch_id);
end;
if object_id(N'[{{ target.schema }}].[MON_PushLogArchive]', N'U') is null
begin
    create table [{{ target.schema }}].[MON_PushLogArchive] (
            log_id varchar(36) not null,
            logged_at datetime2(6) not null,
            run_id varchar(36) null,
            batch_id varchar(36) null,
            customer_name nvarchar(255) null,
            board_id varchar(32) null,
            entity varchar(10) not null,
            sync_key nvarchar(400) not null,
            parent_sync_key nvarchar(400) null,
            operation varchar(10) not null,
            phase varchar(10) not null,
            status varchar(10) not null,
            payload_hash varchar(64) null,
            group_title nvarchar(255) null,
            item_name nvarchar(255) null,
            column_values nvarchar(max) null,
            monday_id varchar(32) null,
            monday_parent_id varchar(32) null,
            monday_group_id varchar(64) null,
            idempotency_key varchar(64) null,
            attempt int null,
            error_code varchar(100) null,
            error_message nvarchar(2000) null,
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
