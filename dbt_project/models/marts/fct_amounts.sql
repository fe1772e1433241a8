with

amounts as (

    select * from {{ ref('stg_amounts') }}

)

select
    amount_id,
    article_id,
    amount_text,
    kind,
    value,
    currency,
    unit,
    start_char,
    end_char,
    published_date

from amounts
