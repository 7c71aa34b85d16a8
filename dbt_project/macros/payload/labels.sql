{#- The labels lines are grouped, routed and filtered by, one rule on both engines: trimmed
    (trim_blank: spaces, tabs, CR/LF, no-break spaces) and upper-cased (fold_case), NULL when
    blank (norm_text, macros/routing/routing_sql.sql). Shown the same way: the outbox's
    customer_name, the season, the group title and the board names are these upper-cased forms,
    so names differing only in case or outer spaces are one customer, one group, one board.

    season_sql(customer_season, aag_season): CUSTOMER SEASON, else AAG SEASON when it is blank.
    group_title_sql(customer, season): '<CUSTOMER NAME> <season>' (the customer alone without a
        season), before the 255-character cut of payload_limits(). -#}

{% macro season_sql(customer_season, aag_season) -%}
    coalesce({{ norm_text(customer_season) }}, {{ norm_text(aag_season) }})
{%- endmacro %}

{% macro group_title_sql(customer, season) -%}
    {{ join_nonnull("' '", [norm_text(customer), season]) }}
{%- endmacro %}
