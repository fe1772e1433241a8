-- Each ticker price note against the market's bar of its as-of date (else its published date).
-- Tolerances (percentage points / ratios) are documented in fct_price_note_checks.yml.
with

notes as (

    select * from {{ ref('fct_price_notes') }}

),

bars as (

    select * from {{ ref('stg_daily_bars') }}

),

joined as (

    select
        notes.price_note_id,
        notes.article_id,
        notes.symbol,
        notes.direction,
        notes.change_pct,
        notes.price,
        notes.session,
        notes.period,
        coalesce(notes.as_of, notes.published_date) as check_date,
        case when notes.as_of is not null then 'as_of' else 'published_date' end as check_date_basis,
        case notes.direction when 'down' then -notes.change_pct else notes.change_pct end as quoted_change_pct,
        bars.bar_date is not null as has_bar,
        bars.low,
        bars.high,
        bars.close,
        bars.previous_close,
        round(100 * (bars.close / bars.previous_close - 1), 4) as market_change_pct,
        round(100 * (bars.low / bars.previous_close - 1), 4) as market_low_pct,
        round(100 * (bars.high / bars.previous_close - 1), 4) as market_high_pct,
        notes.price / nullif(bars.close, 0) as price_ratio

    from notes
    left join bars
        on bars.symbol = notes.symbol
        and bars.bar_date = coalesce(notes.as_of, notes.published_date)

),

percent_checked as (

    select
        *,
        coalesce(session, 'regular') in ('intraday', 'premarket') as is_intraday,
        case
            -- after-hours moves happen after the bar closed, and a period's move ("this year") spans
            -- many bars: neither is the day's change
            when market_change_pct is null or session = 'after_hours' or period is not null then null
            when direction = 'flat'
                then if(abs(market_change_pct) <= greatest(0.5, coalesce(change_pct, 0) + 0.25),
                        'confirmed', 'contradicted')
            when change_pct is null then null
            when coalesce(session, 'regular') in ('intraday', 'premarket')
                then if(quoted_change_pct between market_low_pct - 0.5 and market_high_pct + 0.5,
                        'confirmed', 'contradicted')
            -- a whole number ("6 percent") is often rounded down or hedged ("more than 6 percent")
            when abs(quoted_change_pct - market_change_pct)
                <= greatest(0.25, 0.05 * change_pct, if(change_pct = round(change_pct), 1.0, 0))
                then 'confirmed'
            else 'contradicted'
        end as percent_check,
        case
            when market_change_pct is null or session = 'after_hours' or period is not null then null
            when direction = 'flat' then null
            when abs(market_change_pct) < 0.05 then null
            when (direction = 'up') = (market_change_pct > 0) then 'confirmed'
            -- an intraday move can reverse by the close
            when coalesce(session, 'regular') in ('intraday', 'premarket') then null
            else 'contradicted'
        end as direction_check

    from joined

),

checked as (

    select
        *,
        case
            when price is null or close is null or session = 'after_hours' then null
            when is_intraday and price between low * 0.995 and high * 1.005 then 'confirmed'
            when not is_intraday and abs(price_ratio - 1) <= 0.005 then 'confirmed'
            -- a back-adjusted series divides old prices by the split factor
            when list_bool_or([abs(price_ratio / factor - 1) <= 0.01
                               for factor in [1.5, 2, 3, 4, 5, 7, 8, 10, 15, 20]])
                then 'split_adjusted'
            -- dividend adjustment lowers old closes: a quote above the close is no contradiction when
            -- the day's move matches, or when it is within 15 % and the move does not contradict it
            when price_ratio > 1 and (percent_check = 'confirmed'
                    or (price_ratio <= 1.15 and coalesce(percent_check, '') <> 'contradicted'))
                then 'adjusted_level'
            else 'contradicted'
        end as price_check

    from percent_checked

)

select
    price_note_id,
    article_id,
    symbol,
    check_date,
    check_date_basis,
    direction,
    quoted_change_pct,
    price as quoted_price,
    session,
    close as market_close,
    low as market_low,
    high as market_high,
    market_change_pct,
    round(price_ratio, 4) as price_ratio,
    percent_check,
    direction_check,
    price_check,
    case
        when not has_bar then 'no market data'
        when 'contradicted' in (percent_check, direction_check, price_check) then 'contradicted'
        when 'confirmed' in (percent_check, direction_check, price_check) then 'confirmed'
        else 'not comparable'
    end as verdict

from checked
