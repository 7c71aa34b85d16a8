{#- dbt's data test materialization, plus one thing for row_invariants tests
    (tests/generic/row_invariants.sql): dbt's failure message only says "Got 2 results", so when
    such a test fails or warns, its query runs once more (only then) and each broken rule is
    logged: which rule, how many rows, an example key or value. Every data test still runs through
    dbt's own materialization (called below, unchanged), so severity, warn_if, error_if, fail_calc
    and --store-failures behave as documented. -#}
{%- materialization test, default -%}

  {% set relations = dbt.materialization_test_default() %}

  {% if (model.test_metadata or {}).get('name') == 'row_invariants' %}
    {% set failures = load_result('main')['table'].rows[0][0] %}
    {% if failures is not none and failures | int > 0 %}
      {% for line in row_invariants_report(sql) %}
        {% do log(line, info=True) %}
      {% endfor %}
    {% endif %}
  {% endif %}

  {{ return(relations) }}

{%- endmaterialization -%}

{#- One readable line per broken rule, from the rows a row_invariants query returns. A grain
    counted with count(distinct) has no example: one repeated key is looked up here (one more
    query, only on failure). -#}
{% macro row_invariants_report(test_sql) %}
  {% set lines = [] %}
  {% for row in run_query(test_sql).rows %}
    {% set count = row[1] | int %}
    {% set example = [] %}
    {% set key = row[2] %}
    {% if key is none and row[0].startswith('unique(') and model.attached_node in graph.nodes %}
      {% set columns = row[0][7:-1].split(', ') %}
      {% set repeated = run_query('select min(' ~ row_invariants_text(columns) ~ ') from ('
            ~ row_invariants_repeated(graph.nodes[model.attached_node].relation_name, columns) ~ ') as repeated') %}
      {% set key = repeated.rows[0][0] %}
    {% endif %}
    {% if key is not none %}{% do example.append('key ' ~ key) %}{% endif %}
    {% if row[3] is not none %}{% do example.append('value ' ~ row[3]) %}{% endif %}
    {% do lines.append(model.name ~ ': ' ~ row[0] ~ ' broken by ' ~ count ~ ' row' ~ ('' if count == 1 else 's')
                       ~ ((', e.g. ' ~ (example | join(', '))) if example else '')) %}
  {% endfor %}
  {{ return(lines) }}
{% endmacro %}
