-- Incremental by published date (macros/published_window.sql); the strategy also drops rows of
-- article versions gone from stg_article_versions:
-- depends_on: {{ ref('stg_article_versions') }}
{{ config(materialized='incremental') }}
with

mentions as (

    select * from {{ ref('stg_ticker_mentions') }}
    {% if is_incremental() -%}
    where {{ in_published_window('published_date') }}
    {%- endif %}

)

select
    mention_id,
    article_id,
    symbol,
    company_key,
    mention_text,
    start_char,
    end_char,
    method,
    is_primary,
    published_date

from mentions
