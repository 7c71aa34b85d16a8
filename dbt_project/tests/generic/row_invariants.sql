{#- A model's data rules in one test node: every row rule and grain in ONE scan of the model (on
    SQL Server, a grain of several columns in one GROUP BY more). One node per model instead of
    one per rule and column: a view (the outbox, the state models, stg_push_log) is evaluated once
    for all its rules instead of once per rule.

      data_tests:
        - row_invariants:
            name: row_invariants_<model>
            arguments:
              key: [sync_key, operation]        # names the example row of a broken rule
              not_null: [customer_name, ...]    # column IS NULL fails
              accepted_values: {operation: [create, update]}   # NULL passes, as dbt's accepted_values
              greater_than_zero: [qty]          # NULL or <= 0 fails
              unique: [[sync_key, operation], [log_id]]  # grains, see below

    A grain is counted in the same scan with count(distinct): one column ignores NULLs, as dbt's
    unique; several columns (macro count_distinct_columns) group NULLs together, as
    unique_combination_of_columns. T-SQL has no count(distinct) over several columns, so there
    such a grain is one GROUP BY ... HAVING more.
    It returns one row per broken rule: rule_name (e.g. "not_null(customer_name)"), failing_rows
    (rows breaking it; for a grain, the rows repeating a key already seen), example_key (the key of
    one such row, or a repeated grain) and example_value (the offending value, when there is
    one). A grain counted in the scan has no example there: the report looks one up on failure.
    A model without a grain is read only WHERE some rule fails (see below).
    When it fails, the test materialization (macros/tests/row_invariants_materialization.sql) logs
    those rows, so the build output names each broken rule and its count.
    Portable: no boolean in SELECT, no reserved words (RULE, KEY) as names. -#}
{% test row_invariants(model, key=none, not_null=[], accepted_values={}, greater_than_zero=[], unique=[]) %}
{%- set key_columns = ([key] if key is string else (key or [])) -%}
{%- set rules = [] -%}
{%- for column in not_null -%}
    {%- do rules.append({'name': 'not_null(' ~ column ~ ')', 'fails': column ~ ' is null', 'value': none}) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set listed = [] -%}
    {%- for value in values -%}{%- do listed.append(text_literal(value)) -%}{%- endfor -%}
    {%- do rules.append({
        'name': 'accepted_values(' ~ column ~ ': ' ~ (values | join(', ')) ~ ')',
        'fails': column ~ ' is not null and ' ~ column ~ ' not in (' ~ (listed | join(', ')) ~ ')',
        'value': column}) -%}
{%- endfor -%}
{%- for column in greater_than_zero -%}
    {%- do rules.append({'name': 'greater_than_zero(' ~ column ~ ')', 'fails': column ~ ' is null or ' ~ column ~ ' <= 0', 'value': column}) -%}
{%- endfor -%}
{%- set grains = [] -%}
{%- for grain in unique -%}
    {%- set columns = [grain] if grain is string else grain -%}
    {%- set distinct = ('count(distinct ' ~ columns[0] ~ ')') if columns | length == 1 else count_distinct_columns(columns) -%}
    {%- if distinct -%}
        {#- in the same scan: the rows beyond the first of their key; the example is looked up on failure -#}
        {%- do rules.append({'name': 'unique(' ~ (columns | join(', ')) ~ ')', 'value': none,
                             'counted': ('count(' ~ columns[0] ~ ')' if columns | length == 1 else 'count(*)') ~ ' - ' ~ distinct}) -%}
    {%- else -%}
        {%- do grains.append(columns) -%}
    {%- endif -%}
{%- endfor -%}
{#- Without a grain, only the rows breaking a rule are read: the engine pushes that filter down
    (on the subitem outbox view, 1 s instead of evaluating all 8.5 million rows at 1,000,000
    lines). A grain needs every row anyway, so then the rules ride along in the same scan. -#}
{%- set counted = rules | selectattr('counted') | list -%}
{%- set failing = [] -%}
{%- for rule in rules if not rule.counted -%}{%- do failing.append('(' ~ rule.fails ~ ')') -%}{%- endfor -%}
{%- if not rules and not grains -%}
    {{ exceptions.raise_compiler_error("row_invariants on " ~ model ~ ": no rule given") }}
{%- endif %}

with

{% if rules -%}
rule_counts as (

    -- one scan: per rule, the failing rows and the key and value of one of them
    select
        {%- for rule in rules %}
        {%- if rule.counted %}
        {{ rule.counted }} as failing_{{ loop.index }},
        {{ row_invariants_text([]) }} as key_{{ loop.index }},
        {{ row_invariants_text([]) }} as value_{{ loop.index }}
        {%- else %}
        sum(case when {{ rule.fails }} then 1 else 0 end) as failing_{{ loop.index }},
        min(case when {{ rule.fails }} then {{ row_invariants_text(key_columns) }} end) as key_{{ loop.index }},
        min(case when {{ rule.fails }} then {{ row_invariants_text([rule.value] if rule.value else []) }} end) as value_{{ loop.index }}
        {%- endif %}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    {%- if not counted %}
    where {{ failing | join('\n        or ') }}
    {%- endif %}

),

rule_rows as (

    -- the counts as one row per rule (a join with a constant list, not a union: one read of rule_counts)
    select
        rule_list.rule_name,
        case rule_list.rule_no
            {%- for rule in rules %}
            when {{ loop.index }} then rule_counts.failing_{{ loop.index }}
            {%- endfor %}
        end as failing_rows,
        case rule_list.rule_no
            {%- for rule in rules %}
            when {{ loop.index }} then rule_counts.key_{{ loop.index }}
            {%- endfor %}
        end as example_key,
        case rule_list.rule_no
            {%- for rule in rules %}
            when {{ loop.index }} then rule_counts.value_{{ loop.index }}
            {%- endfor %}
        end as example_value
    from rule_counts
    cross join (
        values
            {%- for rule in rules %}
            ({{ loop.index }}, {{ text_literal(rule.name) }}){{ ',' if not loop.last }}
            {%- endfor %}
    ) as rule_list (rule_no, rule_name)

){{ ',' if grains }}
{%- endif %}
{%- for grain in grains %}

grain_{{ loop.index }} as (

    -- one more scan: the keys on more than one row, and the rows beyond the first of each
    select
        {{ text_literal('unique(' ~ (grain | join(', ')) ~ ')') }} as rule_name,
        sum(rows_with_key) - count(*) as failing_rows,
        min({{ row_invariants_text(grain) }}) as example_key,
        {{ row_invariants_text([]) }} as example_value
    from (
        {{ row_invariants_repeated(model, grain) }}
    ) as repeated

){{ ',' if not loop.last }}
{%- endfor %}

select rule_name, failing_rows, example_key, example_value
from (
    {%- if rules %}
    select rule_name, failing_rows, example_key, example_value from rule_rows
    {%- endif %}
    {%- for grain in grains %}
    {{ 'union all' if rules or not loop.first }}
    select rule_name, failing_rows, example_key, example_value from grain_{{ loop.index }}
    {%- endfor %}
) as broken
where failing_rows > 0

{% endtest %}
