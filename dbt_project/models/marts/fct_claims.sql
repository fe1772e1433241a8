with

claims as (

    select * from {{ ref('stg_claims') }}

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
