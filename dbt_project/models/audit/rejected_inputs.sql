-- Inputs (or parts of inputs) the ingest could not turn into articles.
select
    input_file,
    input_position,
    reason,
    rejected_at

from {{ ref('stg_rejected_inputs') }}
