-- Every input item the ingest has seen, and what became of it. The lake's ledger only grows, one file per
-- landing batch, never rewritten: a build appends the files this table does not hold yet, so a nightly
-- build costs the night's rows, not the history's.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

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
    ledger_file

from {{ ref('stg_ingest_ledger') }}
{% if is_incremental() %}
where ledger_file not in (select ledger_file from {{ this }})
{% endif %}
