-- Ticker price notes only; market index moves are in fct_index_moves.
with

price_notes as (

    select * from {{ ref('stg_price_notes') }}
    where not is_index_move

)

select
    price_note_id,
    article_id,
    symbol,
    company_key,
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

from price_notes
