-- Incremental by published date (macros/published_window.sql); the strategy also drops rows of
-- article versions gone from stg_article_versions:
-- depends_on: {{ ref('stg_article_versions') }}
{{ config(materialized='incremental') }}
with

amounts as (

    select * from {{ ref('stg_amounts') }}
    {% if is_incremental() -%}
    where {{ in_published_window('published_date') }}
    {%- endif %}

)

select
    amount_id,
    article_id,
    amount_text,
    kind,
    value,
    currency,
    unit,
    start_char,
    end_char,
    published_date

from amounts
