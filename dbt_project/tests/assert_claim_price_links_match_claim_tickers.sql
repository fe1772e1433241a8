{{ config(meta={'dagster': {'asset_key': ['marts', 'fct_claim_price_links']}}) }}
-- A link's symbol is one of its claim's tickers and its price note's symbol; the note is in the
-- claim's article (same_article) or in another article within link_window_days (other_article).
-- A windowed build checks the window's links only, as the generic tests do (macros/windowed_tests.sql).
with

links as (

    select * from {{ ref('fct_claim_price_links') }}
    where {{ in_published_window('published_date') }}

)

select links.link_id
from links
inner join {{ ref('fct_claims') }} as claims on links.claim_id = claims.claim_id
inner join {{ ref('fct_price_notes') }} as notes on links.price_note_id = notes.price_note_id
where not list_contains(claims.tickers, links.symbol)
    or notes.symbol <> links.symbol
    or claims.article_id <> links.article_id
    or claims.published_date <> links.published_date
    or notes.article_id <> links.note_article_id
    or notes.published_date <> links.note_published_date
    or links.day_distance <> links.note_published_date - links.published_date
    or abs(links.day_distance) > {{ var('link_window_days') }}
    or (links.link_type = 'same_article') <> (links.note_article_id = links.article_id)
