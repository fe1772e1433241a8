{#-
    Whether DuckDB vacuums at this build's checkpoints (the on-run-start hook in dbt_project.yml).

    DuckDB's checkpoint rewrites the row groups that hold deleted rows, merged with their neighbours. A
    windowed build deletes the rows it redoes, so at 1M articles that rewrite was 1.8-2.1 s of a dense
    night, against 0.6-0.8 s for the checkpoint without it. The warehouse asset sets TICKERWIRE_SKIP_VACUUM
    for a windowed build until a table's deleted rows reach a share of its stored rows
    (orchestration/defs/warehouse/vacuum.py); unset, DuckDB's default applies. The environment is read
    when the hook runs, not at parse time, so a change does not make dbt re-parse the project.
-#}
{% macro vacuum_at_checkpoint() -%}
    {%- if execute -%}
        {{ 'set global max_vacuum_tasks = 0' if env_var('TICKERWIRE_SKIP_VACUUM', '') else 'reset global max_vacuum_tasks' }}
    {%- endif -%}
{%- endmacro %}
