{#-
    Data tests of a windowed build look at the window's rows only, so a nightly build's tests cost what
    the night added, not the whole history. dbt_project.yml gives the tests of the staging and mart
    models `where: "__published_window__"`; this override of dbt's get_where_subquery (the documented
    way to give `where` placeholders) turns it into the build's published-date window, for relations
    with a published_date column (for a lake source, a declared one: its day folders, so the test opens
    the window's files only). Without a window (a full build), or for a relation without that column
    (dim_tickers, the daily bars), the test sees every row.
-#}
{#- Whether the tested relation has a published_date column: a source's as declared in its YAML (its
    relation is an external read_parquet, with no catalog columns), else the catalog's (so only when
    executing). -#}
{% macro has_published_date(relation) -%}
    {%- if model.sources -%}
        {%- set source = graph.sources['source.' ~ project_name ~ '.' ~ model.sources[0] | join('.')] -%}
        {{ return('published_date' in source.columns) }}
    {%- endif -%}
    {{ return('published_date' in adapter.get_columns_in_relation(relation) | map(attribute='name') | list) }}
{%- endmacro %}


{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__published_window__' in where -%}
        {%- set in_window = 'true' -%}
        {%- if published_window() is not none and execute and (model.attached_node or model.sources)
            and has_published_date(relation) -%}
            {%- set in_window = in_published_window('published_date') -%}
        {%- endif -%}
        {%- set where = where | replace('__published_window__', in_window) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}


{#-
    dbt's relationships test with the parent side windowed too (dbt's own test, called with a narrower
    parent): in a windowed build, the rows tested (the window's) reference parents published on their
    own day, or for a link's note within link_window_days of it, so the parents are read from the window
    widened by link_window_days (the marts are stored in date order, so DuckDB skips the other days' row
    groups: at 1M articles a test read every id of dim_articles or fct_claims, 0.2-0.5 s each a night).
    A parent outside that range fails the test, as a broken link would. The parents are read whole, as
    dbt does, when the rows tested are not the window's (a build without a window, or a child without a
    published_date column, such as fct_price_note_checks, rebuilt whole every time) or the parent has no
    published_date column (dim_tickers).
-#}
{% macro default__test_relationships(model, column_name, to, field) -%}
    {%- set parent = to -%}
    {#- the child is the window's rows when get_where_subquery above put the window's condition in it -#}
    {%- if published_window() is not none and execute and in_published_window('published_date') in model | string
        and has_published_date(to) -%}
        {%- set parent -%}
            (select * from {{ to }} where {{ in_published_window('published_date', var('link_window_days')) }})
        {%- endset -%}
    {%- endif -%}
    {{ dbt.default__test_relationships(model, column_name, parent, field) }}
{%- endmacro %}
