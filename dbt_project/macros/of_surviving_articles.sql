{#- Rows of `relation` that belong to the surviving (latest) version of their article: a lookup in the
    stg_article_versions key table, not a re-ranking of the lake's articles. -#}
{% macro of_surviving_articles(relation) %}
select {{ relation }}.*
from {{ relation }}
semi join {{ ref('stg_article_versions') }} as surviving
    on {{ relation }}.article_id = surviving.article_id
    and {{ relation }}.published_date = surviving.published_date
{% endmacro %}
