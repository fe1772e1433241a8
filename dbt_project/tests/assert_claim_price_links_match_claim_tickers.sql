{{ config(meta={'dagster': {'asset_key': ['marts', 'fct_claim_price_links']}}) }}
-- A link's symbol is one of its claim's tickers and its price note's symbol, in the claim's article.
select links.link_id
from {{ ref('fct_claim_price_links') }} as links
inner join {{ ref('fct_claims') }} as claims on links.claim_id = claims.claim_id
inner join {{ ref('fct_price_notes') }} as notes on links.price_note_id = notes.price_note_id
where not list_contains(claims.tickers, links.symbol)
    or notes.symbol <> links.symbol
    or claims.article_id <> links.article_id
    or notes.article_id <> links.article_id
