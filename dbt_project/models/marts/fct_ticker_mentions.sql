with

mentions as (

    select * from {{ ref('stg_ticker_mentions') }}

)

select
    mention_id,
    article_id,
    symbol,
    company_key,
    mention_text,
    start_char,
    end_char,
    method,
    is_primary,
    published_date

from mentions
