with

source as (

    select * from {{ source('lake', 'ingest_ledger') }}

),

renamed as (

    select
        run_id,
        input_file,
        input_position,
        file_hash,
        article_id,
        content_hash,
        outcome,
        detail,
        ingested_at,
        parse_filename(filename) as ledger_file

    from source

)

select * from renamed
