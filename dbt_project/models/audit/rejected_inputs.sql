-- Inputs (or parts of inputs) the ingest could not turn into articles: the ledger's rejects.
select
    input_file,
    input_position,
    detail as reason,
    ingested_at as rejected_at,
    run_id

from {{ ref('ingest_ledger') }}
where outcome = 'rejected'
