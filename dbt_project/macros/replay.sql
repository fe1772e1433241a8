{#-
    A windowed build that starts from the warehouse the last build replaced (orchestration/defs/warehouse/
    previous.py) first replays the last build's changes from the current warehouse, so it builds its own
    days only instead of redoing the last build's too (at 1M articles a night's dense day of links and
    market moves, 2-3 s). The last build left what the replay needs in the schema `replay`:
      * `replay.last_build`: its window, written (on-run-end) only when it was a windowed build that built
        every incremental model; a full refresh, or a build of some models, drops it, and the next build
        then redoes the last build's days instead (orchestration/defs/warehouse/assets.py asks first);
      * `replay.<schema>__<model>_keys`: for a mart with a `recompute_key`, the keys it recomputed
        (macros/published_window.sql), which reach outside the window (claims near it).
    For each incremental model the replay makes the same deletes the last build made (its window's days,
    the article versions it dropped, its recomputed keys) and inserts the rows the last build inserted,
    read back from the current warehouse: those on its window's days and those of its recomputed keys.
    The tests compare the result with a full refresh (tests/test_dagster_runs.py).
-#}

{% macro replay_schema() %}replay{% endmacro %}

{% macro recomputed_keys(schema, identifier) -%}
    {{ replay_schema() }}."{{ schema }}__{{ identifier }}_keys"
{%- endmacro %}


{#- on-run-start: replay the last build's changes from the warehouse at TICKERWIRE_REPLAY_FROM, if set. -#}
{% macro replay_last_build() %}
    {%- set current = env_var('TICKERWIRE_REPLAY_FROM', '') -%}
    {%- if not execute or not current -%}
        {{ return('') }}
    {%- endif -%}
    {%- do run_query("attach '" ~ current ~ "' as replayed (read_only)") -%}
    {%- set last = run_query('select window_start, window_end from replayed.' ~ replay_schema() ~ '.last_build') -%}
    {%- set in_last_window -%}
        published_date between date '{{ last.columns[0].values()[0] }}' and date '{{ last.columns[1].values()[0] }}'
    {%- endset -%}
    {%- set versions = graph.nodes.values() | selectattr('name', 'equalto', 'stg_article_versions') | first -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
        {%- set relation = '"' ~ node.schema ~ '"."' ~ node.alias ~ '"' -%}
        {%- set strategy = node.config.incremental_strategy -%}
        {%- if strategy == 'published_window' -%}
            {%- set recompute_key = node.config.get('recompute_key') -%}
            {%- set recomputed -%}
                ({{ recompute_key }}, published_date) in (
                    select {{ recompute_key }}, published_date
                    from replayed.{{ recomputed_keys(node.schema, node.alias) }}
                )
            {%- endset -%}
            {%- do run_query('delete from ' ~ relation ~ ' where ' ~ in_last_window) -%}
            {%- for keys in node.config.get('article_keys') or [['article_id', 'published_date']] -%}
                {%- do run_query(
                    'delete from ' ~ relation ~ ' as existing where exists (select 1 from replayed."'
                    ~ versions.schema ~ '"."' ~ versions.alias ~ '" as surviving where surviving.'
                    ~ in_last_window ~ ' and surviving.article_id = existing.' ~ keys[0]
                    ~ ' and surviving.published_date is distinct from existing.' ~ keys[1] ~ ')'
                ) -%}
            {%- endfor -%}
            {%- if recompute_key -%}
                {%- do run_query('delete from ' ~ relation ~ ' where ' ~ recomputed) -%}
            {%- endif -%}
            {%- do run_query(
                'insert into ' ~ relation ~ ' by name select * from replayed.' ~ relation ~ ' where '
                ~ in_last_window ~ ((' or ' ~ recomputed) if recompute_key else '')
            ) -%}
        {%- elif strategy == 'delete+insert' -%}
            {#- stg_article_versions: the last build re-ranked the articles with a version on a day of its
                window or a row there, and replaced their rows. Those whose row changed have it on a day of
                the window, before or after (a new version lands on a day of the window); the others kept
                the row they had. -#}
            {%- set key = node.config.unique_key -%}
            {%- set replayed_keys = '"' ~ node.alias ~ '__replayed_keys"' -%}
            {%- do run_query(
                'create temp table ' ~ replayed_keys ~ ' as select ' ~ key ~ ' from ' ~ relation ~ ' where '
                ~ in_last_window ~ ' union select ' ~ key ~ ' from replayed.' ~ relation ~ ' where ' ~ in_last_window
            ) -%}
            {%- do run_query(
                'delete from ' ~ relation ~ ' where ' ~ key ~ ' in (from ' ~ replayed_keys ~ ')'
            ) -%}
            {%- do run_query(
                'insert into ' ~ relation ~ ' by name select * from replayed.' ~ relation ~ ' where ' ~ key
                ~ ' in (from ' ~ replayed_keys ~ ')'
            ) -%}
            {%- do run_query('drop table ' ~ replayed_keys) -%}
        {%- elif strategy != 'append' -%}
            {#- an append model (the ingest ledger) takes in whatever the lake has that it lacks, by itself -#}
            {{ exceptions.raise_compiler_error(node.name ~ ": no replay for incremental strategy " ~ strategy) }}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query('detach replayed') -%}
    {{ return('') }}
{% endmacro %}


{#- on-run-end: record the build's window for the next build to replay, when it was a windowed build of
    every incremental model; otherwise drop the last record, so the next build redoes this one's days. -#}
{% macro record_replayable_build(results) %}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set window = published_window() -%}
    {%- set built = [] -%}
    {%- for result in results if result.status == 'success' -%}
        {%- do built.append(result.node.unique_id) -%}
    {%- endfor -%}
    {%- set every_incremental = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
        {%- do every_incremental.append(node.unique_id in built) -%}
    {%- endfor -%}
    create schema if not exists {{ replay_schema() }};
    drop table if exists {{ replay_schema() }}.last_build;
    {%- if window and false not in every_incremental %}
    create table {{ replay_schema() }}.last_build as
    select date '{{ window[0] }}' as window_start, date '{{ window[1] }}' as window_end;
    {%- endif %}
{% endmacro %}
