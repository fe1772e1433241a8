with

entities as (

    select * from {{ ref('stg_entities') }}

)

select
    entity_id,
    article_id,
    entity_text,
    label,
    start_char,
    end_char,
    published_date

from entities
