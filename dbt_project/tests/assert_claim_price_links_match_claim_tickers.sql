{{ config(meta={'dagster': {'asset_key': ['marts', 'fct_claim_price_links']}}) }}
-- A link's claim exists on the link's day and lists the link's symbol; its price note exists, has that
-- symbol and is in the claim's article (same_article) or in another article within link_window_days
-- (other_article). A windowed build checks the window's links only, as the generic tests do
-- (macros/windowed_tests.sql), and reads the claims of the window and the notes within link_window_days
-- of it (row groups of other days skipped): a claim or note outside them fails, as a missing one does.
{%- set link_window_days = var('link_window_days') %}
with

links as (

    select * from {{ ref('fct_claim_price_links') }}
    where {{ in_published_window('published_date') }}

),

claims as (

    select claim_id, tickers, article_id, published_date from {{ ref('fct_claims') }}
    where {{ in_published_window('published_date') }}

),

notes as (

    select price_note_id, symbol, article_id, published_date from {{ ref('fct_price_notes') }}
    where {{ in_published_window('published_date', link_window_days) }}

)

select links.link_id
from links
left join claims on links.claim_id = claims.claim_id
left join notes on links.price_note_id = notes.price_note_id
where claims.claim_id is null
    or notes.price_note_id is null
    or not list_contains(claims.tickers, links.symbol)
    or notes.symbol <> links.symbol
    or claims.article_id <> links.article_id
    or claims.published_date <> links.published_date
    or notes.article_id <> links.note_article_id
    or notes.published_date <> links.note_published_date
    or links.day_distance <> links.note_published_date - links.published_date
    or abs(links.day_distance) > {{ link_window_days }}
    or (links.link_type = 'same_article') <> (links.note_article_id = links.article_id)
