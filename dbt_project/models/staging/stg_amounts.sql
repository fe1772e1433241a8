-- Amounts of the surviving version of each article.
with

source as (

    select * from {{ source('lake', 'amounts') }}

),

renamed as (

    select
        article_id || ':' || cast(amount_index as varchar) as amount_id,
        article_id,
        published_date,
        amount_index,
        amount_text,
        kind,
        value,
        currency,
        unit,
        start_char,
        end_char

    from source

)

{{ of_surviving_articles('renamed') }}
