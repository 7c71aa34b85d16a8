{#- Every value of the column is above zero (NULL fails too). -#}
{% test greater_than_zero(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is null or {{ column_name }} <= 0

{% endtest %}
