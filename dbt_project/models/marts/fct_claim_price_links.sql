-- Every claim x ticker joined to the price notes of that ticker in the same article.
with

claim_tickers as (

    select * from {{ ref('int_claim_tickers') }}

),

price_notes as (

    select * from {{ ref('fct_price_notes') }}

),

links as (

    select
        claim_tickers.claim_id || '->' || price_notes.price_note_id as link_id,
        claim_tickers.claim_id,
        price_notes.price_note_id,
        claim_tickers.article_id,
        claim_tickers.symbol,
        cast('same_article' as varchar) as link_type,
        claim_tickers.claim_text,
        claim_tickers.attributed_source,
        price_notes.direction,
        price_notes.change_pct,
        price_notes.price,
        price_notes.session,
        price_notes.as_of,
        claim_tickers.published_date

    from claim_tickers
    inner join price_notes
        on claim_tickers.article_id = price_notes.article_id
        and claim_tickers.published_date = price_notes.published_date
        and claim_tickers.symbol = price_notes.symbol

)

select * from links
