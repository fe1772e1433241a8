-- Every input item the ingest has seen, and what became of it.
select
    run_id,
    input_file,
    input_position,
    file_hash,
    article_id,
    content_hash,
    outcome,
    detail,
    ingested_at

from {{ ref('stg_ingest_ledger') }}
