-- Moves of market indexes (S&P 500, Dow, Nasdaq) reported in articles.
with

index_moves as (

    select * from {{ ref('stg_price_notes') }}
    where is_index_move

)

select
    price_note_id as index_move_id,
    article_id,
    symbol,
    direction,
    change_pct,
    change_qualifier,
    price,
    currency,
    session,
    period,
    as_of,
    as_of_text,
    sentence,
    published_date

from index_moves
