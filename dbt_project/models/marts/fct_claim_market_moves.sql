-- What the market did after a claim's article came out: one row per claim x ticker, with the last close
-- before publication (base), the first close after it (trading day 1) and the 5th trading day's close.
-- The next-close rule is documented in fct_claim_market_moves.yml. Incremental by published date
-- (macros/published_window.sql); a nightly build also redoes the claims of the var('bar_reach_days') days
-- around the window whose closes a bar that came in since can fill (see completable below); bars loaded
-- for older days need a full build.
{{
    config(
        materialized='incremental',
        recompute_key='claim_ticker_id',
    )
}}
-- the strategy drops rows of article versions gone from stg_article_versions:
-- depends_on: {{ ref('stg_article_versions') }}
{%- set bar_reach_days = var('bar_reach_days') %}
{#- Rows near the window still waiting for a close that the bars now hold: without trading day 1, any bar
    after the base (before publication it is a newer base, after it trading day 1); with day 1 but not
    day 5, four bars after day 1. Asked first, so a night without such bars redoes the window's claims
    only, not every claim of the days around it. -#}
{%- set completable -%}
    select existing.claim_ticker_id from {{ this }} as existing
    where {{ around_published_window('existing.published_date', bar_reach_days) }}
        and existing.day5_date is null
        and (
            select count(*) from {{ ref('stg_daily_bars') }} as bars
            where bars.symbol = existing.symbol
                and bars.close is not null
                and bars.bar_date > coalesce(existing.next_close_date, existing.base_date, date '0001-01-01')
        ) >= if(existing.next_close_date is null, 1, 4)
{%- endset %}
{%- set completing = execute and is_incremental()
    and run_query('select count(*) from (' ~ completable ~ ')').columns[0].values()[0] > 0 %}
with

claim_tickers as (

    select * from {{ ref('int_claim_tickers') }}
    {% if is_incremental() -%}
    where {{ in_published_window('published_date') }}
    {%- if completing %}

    -- a branch of its own, so the window's filter above still reaches the lake scan
    union all
    select * from {{ ref('int_claim_tickers') }}
    where {{ around_published_window('published_date', bar_reach_days) }}
        and claim_ticker_id in (select claim_ticker_id from ({{ completable }}) as waiting)
    {%- endif %}
    {%- endif %}

),

articles as (

    select
        article_id,
        published_date,
        published_at,
        date_is_estimated,
        -- the first trading day whose close comes after publication: the New York day of publication
        -- when it came out before the 16:00 close, else the day after; the published date when the
        -- time is unknown
        case
            when published_at is null then published_date
            when cast(timezone('America/New_York', published_at) as time) < time '16:00'
                then cast(timezone('America/New_York', published_at) as date)
            else cast(timezone('America/New_York', published_at) as date) + 1
        end as first_close_on_or_after

    from {{ ref('stg_articles') }}
    {% if is_incremental() -%}
    -- the claims' days only, not every article's text file of the history
    where {{ in_published_window('published_date', bar_reach_days if completing else 0) }}
    {%- endif %}

),

-- Referenced twice and inlined both times rather than stored with the claims' texts: the closes below
-- need two of its columns, the final select all of them.
timed as not materialized (

    select
        claim_tickers.claim_ticker_id,
        claim_tickers.claim_id,
        claim_tickers.article_id,
        claim_tickers.symbol,
        claim_tickers.claim_text,
        claim_tickers.attributed_source,
        claim_tickers.published_date,
        articles.published_at,
        coalesce(articles.date_is_estimated, true) as date_is_estimated,
        if(articles.published_at is null, 'published_date', 'published_at') as timing_basis,
        coalesce(articles.first_close_on_or_after, claim_tickers.published_date) as first_close_on_or_after

    from claim_tickers
    left join articles
        on claim_tickers.article_id = articles.article_id
        and claim_tickers.published_date = articles.published_date

),

-- trading days are the symbol's own bars, numbered in date order
bars as (

    select
        symbol,
        bar_date,
        close,
        row_number() over (partition by symbol order by bar_date) as bar_number

    from {{ ref('stg_daily_bars') }}
    where close is not null

),

-- The closes depend on the symbol and the first close's day only, not on the claim: they are looked up
-- once per (symbol, day), a few hundred thousand pairs for millions of claims.
closes as (

    select
        pairs.symbol,
        pairs.first_close_on_or_after,
        base.bar_date as base_date,
        base.close as base_close,
        day1.bar_date as next_close_date,
        day1.close as next_close,
        day5.bar_date as day5_date,
        day5.close as day5_close

    from (select distinct symbol, first_close_on_or_after from timed) as pairs
    asof left join bars as base
        on pairs.symbol = base.symbol
        and pairs.first_close_on_or_after > base.bar_date
    asof left join bars as day1
        on pairs.symbol = day1.symbol
        and pairs.first_close_on_or_after <= day1.bar_date
    left join bars as day5
        on pairs.symbol = day5.symbol
        and day5.bar_number = day1.bar_number + 4

)

-- Sorted by date, as in fct_claim_price_links: a month's question reads that month's row groups only.
select
    timed.claim_ticker_id,
    timed.claim_id,
    timed.article_id,
    timed.symbol,
    timed.claim_text,
    timed.attributed_source,
    timed.published_date,
    timed.published_at,
    timed.date_is_estimated,
    timed.timing_basis,
    closes.base_date,
    closes.base_close,
    closes.next_close_date,
    closes.next_close,
    closes.day5_date,
    closes.day5_close,
    round(100 * (closes.next_close / nullif(closes.base_close, 0) - 1), 4) as return_1d_pct,
    round(100 * (closes.day5_close / nullif(closes.base_close, 0) - 1), 4) as return_5d_pct

from timed
left join closes
    on timed.symbol = closes.symbol
    and timed.first_close_on_or_after = closes.first_close_on_or_after
order by timed.published_date
