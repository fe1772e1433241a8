-- Named entities of the surviving version of each article.
with

source as (

    select * from {{ source('lake', 'entities') }}

),

renamed as (

    select
        article_id || ':' || cast(entity_index as varchar) as entity_id,
        article_id,
        published_date,
        entity_index,
        entity_text,
        label,
        start_char,
        end_char

    from source

)

{{ of_surviving_articles('renamed') }}
