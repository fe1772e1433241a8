-- One row per claim and ticker it is about: the claims' ticker lists, unnested (a ticker listed
-- twice counts once; claims about no ticker drop out). The lists are made distinct before unnesting,
-- not the rows after it: no grouping of the claims' texts, and the rows keep the lake's date order.
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
        unnest(list_distinct(tickers)) as symbol

    from claims

)

select
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
where symbol <> ''
