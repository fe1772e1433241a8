-- One row per article: an article can land in two published_date partitions (its date was
-- corrected, or it was re-sent); the most recently ingested version wins (stg_article_versions).
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

)

-- rows taken by (article_id, published_date), unique in the lake (one row per article per day): a model
-- that filters on published_date reads only those days' texts, not the whole history's
select renamed.*
from renamed
semi join {{ ref('stg_article_versions') }} as surviving
    on renamed.article_id = surviving.article_id
    and renamed.published_date is not distinct from surviving.published_date
