-- Every claim x ticker linked to price notes of that ticker: all notes in the claim's own article
-- (link_type 'same_article'), and the nearest notes in other articles published within
-- var('link_window_days') days of the claim's (link_type 'other_article': up to two on or before the
-- claim's day, up to two after it). Incremental: see macros/published_window.sql, and near_claims below.
{{
    config(
        materialized='incremental',
        recompute_key='claim_id',
        article_keys=[['article_id', 'published_date'], ['note_article_id', 'note_published_date']],
    )
}}
-- depends_on: {{ ref('stg_article_versions') }}
{%- set link_window_days = var('link_window_days') %}
{%- set nearest_per_side = 2 %}
{%- set window = published_window() if is_incremental() else none %}
{#- Claims linked to a note of a dropped article version; whether there are any is asked first, so a
    usual night (none) leaves their branch out instead of scanning every claim for none. #}
{%- set relink_claims -%}
    select existing.claim_id, existing.published_date from {{ this }} as existing
    where {{ of_dropped_article_version('existing', 'note_article_id', 'note_published_date') }}
{%- endset %}
{%- set relinking = execute and is_incremental()
    and run_query('select count(*) from (' ~ relink_claims ~ ')').columns[0].values()[0] > 0 %}
{#- Claims within link_window_days of the window (outside it) whose links the window's notes can change:
    those linked to a note of the window (it may be gone or re-ranked) or of a dropped article version
    (relink_claims), and those of a ticker with notes in the window that have fewer than
    nearest_per_side links on the window's side from days between them and the window (with that many,
    every note of the window is farther). On busy days that is mostly the day next to the window, not
    every day of the link window. -#}
{%- set near_claims -%}
    with near as (
        select claim_id, symbol, published_date from {{ ref('int_claim_tickers') }}
        where {{ around_published_window('published_date', link_window_days) }}
    ),
    linked as (
        select claim_id, symbol, note_published_date from {{ this }}
        where {{ around_published_window('published_date', link_window_days) }}
            and link_type = 'other_article'
    )
    select distinct near.claim_id
    from near
    left join linked on near.claim_id = linked.claim_id and near.symbol = linked.symbol
    group by near.claim_id, near.symbol, near.published_date
    having count(*) filter (where {{ in_published_window('linked.note_published_date') }}) > 0
        {%- if relinking %}
        or near.claim_id in (select claim_id from ({{ relink_claims }}) as relinked)
        {%- endif %}
        or (
            near.symbol in (
                select symbol from {{ ref('fct_price_notes') }} where {{ in_published_window('published_date') }}
            )
            and count(*) filter (
                where if(
                    near.published_date < date '{{ window[0] if window else "" }}',
                    linked.note_published_date > near.published_date
                        and linked.note_published_date < date '{{ window[0] if window else "" }}',
                    linked.note_published_date <= near.published_date
                        and linked.note_published_date > date '{{ window[1] if window else "" }}'
                )
            ) < {{ nearest_per_side }}
        )
{%- endset %}
{#- The claim and the note: the same columns for links within and across articles. #}
{%- set link_columns %}
        claim_tickers.claim_id,
        claim_tickers.article_id,
        claim_tickers.published_date,
        claim_tickers.symbol,
        price_notes.price_note_id,
        price_notes.article_id as note_article_id,
        price_notes.published_date as note_published_date,
        price_notes.direction,
        price_notes.change_pct,
        price_notes.price,
        price_notes.session,
        price_notes.as_of
{%- endset %}

with

claim_tickers as (

    select * from {{ ref('int_claim_tickers') }}
    {% if is_incremental() -%}
    where {{ in_published_window('published_date') }}
    {%- if window %}

    -- each branch with its own filter, so it reaches the lake scan
    union all
    select * from {{ ref('int_claim_tickers') }}
    where {{ around_published_window('published_date', link_window_days) }}
        and claim_id in (select claim_id from ({{ near_claims }}) as near_claims)
    {%- endif %}
    {%- if relinking %}

    -- claims linked to a note whose article version is gone (it moved to another day) are redone too
    union all
    select * from {{ ref('int_claim_tickers') }}
    where not ({{ in_published_window('published_date', link_window_days) }})
        and claim_id in (select claim_id from ({{ relink_claims }}) as relinked)
    {%- endif %}
    {%- endif %}

),

price_notes as (

    select * from {{ ref('fct_price_notes') }}
    {% if is_incremental() -%}
    -- whole days within link_window_days of the claims redone, so the day ranks and per-article counts
    -- below are those of the full table
    where {{ in_published_window('published_date', 2 * link_window_days) }}
    {%- if relinking %}
        or published_date in (
            select distinct relinked.published_date + cast(day_offset as integer)
            from ({{ relink_claims }}) as relinked
            cross join range(-{{ link_window_days }}, {{ link_window_days }} + 1) as offsets(day_offset)
        )
    {%- endif %}
    {%- endif %}

),

same_article as (

    select
        {{ link_columns | trim }},
        cast('same_article' as varchar) as link_type,
        0 as day_distance,
        cast(null as integer) as nearest_rank

    from claim_tickers
    inner join price_notes
        on claim_tickers.article_id = price_notes.article_id
        and claim_tickers.published_date = price_notes.published_date
        and claim_tickers.symbol = price_notes.symbol

),

-- The nearest other-article notes depend on the claim's article, ticker and day, not on the claim, so
-- they are found once per (article, ticker) anchor. Of a day's notes (numbered by id) only the first
-- nearest_per_side can be among the nearest, plus as many as the anchor's own article has that day (those
-- are left out). Each anchor is joined to the notes of each day of its window on (symbol, day): an
-- equi-join that stays small however long the history and however busy the ticker, carrying keys only.
notes_by_day as (

    select
        price_note_id,
        article_id,
        symbol,
        published_date,
        row_number() over (partition by symbol, published_date order by price_note_id) as day_rank
    from price_notes

),

own_notes as (

    select article_id, symbol, published_date, count(*) as notes
    from price_notes
    group by all

),

anchor_window_days as (

    select
        anchors.article_id,
        anchors.symbol,
        anchors.published_date,
        anchors.published_date + cast(day_offset as integer) as note_date,
        {{ nearest_per_side }} + coalesce(own_notes.notes, 0) as rank_reach
    from (select distinct article_id, symbol, published_date from claim_tickers) as anchors
    left join own_notes using (article_id, symbol, published_date)
    cross join range(-{{ link_window_days }}, {{ link_window_days }} + 1) as offsets(day_offset)

),

nearest_other as (

    select
        anchor_window_days.article_id,
        anchor_window_days.symbol,
        anchor_window_days.published_date,
        notes_by_day.price_note_id,
        cast(notes_by_day.published_date - anchor_window_days.published_date as integer) as day_distance,
        cast(row_number() over (
            partition by anchor_window_days.article_id, anchor_window_days.symbol,
                anchor_window_days.published_date,
                notes_by_day.published_date > anchor_window_days.published_date
            order by abs(notes_by_day.published_date - anchor_window_days.published_date),
                notes_by_day.price_note_id
        ) as integer) as nearest_rank

    from anchor_window_days
    inner join notes_by_day
        on anchor_window_days.symbol = notes_by_day.symbol
        and anchor_window_days.note_date = notes_by_day.published_date
        and anchor_window_days.article_id <> notes_by_day.article_id
        and notes_by_day.day_rank <= anchor_window_days.rank_reach
    qualify nearest_rank <= {{ nearest_per_side }}

),

other_article as (

    select
        {{ link_columns | trim }},
        cast('other_article' as varchar) as link_type,
        nearest_other.day_distance,
        nearest_other.nearest_rank

    from nearest_other
    inner join claim_tickers
        on nearest_other.article_id = claim_tickers.article_id
        and nearest_other.symbol = claim_tickers.symbol
        and nearest_other.published_date = claim_tickers.published_date
    inner join price_notes
        on nearest_other.price_note_id = price_notes.price_note_id

),

-- Materialized, so the joins are done and their memory freed before the rows are sorted by date (joins
-- and sort at once ran out of DuckDB's 1 GB at 1M articles). Stored in date order, a question about a
-- month reads that month's row groups only: DuckDB skips the others by their min/max dates.
links as materialized (

    select * from same_article
    union all by name
    select * from other_article

),

sorted_links as (

    select
        claim_id,
        price_note_id,
        article_id,
        symbol,
        link_type,
        direction,
        change_pct,
        price,
        session,
        as_of,
        published_date,
        note_article_id,
        note_published_date,
        day_distance,
        nearest_rank

    from links
    order by published_date

)

-- the link id is made after the sort, not carried through it (at 1M: the sort's CPU 41 -> 32 s)
select claim_id || '->' || price_note_id as link_id, *
from sorted_links
