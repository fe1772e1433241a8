-- One row per symbol. A symbol that belonged to several companies over time (the reference
-- holds one row per validity window) keeps its most recent window; mentions carry their own
-- company_key resolved as of the article date, so nothing is lost for the facts.
with

reference as (

    select * from {{ ref('stg_ticker_reference') }}

),

latest_window as (

    select *
    from reference
    qualify row_number() over (
        partition by symbol
        order by valid_to desc nulls first, valid_from desc nulls last, company_key
    ) = 1

)

select
    symbol,
    company_key,
    name,
    aliases,
    exchange,
    asset_type,
    valid_from,
    valid_to

from latest_window
