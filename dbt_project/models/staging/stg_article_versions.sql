-- The surviving version of each article as keys only: (article_id, published_date) of its most
-- recently ingested version, and the days of its other versions (other_version_dates: the days whose
-- rows of the article the marts drop; empty for an article landed once). A table, ranked once per build,
-- so the staging models, their tests and the marts' deletes look the survivors up instead of re-ranking
-- every article key of the lake.
-- Incremental: a windowed build re-ranks only the articles with a version on a day of the window (a new
-- version lands on a day of the window; other days are unchanged since the last build), over all their
-- versions, and replaces their rows: an article moved to a new day loses its old day's row. Their versions
-- are read from the window's days and the days the last build recorded for them (outside_version_days),
-- not from every day of the lake.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
        on_schema_change='fail',
    )
}}
{%- set outside_days = outside_version_days() if is_incremental() else [] %}
with

-- inlined where it is read, so each read's date filter reaches the lake's day folders
versions as not materialized (

    select article_id, published_date, ingested_at, input_file, input_position
    from {{ source('lake', 'articles') }}
    where article_id is not null

),

{% if outside_days -%}
-- the articles re-ranked: those with a version on a day of the window, and those that survived on one (a
-- version that left it hands over to another)
touched as (

    select article_id from versions
    where {{ in_published_window('published_date') }}
    union
    select article_id from {{ this }}
    where {{ in_published_window('published_date') }}

),
{%- endif %}

candidates as (

    select * from versions
    {% if is_incremental() -%}
    where {{ in_published_window('published_date') }}
    {%- if outside_days %}
    union all
    select * from versions
    where published_date in ({% for day in outside_days %}date '{{ day }}'{{ ', ' if not loop.last }}{% endfor %})
        and article_id in (select article_id from touched)
    {%- endif %}
    {%- endif %}

),

ranked as (

    select
        article_id,
        published_date,
        first_value(published_date) over (
            partition by article_id
            -- ties broken deterministically: the later partition, then the input's own order
            order by ingested_at desc nulls last, published_date desc nulls last, input_file, input_position
        ) as surviving_date
    from candidates

)

select
    article_id,
    surviving_date as published_date,
    coalesce(
        list(distinct published_date order by published_date) filter (where published_date <> surviving_date),
        cast([] as date[])
    ) as other_version_dates
from ranked
group by article_id, surviving_date
