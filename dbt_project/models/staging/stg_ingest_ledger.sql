with

source as (

    select * from {{ source('lake', 'ingest_ledger') }}

),

renamed as (

    select
        input_file,
        content_hash,
        outcome,
        articles as article_count,
        rejects as reject_count,
        ingested_at

    from source

)

select * from renamed
