-- The surviving version of each article as keys only: (article_id, published_date) of its most
-- recently ingested version. A table, ranked once per build, so the staging models, their tests and
-- the marts' deletes look the survivors up instead of re-ranking every article key of the lake.
-- Incremental: a windowed build re-ranks only the articles with a version on a day of the window (a new
-- version lands on a day of the window; other days are unchanged since the last build), over all their
-- versions, and replaces their rows: an article moved to a new day loses its old day's row.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
        on_schema_change='fail',
    )
}}
with

versions as (

    select article_id, published_date, ingested_at, input_file, input_position
    from {{ source('lake', 'articles') }}
    where article_id is not null

),

{% if is_incremental() -%}
-- also the articles that survived on a day of the window: a version that left it hands over to another
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
    where article_id in (select article_id from touched)
    {%- endif %}

)

select article_id, published_date
from candidates
qualify row_number() over (
    partition by article_id
    -- ties broken deterministically: the later partition, then the input's own order
    order by ingested_at desc nulls last, published_date desc nulls last, input_file, input_position
) = 1
