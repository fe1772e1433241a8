-- One row per landing pass: seen = landed + duplicate + updated + rejected, counted per input item.
select
    run_id,
    min(ingested_at) as ingested_at,
    count(distinct input_file) as files,
    count(*) as seen,
    count(*) filter (where outcome = 'landed') as landed,
    count(*) filter (where outcome = 'duplicate') as duplicate,
    count(*) filter (where outcome = 'updated') as updated,
    count(*) filter (where outcome = 'rejected') as rejected

from {{ ref('ingest_ledger') }}
group by run_id
