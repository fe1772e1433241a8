-- One row per claim and ticker it is about: the claims' ticker lists, unnested (a ticker listed
-- twice counts once; claims about no ticker drop out).
with

claims as (

    select * from {{ ref('stg_claims') }}

),

unnested as (

    select
        claim_id,
        article_id,
        published_date,
        claim_index,
        claim_text,
        attributed_source,
        is_forward_looking,
        unnest(tickers) as symbol

    from claims

),

claim_tickers as (

    select distinct
        claim_id || ':' || symbol as claim_ticker_id,
        claim_id,
        article_id,
        published_date,
        claim_index,
        symbol,
        claim_text,
        attributed_source,
        is_forward_looking

    from unnested
    where symbol is not null and symbol <> ''

)

select * from claim_tickers
