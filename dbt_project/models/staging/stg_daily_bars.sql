-- One bar per symbol and day, with the previous bar's close for the day's change.
with

source as (

    select * from {{ source('lake', 'daily_bars') }}

),

-- Two files can carry the same symbol and day: the alphabetically last file wins, so builds are repeatable.
deduplicated as (

    select *
    from source
    where symbol is not null
    qualify row_number() over (partition by symbol, bar_date order by source_file desc) = 1

)

select
    symbol,
    bar_date,
    open,
    high,
    low,
    close,
    volume,
    lag(close) over (partition by symbol order by bar_date) as previous_close,
    source_file

from deduplicated
