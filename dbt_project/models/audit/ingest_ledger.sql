-- Every inbox file the ingest has seen, and what became of it.
select
    input_file,
    content_hash,
    outcome,
    article_count,
    reject_count,
    ingested_at

from {{ ref('stg_ingest_ledger') }}
