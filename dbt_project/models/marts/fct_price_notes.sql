-- Ticker price notes only; market index moves are in fct_index_moves.
-- Incremental by published date (macros/published_window.sql); the strategy also drops rows of
-- article versions gone from stg_article_versions:
-- depends_on: {{ ref('stg_article_versions') }}
{{ config(materialized='incremental') }}
with

price_notes as (

    select * from {{ ref('stg_price_notes') }}
    where not is_index_move
    {% if is_incremental() -%}
    and {{ in_published_window('published_date') }}
    {%- endif %}

)

select
    price_note_id,
    article_id,
    symbol,
    company_key,
    direction,
    change_pct,
    change_qualifier,
    price,
    currency,
    session,
    period,
    as_of,
    as_of_text,
    sentence,
    published_date

from price_notes
