-- Ticker mentions of the surviving version of each article (see stg_articles).
with

source as (

    select * from {{ source('lake', 'ticker_mentions') }}

),

renamed as (

    select
        article_id || ':' || cast(mention_index as varchar) as mention_id,
        article_id,
        published_date,
        mention_index,
        symbol,
        company_key,
        mention_text,
        start_char,
        end_char,
        method,
        coalesce(is_primary, false) as is_primary

    from source

)

{{ of_surviving_articles('renamed') }}
