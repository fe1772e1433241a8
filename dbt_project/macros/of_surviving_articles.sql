{#- Rows of `relation` that belong to the surviving (latest) version of their article. -#}
{% macro of_surviving_articles(relation) %}
select {{ relation }}.*
from {{ relation }}
semi join {{ ref('stg_articles') }} as articles
    on {{ relation }}.article_id = articles.article_id
    and {{ relation }}.published_date = articles.published_date
{% endmacro %}
