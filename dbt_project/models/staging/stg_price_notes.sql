-- Price notes (ticker moves and index moves) of the surviving version of each article.
with

source as (

    select * from {{ source('lake', 'price_notes') }}

),

renamed as (

    select
        article_id || ':' || cast(note_index as varchar) as price_note_id,
        article_id,
        published_date,
        note_index,
        symbol,
        company_key,
        lower(direction) as direction,
        change_pct,
        change_qualifier,
        price,
        currency,
        session,
        period,
        as_of,
        as_of_text,
        sentence,
        start_char,
        end_char,
        coalesce(is_index_move, false) as is_index_move

    from source

)

{{ of_surviving_articles('renamed') }}
