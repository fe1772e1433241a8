with

articles as (

    select * from {{ ref('stg_articles') }}

)

select
    article_id,
    source_id,
    title,
    body,
    published_at,
    published_raw,
    published_date,
    date_is_estimated,
    source,
    url,
    canonical_url,
    authors,
    content_hash,
    input_file,
    input_position,
    ingested_at

from articles
