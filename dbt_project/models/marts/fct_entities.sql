-- Incremental by published date (macros/published_window.sql); the strategy also drops rows of
-- article versions gone from stg_article_versions:
-- depends_on: {{ ref('stg_article_versions') }}
{{ config(materialized='incremental') }}
with

entities as (

    select * from {{ ref('stg_entities') }}
    {% if is_incremental() -%}
    where {{ in_published_window('published_date') }}
    {%- endif %}

)

select
    entity_id,
    article_id,
    entity_text,
    label,
    start_char,
    end_char,
    published_date

from entities
