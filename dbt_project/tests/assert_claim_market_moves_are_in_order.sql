{{ config(meta={'dagster': {'asset_key': ['marts', 'fct_claim_market_moves']}}) }}
-- The base close comes before the next close, which is trading day 1 of the 5; a return needs both closes.
select claim_ticker_id
from {{ ref('fct_claim_market_moves') }}
where base_date >= next_close_date
    or next_close_date >= day5_date
    or (day5_date is not null and next_close_date is null)
    or (return_1d_pct is null) <> (base_close is null or next_close is null)
    or (return_5d_pct is null) <> (base_close is null or day5_close is null)
