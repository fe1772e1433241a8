-- Claims of the surviving version of each article; missing lists become empty lists.
with

source as (

    select * from {{ source('lake', 'claims') }}

),

renamed as (

    select
        article_id || ':' || cast(claim_index as varchar) as claim_id,
        article_id,
        published_date,
        claim_index,
        claim_text,
        attributed_source,
        attribution_phrase,
        coalesce(hedges, cast([] as varchar[])) as hedges,
        coalesce(tickers, cast([] as varchar[])) as tickers,
        coalesce(is_forward_looking, false) as is_forward_looking,
        start_char,
        end_char

    from source

)

{{ of_surviving_articles('renamed') }}
