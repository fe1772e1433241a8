-- Incremental by published date (macros/published_window.sql); the strategy also drops rows of
-- article versions gone from stg_article_versions:
-- depends_on: {{ ref('stg_article_versions') }}
{{ config(materialized='incremental') }}
with

articles as (

    select * from {{ ref('stg_articles') }}
    {% if is_incremental() -%}
    where {{ in_published_window('published_date') }}
    {%- endif %}

)

select
    article_id,
    source_id,
    title,
    body,
    published_at,
    published_raw,
    published_date,
    date_is_estimated,
    source,
    url,
    canonical_url,
    authors,
    content_hash,
    input_file,
    input_position,
    ingested_at

from articles
