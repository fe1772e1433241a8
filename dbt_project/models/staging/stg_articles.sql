-- One row per article: an article can land in two published_date partitions (its date was
-- corrected, or it was re-sent); the most recently ingested version wins.
with

source as (

    select * from {{ source('lake', 'articles') }}

),

renamed as (

    select
        article_id,
        source_id,
        title,
        body,
        published_at,
        published_raw,
        published_date,
        coalesce(date_is_estimated, false) as date_is_estimated,
        source,
        url,
        canonical_url,
        authors,
        content_hash,
        input_file,
        input_position,
        ingested_at

    from source
    where article_id is not null

),

-- The winning version is chosen on keys alone and the rows are then taken by (article_id,
-- published_date), unique in the lake (one row per article per day): a model that filters on
-- published_date reads only those days' texts, not the whole history's.
latest_version as (

    select article_id, published_date
    from renamed
    qualify row_number() over (
        partition by article_id
        -- ties broken deterministically: the later partition, then the input's own order
        order by ingested_at desc nulls last, published_date desc nulls last, input_file, input_position
    ) = 1

)

select renamed.*
from renamed
semi join latest_version
    on renamed.article_id = latest_version.article_id
    and renamed.published_date is not distinct from latest_version.published_date
