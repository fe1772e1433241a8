-- Incremental by published date (macros/published_window.sql); the strategy also drops rows of
-- article versions gone from stg_article_versions:
-- depends_on: {{ ref('stg_article_versions') }}
{{ config(materialized='incremental') }}
with

claims as (

    select * from {{ ref('stg_claims') }}
    {% if is_incremental() -%}
    where {{ in_published_window('published_date') }}
    {%- endif %}

)

select
    claim_id,
    article_id,
    claim_text,
    attributed_source,
    attribution_phrase,
    hedges,
    len(hedges) > 0 as is_hedged,
    tickers,
    is_forward_looking,
    published_date

from claims
